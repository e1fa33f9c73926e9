package hitcounter.count;

import hitcounter.config.ResetRecord;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.page.PageKey;
import hitcounter.store.CountTable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Resets or deletes a page: records, in this datacenter's reset slot of the page, the counts
 * this node sees of it in every datacenter as the new baselines (merged by max with what the
 * slot held; CAS, a lost CAS tried again). The reset view of every node, here at once and in
 * the other datacenters once the replicator copied the record, then shows the page's counts
 * less those baselines. Hits a datacenter took that this node had not seen yet stay counted
 * (observed reset, decision 0010).
 */
public final class PageResetter {
  private final Consul consul;
  private final CountTable table;
  private final String datacenter;
  private final ResetView.Resets resets;

  public PageResetter(Consul consul, CountTable table, String datacenter, ResetView.Resets resets) {
    this.consul = consul;
    this.table = table;
    this.datacenter = datacenter;
    this.resets = resets;
  }

  /** The record written (empty when Consul did not take it). */
  public CompletionStage<Optional<ResetRecord>> reset(PageKey key, boolean delete) {
    Map<String, Long> seen = table.rawCountsOf(key.key());
    long now = System.currentTimeMillis();
    // As lowered as the page's record is: what this node sees is meant after those lowerings.
    ResetRecord known = resets.of(key.key());
    ResetRecord mine = new ResetRecord(seen, delete ? now : 0, delete ? 0 : now, known == null ? Map.of() : known.lowered());
    return write(consul, ResetRecord.key(datacenter, key.key()), mine, 3);
  }

  /** {@code mine} merged by CAS into the reset slot {@code k} (a lost CAS tried again); the record written, or empty when Consul did not take it. */
  static CompletionStage<Optional<ResetRecord>> write(Consul consul, String k, ResetRecord mine, int attempts) {
    return consul.kvGet(null, k).thenCompose(current -> {
      ResetRecord merged = mine.merge(current.flatMap(e -> ResetRecord.parse(e.value())).orElse(null));
      long index = current.map(KvEntry::modifyIndex).orElse(0L);
      return consul.txn(null, List.of(TxnOp.cas(k, merged.bytes(), index))).thenCompose(r -> r.committed()
          ? CompletableFuture.completedFuture(Optional.of(merged))
          : attempts > 1 ? write(consul, k, mine, attempts - 1) : CompletableFuture.completedFuture(Optional.<ResetRecord>empty()));
    });
  }
}
