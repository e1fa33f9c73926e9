package hitcounter.store;

import java.util.Arrays;

/**
 * A count per slot of the table's dictionary, in 4 bytes a slot until one count leaves the
 * range of an {@code int}, then in 8 for every slot (a page counted 2^31 times between two
 * folds, or in all, is rare; the 4 bytes a slot are saved on every column of every datacenter
 * until then, 8 MB at a million pages and two datacenters). Never wraps: a value that does not
 * fit widens the array first; it stays wide until {@link #clear} (a pending column at each
 * commit; a base column keeps its 8 bytes). Guarded by the table's lock.
 */
final class CountArray {
  private int[] narrow;
  private long[] wide;

  CountArray(int capacity) {
    narrow = new int[capacity];
  }

  int length() {
    return wide != null ? wide.length : narrow.length;
  }

  long get(int slot) {
    return wide != null ? wide[slot] : narrow[slot];
  }

  void set(int slot, long value) {
    if (wide == null) {
      if (value == (int) value) {
        narrow[slot] = (int) value;
        return;
      }
      widen();
    }
    wide[slot] = value;
  }

  void add(int slot, long delta) {
    set(slot, get(slot) + delta);
  }

  /** Every slot back to 0 (and to 4 bytes a slot). */
  void clear() {
    if (wide != null) {
      narrow = new int[wide.length];
      wide = null;
    } else {
      Arrays.fill(narrow, 0);
    }
  }

  void grow(int capacity) {
    if (capacity <= length()) {
      return;
    }
    if (wide != null) {
      wide = Arrays.copyOf(wide, capacity);
    } else {
      narrow = Arrays.copyOf(narrow, capacity);
    }
  }

  boolean isWide() {
    return wide != null;
  }

  long bytes() {
    return 16L + (wide != null ? 8L * wide.length : 4L * narrow.length);
  }

  private void widen() {
    long[] w = new long[narrow.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = narrow[i];
    }
    wide = w;
    narrow = null;
  }
}
