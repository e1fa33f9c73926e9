package hitcounter.store;

import java.util.Arrays;

/** A growable list of (slot, count) pairs in two primitive arrays: what a fold collects of one range, 12 bytes a page. */
final class SlotCounts {
  private int[] slots = new int[16];
  private long[] counts = new long[16];
  private int size;

  void add(int slot, long count) {
    if (size == slots.length) {
      slots = Arrays.copyOf(slots, size * 2);
      counts = Arrays.copyOf(counts, size * 2);
    }
    slots[size] = slot;
    counts[size] = count;
    size++;
  }

  int[] slots() {
    return Arrays.copyOf(slots, size);
  }

  long[] counts() {
    return Arrays.copyOf(counts, size);
  }
}
