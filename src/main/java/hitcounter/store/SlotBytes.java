package hitcounter.store;

import java.util.Arrays;

/**
 * A byte string per slot of the table's dictionary (or none), stored in a {@link ByteArena}
 * it may share with other columns: one {@code int} per slot and the bytes themselves, no
 * array per page. Not thread-safe: its owner's lock guards it.
 */
final class SlotBytes {
  private final ByteArena arena;
  private int[] refs = new int[0];
  private int count;

  SlotBytes(ByteArena arena) {
    this.arena = arena;
  }

  ByteArena arena() {
    return arena;
  }

  /** Slots this column has room for (any slot past it holds nothing). */
  int capacity() {
    return refs.length;
  }

  boolean has(int slot) {
    return slot >= 0 && slot < refs.length && refs[slot] != 0;
  }

  /** A copy of the bytes of {@code slot}, or null. */
  byte[] get(int slot) {
    return has(slot) ? arena.read(refs[slot]) : null;
  }

  /** Sets the bytes of {@code slot} ({@code null}: none); the old ones become garbage. */
  void put(int slot, byte[] b) {
    if (b == null) {
      clear(slot);
      return;
    }
    fit(slot);
    int ref = arena.append(b);
    if (refs[slot] != 0) {
      arena.free(refs[slot]);
    } else {
      count++;
    }
    refs[slot] = ref;
  }

  void clear(int slot) {
    if (has(slot)) {
      arena.free(refs[slot]);
      refs[slot] = 0;
      count--;
    }
  }

  /** Moves the bytes of {@code slot} of {@code from} (same arena) here, replacing ours; {@code from} no longer holds them. */
  void take(int slot, SlotBytes from) {
    if (from.arena != arena) {
      throw new IllegalArgumentException("columns of different arenas");
    }
    if (!from.has(slot)) {
      clear(slot);
      return;
    }
    fit(slot);
    if (refs[slot] != 0) {
      arena.free(refs[slot]);
    } else {
      count++;
    }
    refs[slot] = from.refs[slot];
    from.refs[slot] = 0;
    from.count--;
  }

  /** Frees every string this column holds. */
  void clearAll() {
    for (int i = 0; i < refs.length; i++) {
      if (refs[i] != 0) {
        arena.free(refs[i]);
      }
    }
    refs = new int[0];
    count = 0;
  }

  /** Slots that hold bytes. */
  int count() {
    return count;
  }

  /** Bytes of the slot index (the strings are the arena's). */
  long bytes() {
    return 16L + 4L * refs.length;
  }

  /** For {@link ByteArena#compact}: puts {@code (ref - 1) << 32 | user << 31 | slot} of each string in a chunk into {@code out} from {@code n}; answers the new end. */
  int positions(int user, long[] out, int n) {
    for (int i = 0; i < refs.length; i++) {
      if (refs[i] > 0) {
        out[n++] = (long) (refs[i] - 1) << 32 | (long) user << 31 | i;
      }
    }
    return n;
  }

  /** For {@link ByteArena#compact}: each slot holding a large string (negative ref). */
  void eachLarge(java.util.function.BiConsumer<Integer, Integer> slotAndRef) {
    for (int i = 0; i < refs.length; i++) {
      if (refs[i] < 0) {
        slotAndRef.accept(i, refs[i]);
      }
    }
  }

  /** For {@link ByteArena#compact}: the string of {@code slot} now has {@code ref}. */
  void moved(int slot, int ref) {
    refs[slot] = ref;
  }

  private void fit(int slot) {
    if (slot >= refs.length) {
      refs = Arrays.copyOf(refs, Math.max(slot + 1, Math.max(1024, refs.length * 2)));
    }
  }
}
