package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.count.QueueLedger.BatchJob;
import hitcounter.page.JobCodec;
import hitcounter.page.Referral;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.PageStats;
import hitcounter.store.Referrals;
import hitcounter.store.StatsRetention;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A visit's referral, from the job line to a site's stats in every datacenter, through entries, folds and format 2. */
class ReferralsStoreTest {
  private static final long MINUTE = 29_400_000L;
  private static final int DAY = (int) (MINUTE / 1440);

  private static byte[] entry(String dc, List<JobCodec.Hit> hits) {
    List<String> humans = hits.stream().filter(h -> !h.bot()).map(JobCodec.Hit::page).toList();
    return QueueLedger.empty(dc, "q0").plan(List.of(new BatchJob(1, "s", humans, -1, hits)), Set.of(), 192 * 1024).ops().get(1).value();
  }

  private static JobCodec.Hit visit(String page, long visitor, Referral r) {
    return new JobCodec.Hit(page, MINUTE, visitor, false).with(r);
  }

  @Test
  void referralsAreSummedAcrossDatacentersAndSurviveAFold() {
    CountTable t = new CountTable();
    List<JobCodec.Hit> us = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      us.add(visit("blog~1:/a", i + 1, new Referral("news.ycombinator.com", i < 10 ? "hn" : null, null, null)));
    }
    us.add(visit("blog~1:/a", 99, Referral.NONE));
    t.addEntry("us-west", entry("us-west", us), h -> {});
    t.addEntry("eu-west", entry("eu-west", List.of(visit("blog~1:/b", 7, new Referral("google.com", "news", "email", "launch")))), h -> {});
    Map<String, PageStats> site = t.stats(PageStats.siteKey("blog~1:"));
    assertEquals(30, site.get("us-west").referrals(DAY).of(0).get("news.ycombinator.com"));
    assertEquals(10, site.get("us-west").referrals(DAY).of(1).get("hn"));
    var answer = hitcounter.api.ReferrerRoutesAccess.of(site, DAY);
    assertEquals("news.ycombinator.com", answer.top().get("referrer").get(0).value());
    assertEquals(1, answer.top().get("campaign").get(0).visits());
    // A fold writes them into the shard (format 3) and a reader gets them back.
    t.retention(() -> new StatsRetention((long) DAY * 1440 + 720, 30, 48));
    var c = t.collect("us-west", List.of(new long[] {0, 0})).get(0);
    byte[] shard = CountsCodec.encodeEncoded(CountsCodec.SHARD, Map.of("blog~1:/a", 31L), c.stats());
    assertEquals(3, shard[1], "a value with referrals is of format 3");
    CountTable reader = new CountTable();
    reader.clearStaged("us-west");
    reader.stageShard("us-west", shard);
    reader.commitSnapshot("us-west", List.<long[]>of(new long[] {0, 0}), List.of(), h -> {});
    assertEquals(30, reader.stats(PageStats.siteKey("blog~1:")).get("us-west").referrals(DAY).of(0).get("news.ycombinator.com"));
  }

  @Test
  void withoutReferralsAValueStaysFormat2AndReadsBack() {
    CountTable t = new CountTable();
    t.addEntry("us-west", entry("us-west", List.of(visit("home", 1, Referral.NONE))), h -> {});
    byte[] e = entry("us-west", List.of(visit("home", 1, Referral.NONE)));
    assertEquals(2, e[1], "an older node reads it");
    t.addEntry("us-west", e, h -> {});
    assertEquals(2, t.stats(PageStats.siteKey("")).get("us-west").at(PageStats.DAY, DAY)[0]);
  }

  @Test
  void aDayKeepsTheTopValuesAndOtherWhateverTheTraffic() {
    CountTable t = new CountTable();
    List<JobCodec.Hit> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(visit("home", i + 1, new Referral("host" + i + ".example", null, null, null)));
      if (i % 10 == 0) {
        many.add(visit("home", i + 1, new Referral("big.example", null, null, null)));
      }
    }
    t.addEntry("us-west", entry("us-west", many), h -> {});
    Referrals r = t.stats(PageStats.siteKey("")).get("us-west").referrals(DAY);
    assertTrue(r.of(0).size() <= Referrals.TOP);
    assertEquals(100, r.of(0).get("big.example"));
    long kept = r.of(0).values().stream().mapToLong(Long::longValue).sum();
    assertEquals(1100, kept + r.other(0), "every visit is in the top or in other");
  }
}
