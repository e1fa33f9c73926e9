package hitcounter.store;

import java.util.ArrayList;
import java.util.List;

/**
 * What a fold takes from the count table: one datacenter's non-zero counts and analytics, per
 * hash range, in one pass under the read lock; pages and site stats of gone generations are left
 * out (decision 0019), so the rewritten shards no longer hold them.
 */
final class FoldCollection {
  private FoldCollection() {}

  static List<Collected> collect(CountTable table, Insights insights, String dc, List<long[]> ranges, StatsRetention retention, GonePrefixes goneNow) {
    GonePrefixes.Pass gone = goneNow.pass();
    HashRanges sorted = new HashRanges(ranges);
    List<Collected> out = new ArrayList<>(ranges.size());
    if (ranges.isEmpty()) {
      return out;
    }
    List<SlotCounts> found = new ArrayList<>();
    sorted.ranges().forEach(r -> found.add(new SlotCounts()));
    List<RangeStats> stats = table.read(() -> {
      List<RangeStats> st = insights.collect(dc, ranges.size(), sorted::indexOf, retention, gone);
      CountColumn c = table.columns.get(dc);
      int n = c == null ? 0 : table.pages.size();
      for (int slot = 0; slot < n; slot++) {
        long count = c.at(slot);
        int r = count == 0 ? -1 : sorted.indexOf(table.pages.hash(slot));
        if (r >= 0 && !gone.slot(table.pages, slot)) {
          found.get(r).add(slot, count);
        }
      }
      return st;
    });
    for (int i = 0; i < found.size(); i++) {
      long[] r = sorted.ranges().get(i);
      RangeStats st = stats.get(i);
      out.add(new Collected(r[0], r[1], found.get(i).slots(), found.get(i).counts(), st.slots(), st::bytes, st.sites(),
          slot -> table.read(() -> table.pages.page(slot))));
    }
    return out;
  }

  /**
   * The keys of {@code dc} its snapshot holds (a base count or base stats) that {@code gone} says
   * are gone: their hashes to {@code hash}; how many. What only the journal holds is not asked:
   * its shard is dirty already, and every fold leaves it out.
   */
  static int gone(CountTable table, Insights insights, String dc, GonePrefixes.Pass gone, java.util.function.LongConsumer hash) {
    return table.read(() -> {
      int found = 0;
      CountColumn c = table.columns.get(dc);
      int n = c == null ? 0 : table.pages.size();
      for (int slot = 0; slot < n; slot++) {
        if (slot < c.base.length() && c.base.get(slot) != 0 && gone.slot(table.pages, slot)) {
          hash.accept(table.pages.hash(slot));
          found++;
        }
      }
      return found + insights.gone(dc, gone, hash);
    });
  }
}
