package hitcounter.store;

import java.util.Arrays;

/**
 * One datacenter's counts over the table's slots: {@code base} (from its snapshot shards) and
 * {@code pending} (from its journal entries not yet folded); a page's count there is base +
 * pending. {@code staged} holds a snapshot being installed (null otherwise). Guarded by the
 * table's lock.
 */
final class CountColumn {
  long[] base;
  long[] pending;
  long[] staged;

  CountColumn(int capacity) {
    base = new long[capacity];
    pending = new long[capacity];
  }

  long at(int slot) {
    return slot < base.length ? base[slot] + pending[slot] : 0;
  }

  /** Makes room for {@code needed} slots (doubling). */
  void grow(int needed) {
    if (base.length >= needed) {
      return;
    }
    int capacity = Math.max(needed, base.length * 2);
    base = Arrays.copyOf(base, capacity);
    pending = Arrays.copyOf(pending, capacity);
    if (staged != null) {
      staged = Arrays.copyOf(staged, capacity);
    }
  }
}
