package hitcounter.store;

import java.util.Arrays;

/**
 * Imported counts being staged by the table (decision 0015): {@code current} holds, per slot, the
 * largest count any version of the import being read gave the page (versions of one import merge
 * by max); {@code staged} the sum over the imports read so far. Two arrays over the slots, for the
 * time of one read. Guarded by the table's lock.
 */
final class ImportStaging {
  private long[] current;
  private long[] staged;

  ImportStaging(int capacity) {
    current = new long[capacity];
    staged = new long[capacity];
  }

  void max(int slot, long count) {
    if (count > current[slot]) {
      current[slot] = count;
    }
  }

  void endImport() {
    for (int slot = 0; slot < current.length; slot++) {
      staged[slot] += current[slot];
    }
    Arrays.fill(current, 0);
  }

  void dropCurrent() {
    Arrays.fill(current, 0);
  }

  /** Writes what was staged into {@code column}: in its place ({@code replace}) or added to it. */
  void commitInto(long[] column, boolean replace) {
    for (int slot = 0; slot < column.length; slot++) {
      long s = slot < staged.length ? staged[slot] : 0;
      column[slot] = replace ? s : column[slot] + s;
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
