package hitcounter.count;

import static org.junit.jupiter.api.Assertions.*;

import hitcounter.count.QueueLedger.BatchJob;
import hitcounter.page.JobCodec;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.PageStats;
import hitcounter.store.QueueHead;
import hitcounter.store.StatsQuery;
import hitcounter.store.StatsRetention;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Analytics through the count store: a batch of format-3 hits becomes one journal entry with
 * counts and stats; the table shows bots apart, uniques united across datacenters, series per
 * bucket; a fold writes them into shards another table reads back the same; days past
 * yesterday keep their united estimate only.
 */
class AnalyticsStoreTest {
  private static final long MINUTE = 29_400_000L; // 2025-11-25
  private static final int DAY = (int) (MINUTE / 1440);

  private static byte[] entry(String dc, List<JobCodec.Hit> hits) {
    QueueLedger ledger = QueueLedger.empty(dc, "q0");
    List<String> humans = hits.stream().filter(h -> !h.bot()).map(JobCodec.Hit::page).toList();
    QueueLedger.Commit c = ledger.plan(List.of(new BatchJob(1, "s", humans, -1, hits)), Set.of(), 192 * 1024);
    assertEquals(hits.size(), c.countedHits(), "every hit is counted once in the head, bots too");
    return c.ops().get(1).value();
  }

  private static List<JobCodec.Hit> visitors(String page, long from, int n) {
    List<JobCodec.Hit> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new JobCodec.Hit(page, MINUTE, from + i, false));
    }
    return out;
  }

  @Test
  void botsApartUniquesUnitedSeriesPerBucket() {
    CountTable t = new CountTable();
    List<JobCodec.Hit> us = new ArrayList<>(visitors("home", 1, 300));
    us.add(new JobCodec.Hit("home", MINUTE, 0, true));
    us.add(new JobCodec.Hit("bot-only", MINUTE + 61, 0, true));
    us.add(JobCodec.Hit.plain("home")); // format 2: counted, no analytics
    assertEquals(303, t.addEntry("us-west", entry("us-west", us), h -> {}));
    // eu-west saw 200 visitors, 100 of them the same as us-west's.
    t.addEntry("eu-west", entry("eu-west", visitors("home", 201, 200)), h -> {});
    assertEquals(301 + 200, t.totalOf("home"), "bots are not in the total");
    Map<String, PageStats> home = t.stats("home");
    assertEquals(1, StatsQuery.bots(home));
    assertEquals(1, StatsQuery.bots(t.stats("bot-only")));
    assertEquals(0, t.totalOf("bot-only"));
    StatsQuery.Uniques u = StatsQuery.uniques(home, DAY);
    assertEquals(400, u.total(), 4, "united: 300 + 200 - 100 shared");
    assertEquals(300, u.datacenters().get("us-west"), 3);
    assertEquals(200, u.datacenters().get("eu-west"), 2);
    Map<String, PageStats> site = t.stats(PageStats.siteKey(""));
    List<StatsQuery.Point> minutes = StatsQuery.series(site, PageStats.MINUTE, MINUTE, MINUTE + 61);
    assertEquals(500, minutes.get(0).hits());
    assertEquals(1, minutes.get(0).bots());
    assertEquals(1, minutes.get(61).bots());
    assertEquals(500, StatsQuery.series(home, PageStats.DAY, DAY, DAY).get(0).hits());
  }

  @Test
  void aFoldKeepsStatsAndFoldsOldDaysIntoTheirUnitedEstimate() {
    CountTable t = new CountTable();
    t.addEntry("us-west", entry("us-west", visitors("home", 1, 50)), h -> {});
    t.addEntry("eu-west", entry("eu-west", visitors("home", 41, 50)), h -> {});
    // A fold on the same day: sketches kept.
    t.retention(() -> new StatsRetention((long) DAY * 1440 + 720, 30, 48));
    hitcounter.store.Collected c = t.collect("us-west", List.of(new long[] {0, 0})).get(0);
    byte[] shard = CountsCodec.encodeEncoded(CountsCodec.SHARD, Map.of("home", 50L), c.stats());
    CountTable reader = new CountTable();
    reader.clearStaged("us-west");
    reader.stageShard("us-west", shard);
    reader.commitSnapshot("us-west", List.<long[]>of(new long[] {0, 0}), List.of(), h -> {});
    assertEquals(50, StatsQuery.uniques(reader.stats("home"), DAY).total(), 1);
    assertEquals(50, reader.totalOf("home"));
    // Three days later: the sketch is folded into the estimate of both datacenters' union (90).
    t.retention(() -> new StatsRetention((long) (DAY + 3) * 1440 + 720, 30, 48));
    c = t.collect("us-west", List.of(new long[] {0, 0})).get(0);
    PageStats folded = PageStats.decode(c.stats().get("home"));
    assertNull(folded.sketch(DAY));
    assertEquals(90, folded.folded(DAY), 1);
    assertEquals(50, StatsQuery.series(Map.of("us-west", folded), PageStats.DAY, DAY, DAY).get(0).hits());
    // The site's minutes are gone after 24 h, its hours kept for 48 h here.
    PageStats site = PageStats.decode(c.stats().get(PageStats.siteKey("")));
    assertEquals(0, site.at(PageStats.MINUTE, MINUTE)[0]);
    assertEquals(0, site.at(PageStats.HOUR, MINUTE / 60)[0], "48 h of hours: three days ago is gone");
    assertEquals(50, site.at(PageStats.DAY, DAY)[0]);
    // A key bots alone hit goes when its days do (bots count over the days kept).
    t.addEntry("us-west", entry("us-west", List.of(new JobCodec.Hit("bot-page", MINUTE, 0, true))), h -> {});
    assertEquals(1, PageStats.decode(t.collect("us-west", List.of(new long[] {0, 0})).get(0).stats().get("bot-page")).bots());
    t.retention(() -> new StatsRetention((long) (DAY + 40) * 1440, 30, 48));
    assertNull(t.collect("us-west", List.of(new long[] {0, 0})).get(0).stats().get("bot-page"));
  }

  @Test
  void statsOfPagesAreNamedByTheirPositionOthersInFull() {
    PageStats.Builder b = new PageStats.Builder();
    b.human(PageStats.DAY, DAY);
    b.visitor(DAY, 42);
    PageStats s = b.done();
    Map<String, PageStats> stats = Map.of("b", s, "c-bot-only", s, PageStats.siteKey(""), s);
    byte[] v = CountsCodec.encode(CountsCodec.ENTRY, Map.of("a", 1L, "b", 2L), stats);
    CountsCodec.Decoded d = CountsCodec.decodeAll(CountsCodec.ENTRY, v);
    assertEquals(Map.of("a", 1L, "b", 2L), d.counts());
    assertEquals(stats.keySet(), d.stats().keySet());
    assertEquals(1, StatsQuery.uniques(Map.of("x", PageStats.decode(d.stats().get("b"))), DAY).total());
    assertThrows(CountsCodec.BadValue.class, () -> CountsCodec.decodeAll(CountsCodec.SHARD, v), "a value of another kind");
  }
}
