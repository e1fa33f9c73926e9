package hitcounter.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteArenaTest {
  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static int size(Random r) {
    int k = r.nextInt(100);
    return k < 90 ? r.nextInt(200) : k < 99 ? 200 + r.nextInt(5000) : ByteArena.LARGE + 1 + r.nextInt(1000);
  }

  private static void same(Map<Integer, byte[]> model, SlotBytes col, int slots) {
    for (int s = 0; s < slots; s++) {
      byte[] want = model.get(s);
      if (want == null) {
        assertFalse(col.has(s), "slot " + s);
        assertNull(col.get(s));
      } else {
        assertArrayEquals(want, col.get(s), "slot " + s);
      }
    }
    assertEquals(model.size(), col.count());
  }

  @Test
  void randomPutsClearsAndCompactionsKeepEveryString() {
    Random r = new Random(7);
    ByteArena arena = new ByteArena();
    SlotBytes a = new SlotBytes(arena);
    SlotBytes b = new SlotBytes(arena);
    Map<Integer, byte[]> ma = new HashMap<>();
    Map<Integer, byte[]> mb = new HashMap<>();
    int slots = 5_000;
    int compactions = 0;
    for (int i = 0; i < 200_000; i++) {
      int slot = r.nextInt(slots);
      int op = r.nextInt(10);
      if (op < 6) {
        byte[] v = bytes(r, size(r));
        a.put(slot, v);
        ma.put(slot, v);
      } else if (op < 8) {
        byte[] v = bytes(r, size(r));
        b.put(slot, v);
        mb.put(slot, v);
      } else if (op == 8) {
        a.clear(slot);
        ma.remove(slot);
      } else {
        a.take(slot, b); // as a commit moves a staged page to the base
        byte[] moved = mb.remove(slot);
        if (moved == null) {
          ma.remove(slot);
        } else {
          ma.put(slot, moved);
        }
      }
      if (arena.wantsCompaction()) {
        arena.compact(List.of(a, b));
        compactions++;
        assertEquals(0, arena.garbage());
      }
      assertTrue(arena.garbage() <= Math.max(4L * ByteArena.CHUNK + 70_000, arena.live() / 2 + 70_000), "garbage bounded");
    }
    assertTrue(compactions > 3, "compacted " + compactions + " times");
    same(ma, a, slots);
    same(mb, b, slots);
    java.util.function.ToLongFunction<byte[]> held = x -> x.length > ByteArena.LARGE ? x.length : x.length + ByteArena.varintSize(x.length);
    long live = ma.values().stream().mapToLong(held).sum() + mb.values().stream().mapToLong(held).sum();
    assertEquals(live, arena.live());
    b.clearAll();
    a.clearAll();
    assertEquals(0, arena.live());
  }

  /** A string that ends a chunk exactly: the next one must start the next chunk, not overwrite this one (odd chunks too). */
  @Test
  void stringsThatEndChunksExactlyDoNotOverwriteThem() {
    ByteArena arena = new ByteArena();
    SlotBytes col = new SlotBytes(arena);
    int per = ByteArena.CHUNK / 1024; // 1,022 bytes behind a 2-byte length: 1,024 strings fill a chunk to its last byte
    Map<Integer, byte[]> model = new HashMap<>();
    Random r = new Random(3);
    for (int s = 0; s < 4 * per + 10; s++) {
      byte[] v = bytes(r, 1022);
      col.put(s, v);
      model.put(s, v);
    }
    same(model, col, 4 * per + 10);
    arena.compact(List.of(col));
    same(model, col, 4 * per + 10);
    assertEquals(model.size() * 1024L, arena.live());
  }

  @Test
  void stringsFillChunksToTheEdgeAndTheFirstChunkGrowsFromSmall() {
    ByteArena arena = new ByteArena();
    SlotBytes col = new SlotBytes(arena);
    assertTrue(arena.bytes() < 1024, "an empty arena holds nothing");
    Map<Integer, byte[]> model = new HashMap<>();
    Random r = new Random(1);
    for (int s = 0; s < 30_000; s++) { // ~3 chunks of ~100-byte strings with 1- and 2-byte lengths
      byte[] v = bytes(r, 100 + r.nextInt(60));
      col.put(s, v);
      model.put(s, v);
    }
    same(model, col, 30_000);
    col.put(5, new byte[0]);
    assertArrayEquals(new byte[0], col.get(5));
    assertTrue(col.has(5), "an empty string is held, not none");
  }
}
