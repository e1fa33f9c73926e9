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

  public HitAnswers(String datacenter, CountTable counts, DatacenterStates datacenters, Freshness freshness, ResetView.Resets resets) {
    this.resets = resets;
    this.datacenter = datacenter;
    this.counts = counts;
    this.datacenters = datacenters;
    this.freshness = freshness;
  }

  public String datacenter() {
    return datacenter;
  }

  /** The answer for a page of the default site. */
  public HitReply reply(String page) {
    return reply(PageKey.ofDefault(page));
  }

  public HitReply reply(PageKey key) {
    Map<String, Long> byDc = new TreeMap<>();
    byDc.put(datacenter, 0L);
    datacenters.agesSeconds().keySet().forEach(dc -> byDc.put(dc, 0L));
    byDc.putAll(counts.countsOf(key.key()));
    long total = byDc.values().stream().mapToLong(Long::longValue).sum();
    Freshness.Report f = freshness.of(byDc.keySet());
    ResetRecord r = resets.of(key.key());
    return new HitReply(key.page(), key.isDefaultSite() ? null : key.site(), datacenter, total, byDc, f.stale(), f.ageSeconds(),
        new HitReply.Counting(f.countingLagSeconds()), f.late().stream().map(HitReply.Late::of).toList(),
        r == null ? null : new HitReply.Reset(r.deleted(), Math.max(r.deletedAt(), r.resetAt())));
  }
}
