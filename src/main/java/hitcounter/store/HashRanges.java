package hitcounter.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Disjoint ranges of page hashes [lo, hi) in unsigned order (hi 0: to the end), sorted by lo,
 * and which of them holds a hash, by binary search.
 */
final class HashRanges {
  private final List<long[]> ranges;
  private final long[] los;

  HashRanges(List<long[]> ranges) {
    this.ranges = new ArrayList<>(ranges);
    this.ranges.sort((x, y) -> Long.compareUnsigned(x[0], y[0]));
    los = new long[this.ranges.size()];
    for (int i = 0; i < los.length; i++) {
      los[i] = this.ranges.get(i)[0];
    }
  }

  /** The ranges, in lo order. */
  List<long[]> ranges() {
    return ranges;
  }

  /** The index (in lo order) of the range holding {@code h}, or -1. */
  int indexOf(long h) {
    int r = floor(h);
    return r >= 0 && inRange(h, los[r], ranges.get(r)[1]) ? r : -1;
  }

  boolean holds(long h) {
    return indexOf(h) >= 0;
  }

  /** Hash range [lo, hi) in unsigned order; hi == 0 means up to the end. */
  static boolean inRange(long h, long lo, long hi) {
    return Long.compareUnsigned(h, lo) >= 0 && (hi == 0 || Long.compareUnsigned(h, hi) < 0);
  }

  /** The index of the last lo (unsigned) at or below {@code h}, or -1. */
  private int floor(long h) {
    int lo = 0;
    int hi = los.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(los[mid], h) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
