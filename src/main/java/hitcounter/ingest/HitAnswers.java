package hitcounter.ingest;

import hitcounter.config.ResetRecord;
import hitcounter.count.ResetView;
import hitcounter.health.Freshness;
import hitcounter.page.PageKey;
import hitcounter.replicate.DatacenterStates;
import hitcounter.store.CountTable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a node answers about a page, for every route that shows counts (API, live page, badge):
 * its count per datacenter as this node's table holds it (every known datacenter listed, 0
 * where it has none), the total, and how fresh the figures are. Never waits on Consul.
 */
public final class HitAnswers {
  private final String datacenter;
  private final CountTable counts;
  private final DatacenterStates datacenters;
  private final Freshness freshness;
  private final ResetView.Resets resets;

  private final hitcounter.config.Salts salts;
  private final java.time.Clock clock;

  public HitAnswers(String datacenter, CountTable counts, DatacenterStates datacenters, Freshness freshness, ResetView.Resets resets) {
    this(datacenter, counts, datacenters, freshness, resets, new hitcounter.config.Salts(), java.time.Clock.systemUTC());
  }

  public HitAnswers(String datacenter, CountTable counts, DatacenterStates datacenters, Freshness freshness, ResetView.Resets resets,
      hitcounter.config.Salts salts, java.time.Clock clock) {
    this.salts = salts;
    this.clock = clock;
    this.resets = resets;
    this.datacenter = datacenter;
    this.counts = counts;
    this.datacenters = datacenters;
    this.freshness = freshness;
  }

  public String datacenter() {
    return datacenter;
  }

  /**
   * Changes whenever anything an answer shows may have changed, time apart ({@link
   * RenderedAnswers}): the count table, the resets, a heartbeat or a stall report heard. A sum of
   * counters that only grow.
   */
  long version() {
    return counts.version() + resets.version() + freshness.version();
  }

  /** The answer for a page of the default site. */
  public HitReply reply(String page) {
    return reply(PageKey.ofDefault(page));
  }

  public HitReply reply(PageKey key) {
    Map<String, Long> byDc = new TreeMap<>();
    byDc.put(datacenter, 0L);
    datacenters.agesSeconds().keySet().forEach(dc -> byDc.put(dc, 0L));
    Map<String, Long> shown = counts.countsWithImportedOf(key.key()); // one read: the total and its parts from one version of the table
    Long importedOrNull = shown.remove(CountTable.IMPORTED);
    long imported = importedOrNull == null ? 0 : importedOrNull;
    byDc.putAll(shown);
    long total = byDc.values().stream().mapToLong(Long::longValue).sum() + imported;
    Freshness.Report f = freshness.of(byDc.keySet());
    ResetRecord r = resets.of(key.key());
    return new HitReply(key.page(), key.isDefaultSite() ? null : key.site(), datacenter, total, byDc, f.stale(), f.ageSeconds(),
        new HitReply.Counting(f.countingLagSeconds()), f.late().stream().map(HitReply.Late::of).toList(),
        r == null ? null : new HitReply.Reset(r.deleted(), Math.max(r.deletedAt(), r.resetAt())),
        uniques(byDc.keySet(), key.key()), counts.bots(key.key()), imported);
  }

  /** Today's uniques of {@code key}, every datacenter of {@code dcs} listed. */
  private HitReply.Uniques uniques(java.util.Set<String> dcs, String key) {
    java.time.LocalDate today = java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
    var u = counts.uniques(key, (int) today.toEpochDay());
    Map<String, Long> per = new TreeMap<>();
    dcs.forEach(dc -> per.put(dc, 0L));
    per.putAll(u.datacenters());
    boolean united = salts.united(today);
    return new HitReply.Uniques(today.toString(), u.total(), per, united,
        united ? null : "the datacenters did not all use the same visitor salt today: a visitor seen in two of them may count twice");
  }

  /** The analytics of counted id or site key {@code key}, per datacenter. */
  public Map<String, hitcounter.store.PageStats> stats(String key) {
    return counts.stats(key);
  }

  public hitcounter.config.Salts salts() {
    return salts;
  }

  public java.time.Clock clock() {
    return clock;
  }
}
