package hitcounter.tools;

import hitcounter.store.CountsCodec;
import hitcounter.store.PageHash;
import hitcounter.store.PageStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * What the analytics of a site hold in one datacenter's store at steady state, built with the
 * production code and measured in the encoded shards a fold writes: every one of {@code pages}
 * pages hit every day, {@code visits} page-visitor pairs a day spread over the pages by Zipf
 * (s = 1), one datacenter's share of the site; kept as a fold keeps it ({@link PageStats}):
 * {@code days} day buckets, today's and yesterday's sketches, folded estimates for the other
 * days; the site's minutes, hours and days. Shards are cut at 192 KiB as the folder cuts them.
 *
 * <pre>AnalyticsFootprint [--pages 100000] [--visits 1000000] [--days 90] [--hours 2160]</pre>
 */
public final class AnalyticsFootprint {
  private AnalyticsFootprint() {}

  public static void main(String[] args) {
    Map<String, String> a = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int pages = Integer.parseInt(a.getOrDefault("pages", "100000"));
    long visits = Long.parseLong(a.getOrDefault("visits", "1000000"));
    int days = Integer.parseInt(a.getOrDefault("days", "90"));
    int hours = Integer.parseInt(a.getOrDefault("hours", "2160"));
    int today = 20_000;
    // Zipf shares of the day's visits.
    double[] share = new double[pages];
    double norm = 0;
    for (int i = 0; i < pages; i++) {
      norm += 1.0 / (i + 1);
    }
    for (int i = 0; i < pages; i++) {
      share[i] = 1.0 / (i + 1) / norm;
    }
    Random r = new Random(1);
    Map<String, PageStats> stats = new HashMap<>();
    Map<String, Long> counts = new HashMap<>();
    long sketchBytes = 0;
    for (int i = 0; i < pages; i++) {
      String page = PageIds.id(i);
      long perDay = Math.max(1, Math.round(visits * share[i]));
      PageStats.Builder b = new PageStats.Builder();
      for (int d = today - days + 1; d <= today; d++) {
        for (long k = 0; k < Math.min(perDay, 3); k++) {
          b.human(PageStats.DAY, d); // a bucket per day; its value's size hardly depends on it
        }
        if (d >= today - 1) {
          for (long k = 0; k < perDay; k++) {
            b.visitor(d, r.nextLong());
          }
        }
      }
      PageStats s = b.done();
      s.add(folded(today, days, perDay));
      sketchBytes += s.sketch(today).length + s.sketch(today - 1).length;
      stats.put(page, s);
      counts.put(page, perDay * days);
    }
    PageStats.Builder site = new PageStats.Builder();
    long now = (long) today * 1440 + 1439;
    for (long m = now - 1439; m <= now; m++) {
      site.human(PageStats.MINUTE, m);
      site.bot(PageStats.MINUTE, m);
    }
    for (long h = now / 60 - hours + 1; h <= now / 60; h++) {
      site.human(PageStats.HOUR, h);
    }
    for (int d = today - days + 1; d <= today; d++) {
      site.human(PageStats.DAY, d);
      if (d >= today - 1) {
        for (int k = 0; k < 20_000; k++) {
          site.visitor(d, r.nextLong());
        }
      }
    }
    PageStats siteStats = site.done();
    siteStats.add(folded(today, days, 50_000));
    stats.put(PageStats.siteKey(""), siteStats);

    // Shards: keys by hash, cut when the encoded value would pass 192 KiB.
    List<String> keys = new ArrayList<>(stats.keySet());
    keys.sort((x, y) -> Long.compareUnsigned(PageHash.of(x), PageHash.of(y)));
    long total = 0;
    long countsOnly = 0;
    int shards = 0;
    int from = 0;
    int step = 512;
    while (from < keys.size()) {
      int to = Math.min(keys.size(), from + step);
      byte[] v = encode(keys.subList(from, to), counts, stats, true);
      while (v.length > 192 * 1024 && to - from > 1) {
        to = from + (to - from) / 2;
        v = encode(keys.subList(from, to), counts, stats, true);
      }
      total += v.length;
      countsOnly += encode(keys.subList(from, to), counts, stats, false).length;
      shards++;
      from = to;
    }
    System.out.printf(
        "pages %d, visits/day %d, days %d: shards %d, %.1f MB in one datacenter's store (counts alone %.1f MB; today's and yesterday's sketches %.1f MB raw); "
            + "with the other datacenter's copy %.1f MB per Consul%n",
        pages, visits, days, shards, total / 1e6, countsOnly / 1e6, sketchBytes / 1e6, 2 * total / 1e6);
  }

  /** Folded estimates of the days before yesterday. */
  private static PageStats folded(int today, int days, long perDay) {
    return PageStats.withFolded(new PageStats(), today - days + 1, today - 2, perDay);
  }

  private static byte[] encode(List<String> keys, Map<String, Long> counts, Map<String, PageStats> stats, boolean withStats) {
    Map<String, Long> c = new HashMap<>();
    Map<String, PageStats> s = new HashMap<>();
    for (String k : keys) {
      if (counts.containsKey(k)) {
        c.put(k, counts.get(k));
      }
      if (withStats) {
        s.put(k, stats.get(k));
      }
    }
    return CountsCodec.encode(CountsCodec.SHARD, c, s);
  }
}
