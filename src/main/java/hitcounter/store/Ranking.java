package hitcounter.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A page of the table's ranking: pages by total descending then id ascending, strictly after a
 * cursor, at most {@code limit}. One pass over the totals, O(pages · log limit), no object per
 * page. The caller holds the table's read lock.
 */
final class Ranking {
  private Ranking() {}

  /** The slots of the ranking page, best first. */
  static List<Integer> top(PageDictionary pages, long[] totals, String prefix, boolean bareOnly, int limit, TableListings.Cursor after) {
    // The "worst" row (lowest total, then highest id) on top of the heap.
    Comparator<long[]> worse = (x, y) -> {
      int c = Long.compare(x[0], y[0]);
      return c != 0 ? c : pages.compare((int) y[1], (int) x[1]);
    };
    PriorityQueue<long[]> heap = new PriorityQueue<>(limit + 1, worse);
    long floor = 0; // once the heap is full: rows below its least total cannot enter
    for (int slot = 0; slot < totals.length; slot++) {
      long t = totals[slot];
      if (t == 0 || t < floor) {
        continue;
      }
      if (after != null && (t > after.total() || (t == after.total() && pages.compare(slot, after.page()) <= 0))) {
        continue;
      }
      if (!prefix.isEmpty() && !pages.startsWith(slot, prefix)) {
        continue;
      }
      if (bareOnly && pages.sited(slot)) {
        continue;
      }
      if (heap.size() == limit) {
        long[] least = heap.peek();
        if (t == least[0] && pages.compare(slot, (int) least[1]) > 0) {
          continue;
        }
      }
      heap.add(new long[] {t, slot});
      if (heap.size() > limit) {
        heap.poll();
      }
      if (heap.size() == limit) {
        floor = heap.peek()[0];
      }
    }
    List<Integer> out = new ArrayList<>(heap.size());
    while (!heap.isEmpty()) {
      out.add((int) heap.poll()[1]);
    }
    Collections.reverse(out);
    return out;
  }
}
