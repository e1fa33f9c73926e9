package hitcounter.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One range's analytics for a fold: pages' by slot (no names, no map nodes, no array per page:
 * a million of them at a time, in an arena the ranges of one collection share), sites' by key.
 */
record RangeStats(int[] slots, int[] refs, ByteArena arena, Map<String, byte[]> sites) {
  /** The stats of the {@code i}th page (a copy). */
  byte[] bytes(int i) {
    return arena.read(refs[i]);
  }

  static final class Builder {
    private final ByteArena arena;
    private int[] slots = new int[16];
    private int[] refs = new int[16];
    private int n;
    final Map<String, byte[]> sites = new HashMap<>();

    Builder(ByteArena arena) {
      this.arena = arena;
    }

    void page(int slot, byte[] b) {
      if (n == slots.length) {
        slots = Arrays.copyOf(slots, n * 2);
        refs = Arrays.copyOf(refs, n * 2);
      }
      slots[n] = slot;
      refs[n++] = arena.append(b);
    }

    RangeStats done() {
      return new RangeStats(Arrays.copyOf(slots, n), Arrays.copyOf(refs, n), arena, sites);
    }
  }
}
