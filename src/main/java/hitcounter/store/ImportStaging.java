package hitcounter.store;

import java.util.Arrays;

/**
 * Changes to the imported counts being staged by the table (decision 0015): {@code current} what
 * the version being read adds (or, read to be taken back, removes) per slot; {@code staged} the
 * sum over the versions read whole so far. Two arrays over the slots, for the time of one load.
 * Guarded by the table's lock.
 */
final class ImportStaging {
  private long[] current;
  private long[] staged;

  ImportStaging(int capacity) {
    current = new long[capacity];
    staged = new long[capacity];
  }

  void add(int slot, long delta) {
    current[slot] += delta;
  }

  void endVersion() {
    for (int slot = 0; slot < current.length; slot++) {
      staged[slot] += current[slot];
    }
    Arrays.fill(current, 0);
  }

  void dropCurrent() {
    Arrays.fill(current, 0);
  }

  /** Adds what was staged to {@code column}. */
  void commitInto(CountArray column) {
    for (int slot = 0; slot < column.length() && slot < staged.length; slot++) {
      if (staged[slot] != 0) {
        column.add(slot, staged[slot]);
      }
    }
  }

  void grow(int needed) {
    if (current.length < needed) {
      int capacity = Math.max(needed, current.length * 2);
      current = Arrays.copyOf(current, capacity);
      staged = Arrays.copyOf(staged, capacity);
    }
  }
}
