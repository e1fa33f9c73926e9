package hitcounter.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Figures read from the analytics of one key in every datacenter ({@link CountTable#stats}). */
public final class StatsQuery {
  private StatsQuery() {}

  /** Unique visitors of one day: across datacenters (sketches united) and per datacenter. */
  public record Uniques(long total, Map<String, Long> datacenters) {}

  /** One bucket of a series, summed over datacenters; {@code uniques} only for day buckets (-1 otherwise). */
  public record Point(long index, long hits, long bots, long uniques) {}

  public static Uniques uniques(Map<String, PageStats> byDc, int day) {
    Map<String, Long> per = new TreeMap<>();
    byte[] union = null;
    long folded = 0;
    for (var e : byDc.entrySet()) {
      byte[] s = e.getValue().sketch(day);
      Long f = e.getValue().folded(day);
      if (s != null) {
        per.put(e.getKey(), PageStats.estimate(s));
        union = union == null ? s : PageStats.union(union, s);
      } else {
        per.put(e.getKey(), 0L);
      }
      if (f != null) {
        folded = Math.max(folded, f);
      }
    }
    return new Uniques(Math.max(folded, union == null ? 0 : PageStats.estimate(union)), per);
  }

  public static long bots(Map<String, PageStats> byDc) {
    return byDc.values().stream().mapToLong(PageStats::bots).sum();
  }

  /** Buckets {@code from}..{@code to} (inclusive) of {@code step}, zeros where nothing was counted; uniques for day buckets. */
  public static List<Point> series(Map<String, PageStats> byDc, int step, long from, long to) {
    return series(byDc, step, from, to, step == PageStats.DAY);
  }

  /** As above; {@code withUniques} false leaves uniques out (-1) and unites no sketch. */
  public static List<Point> series(Map<String, PageStats> byDc, int step, long from, long to, boolean withUniques) {
    List<Point> out = new ArrayList<>((int) Math.max(0, to - from + 1));
    for (long i = from; i <= to; i++) {
      long hits = 0;
      long bots = 0;
      for (PageStats s : byDc.values()) {
        long[] v = s.at(step, i);
        hits += v[0];
        bots += v[1];
      }
      out.add(new Point(i, hits, bots, withUniques ? uniques(byDc, (int) i).total() : -1));
    }
    return out;
  }
}
