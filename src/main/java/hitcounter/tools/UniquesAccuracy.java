package hitcounter.tools;

import hitcounter.ingest.VisitorHash;
import hitcounter.store.CountsCodec;
import hitcounter.store.PageStats;
import hitcounter.store.StatsQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The cross-datacenter error of unique visitors, through the production code: N distinct
 * visitors (an address and a User-Agent each), 60% of them seen in us-west and 60% in eu-west
 * (a fifth in both), hashed with a random salt ({@link VisitorHash}), put into each datacenter's
 * day sketch as a journal entry would ({@link PageStats.Builder}, {@link CountsCodec}), united
 * as an answer does ({@link StatsQuery#uniques}). Prints, per N, the relative error of each seed
 * and their median.
 *
 * <pre>UniquesAccuracy [--visitors 300,10000,1000000] [--seeds 5] [--user-agents FILE]</pre>
 */
public final class UniquesAccuracy {
  private UniquesAccuracy() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int seeds = Integer.parseInt(a.getOrDefault("seeds", "5"));
    List<String> agents = a.containsKey("user-agents") ? Files.readAllLines(Path.of(a.get("user-agents"))) : List.of("Mozilla/5.0");
    for (String n : a.getOrDefault("visitors", "300,10000,1000000").split(",")) {
      int visitors = Integer.parseInt(n);
      double[] errors = new double[seeds];
      List<String> shown = new ArrayList<>();
      for (int seed = 1; seed <= seeds; seed++) {
        Random r = new Random(seed);
        byte[] salt = new byte[16];
        r.nextBytes(salt);
        int day = 20_000;
        PageStats.Builder us = new PageStats.Builder();
        PageStats.Builder eu = new PageStats.Builder();
        int cut = (int) (visitors * 0.6);
        for (int v = 0; v < visitors; v++) {
          long ip = ((long) seed << 21) | v;
          String client = "10." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255);
          long h = VisitorHash.of(salt, client, agents.get(Math.floorMod(v * 31 + seed, agents.size())));
          if (v < cut) {
            us.visitor(day, h);
          }
          if (v >= visitors - cut) {
            eu.visitor(day, h);
          }
        }
        Map<String, PageStats> byDc = Map.of("us-west", viaEntry(us.done()), "eu-west", viaEntry(eu.done()));
        long estimate = StatsQuery.uniques(byDc, day).total();
        errors[seed - 1] = Math.abs(estimate - visitors) / (double) visitors;
        shown.add(String.format("%.2f%%", 100 * errors[seed - 1]));
      }
      double[] sorted = errors.clone();
      Arrays.sort(sorted);
      System.out.printf("visitors %d: relative error per seed %s; median %.2f%%%n", visitors, shown, 100 * sorted[seeds / 2]);
    }
  }

  /** The stats as a reader gets them: encoded into a journal entry and decoded. */
  private static PageStats viaEntry(PageStats s) {
    byte[] entry = CountsCodec.encode(CountsCodec.ENTRY, Map.of(), Map.of("page", s));
    return PageStats.decode(CountsCodec.decodeAll(CountsCodec.ENTRY, entry).stats().get("page"));
  }
}
