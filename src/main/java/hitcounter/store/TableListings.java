package hitcounter.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Listings over the whole count table, each one pass over the totals it caches per version:
 * rankings ({@link Ranking}), how many pages match a prefix and their sum, pages per site, sums
 * per datacenter. Every figure is as shown (less resets).
 */
public final class TableListings {
  private final CountTable table;

  TableListings(CountTable table) {
    this.table = table;
  }

  /** One page's counts, by datacenter (datacenters with 0 included), and what of its total was imported. */
  public record Row(String page, Map<String, Long> byDatacenter, long imported, long total) {}

  /** Where a ranking page ended: the last row's total and id. */
  public record Cursor(long total, String page) {}

  /** Sum of every page's count as shown, per datacenter, and of imported counts under {@link CountTable#IMPORTED} when there are any. */
  public Map<String, Long> sums() {
    return sums(prefix -> true);
  }

  /**
   * {@link #sums()} over the pages of the default site and of the site prefixes ({@code
   * site~generation:}) {@code shown} accepts: a deleted site's pages left out, whose resets go
   * once every datacenter saw the delete (decision 0019), so every node sums the same.
   */
  public Map<String, Long> sums(java.util.function.Predicate<String> shown) {
    return table.read(() -> {
      boolean[] counted = counted(shown);
      Map<String, Long> out = new TreeMap<>();
      for (var e : table.columns.entrySet()) {
        long s = 0;
        for (int slot = 0; slot < counted.length; slot++) {
          s += counted[slot] ? table.baselines.shown(e.getKey(), slot, e.getValue().at(slot)) : 0;
        }
        out.put(e.getKey(), s);
      }
      return out;
    });
  }

  /** The pages of the default site and of the site prefixes {@code shown} accepts ({@link #sums(java.util.function.Predicate)}). */
  public int size(java.util.function.Predicate<String> shown) {
    return table.read(() -> {
      int n = 0;
      for (boolean c : counted(shown)) {
        n += c ? 1 : 0;
      }
      return n;
    });
  }

  /** Per slot, whether its page counts: the default site's always, a site's as {@code shown} says of its prefix (asked once per prefix). Under the read lock. */
  private boolean[] counted(java.util.function.Predicate<String> shown) {
    int n = table.pages.size();
    boolean[] out = new boolean[n];
    Map<String, Boolean> byPrefix = new java.util.HashMap<>();
    for (int slot = 0; slot < n; slot++) {
      out[slot] = !table.pages.sited(slot) || byPrefix.computeIfAbsent(table.pages.sitePrefix(slot), shown::test);
    }
    return out;
  }

  /** A page of the ranking of pages whose id starts with {@code prefix} ({@link Ranking}). */
  public List<Row> top(String prefix, int limit, Cursor after) {
    return top(prefix, false, limit, after);
  }

  /** As {@link #top(String, int, Cursor)}; {@code bareOnly}: only ids without a site (the default site's pages). */
  public List<Row> top(String prefix, boolean bareOnly, int limit, Cursor after) {
    return table.read(() -> {
      long[] t = table.totalsNow();
      List<Row> out = new ArrayList<>();
      for (int slot : Ranking.top(table.pages, t, prefix, bareOnly, limit, after)) {
        out.add(new Row(table.pages.page(slot), byDatacenter(slot), imported(slot), t[slot]));
      }
      return out;
    });
  }

  /** How many pages have a non-zero total and start with {@code prefix}. */
  public int count(String prefix) {
    return count(prefix, false);
  }

  /** As {@link #count(String)}; {@code bareOnly}: only ids without a site. */
  public int count(String prefix, boolean bareOnly) {
    return (int) matching(prefix, bareOnly)[0];
  }

  /** The sum of the totals of the pages that start with {@code prefix} ({@code bareOnly}: only ids without a site). */
  public long sum(String prefix, boolean bareOnly) {
    return matching(prefix, bareOnly)[1];
  }

  /** {pages, sum of their totals} over the pages with a non-zero total that start with {@code prefix}. */
  private long[] matching(String prefix, boolean bareOnly) {
    return table.read(() -> {
      long[] t = table.totalsNow();
      long count = 0;
      long sum = 0;
      for (int slot = 0; slot < t.length; slot++) {
        if (t[slot] != 0 && (prefix.isEmpty() || table.pages.startsWith(slot, prefix)) && (!bareOnly || !table.pages.sited(slot))) {
          count++;
          sum += t[slot];
        }
      }
      return new long[] {count, sum};
    });
  }

  /** Up to {@code max} rows of pages with a non-zero total that start with {@code prefix}, from slot {@code from} on, and the slot to go on from (-1: done). */
  public record Chunk(List<Row> rows, int next) {}

  /**
   * A chunk of every page that starts with {@code prefix} ({@code bareOnly}: the default site's),
   * in slot order: an export reads the table a chunk at a time, holding the lock for one chunk
   * and the memory of one chunk, whatever the number of pages.
   */
  public Chunk chunk(String prefix, boolean bareOnly, int from, int max) {
    // Each slot's total is summed here, not taken from the cached totals: those are made again
    // after every write, a whole table's worth per chunk under the lock while hits come in.
    return table.read(() -> {
      int n = table.pages.size();
      List<Row> out = new ArrayList<>();
      int slot = Math.max(0, from);
      for (; slot < n && out.size() < max; slot++) {
        if ((prefix.isEmpty() || table.pages.startsWith(slot, prefix)) && (!bareOnly || !table.pages.sited(slot))) {
          Map<String, Long> byDc = byDatacenter(slot);
          long imported = imported(slot);
          long total = byDc.values().stream().mapToLong(Long::longValue).sum() + imported;
          if (total != 0) {
            out.add(new Row(table.pages.page(slot), byDc, imported, total));
          }
        }
      }
      return new Chunk(out, slot >= n ? -1 : slot);
    });
  }

  /** The counts of {@code slot} as shown (less resets), by datacenter (imports apart). Under the table's read lock. */
  private Map<String, Long> byDatacenter(int slot) {
    Map<String, Long> byDc = new TreeMap<>();
    table.columns.forEach((dc, c) -> {
      if (!dc.equals(CountTable.IMPORTED)) {
        byDc.put(dc, table.baselines.shown(dc, slot, c.at(slot)));
      }
    });
    return byDc;
  }

  /** The imported count of {@code slot} as shown. Under the table's read lock. */
  private long imported(int slot) {
    CountColumn c = table.columns.get(CountTable.IMPORTED);
    return c == null ? 0 : table.baselines.shown(CountTable.IMPORTED, slot, c.at(slot));
  }

  /** Pages with a non-zero total, per site prefix (what a counted id holds before its colon, {@code ""} for the default site), in one pass. */
  public Map<String, Integer> pagesBySite() {
    return table.read(() -> {
      long[] t = table.totalsNow();
      Map<Long, String> names = new HashMap<>();
      Map<String, Integer> out = new TreeMap<>();
      for (int slot = 0; slot < t.length; slot++) {
        if (t[slot] != 0) {
          long h = table.pages.sited(slot) ? table.pages.siteHash(slot) : 0;
          int at = slot;
          out.merge(names.computeIfAbsent(h, x -> table.pages.sitePrefix(at)), 1, Integer::sum);
        }
      }
      return out;
    });
  }

}
