package hitcounter.count;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the layout before the count store, in one datacenter's Consul, run by the folder
 * at each sweep: a queue of this datacenter still in the old layout whose applied record did
 * not change since the last sweep (its node is gone, or idle) is migrated
 * ({@link LegacyMigration}); old keys of any queue whose head says it was migrated more than
 * {@code retention} ago are deleted, 64 to a transaction.
 */
final class LegacySweep {
  private static final Logger LOG = LoggerFactory.getLogger(LegacySweep.class);

  private final Consul consul;
  private final String dc;
  private final Duration retention;
  /** ModifyIndex of each unmigrated old applied record of this datacenter at the last sweep. */
  private final Map<String, Long> seen = new HashMap<>();

  LegacySweep(Consul consul, Duration retention) {
    this.consul = consul;
    this.dc = consul.localDatacenter();
    this.retention = retention;
  }

  /** Queues are moved only into a store that exists (marked by the store guard). */
  private boolean marked(List<KvEntry> heads) {
    return heads.stream().anyMatch(e -> e.key().equals(hitcounter.store.StoreMarker.key(dc)));
  }

  CompletionStage<Void> run(long now) {
    CompletionStage<List<KvEntry>> applied = consul.kvTree(null, StoreKeys.LEGACY_APPLIED_ROOT, 0, Duration.ZERO).thenApply(i -> i.value());
    CompletionStage<List<String>> counts = consul.kvKeys(null, StoreKeys.LEGACY_COUNT_ROOT);
    CompletionStage<List<KvEntry>> heads = consul.kvTree(null, StoreKeys.HEADS_ROOT, 0, Duration.ZERO).thenApply(i -> i.value());
    return applied.thenCompose(a -> counts.thenCombine(heads, (c, h) -> new Object[] {a, c, h})).thenCompose(x -> {
      @SuppressWarnings("unchecked")
      List<KvEntry> oldApplied = (List<KvEntry>) x[0];
      @SuppressWarnings("unchecked")
      List<String> oldCounts = (List<String>) x[1];
      @SuppressWarnings("unchecked")
      List<KvEntry> headEntries = (List<KvEntry>) x[2];
      Map<String, QueueHead> byQueue = new HashMap<>();
      for (KvEntry e : headEntries) {
        String[] dcAndName = StoreKeys.headOf(e.key());
        if (dcAndName != null) {
          QueueHead.parse(e.value()).ifPresent(h -> byQueue.put(dcAndName[0] + "/" + dcAndName[1], h));
        }
      }
      List<String> delete = new ArrayList<>();
      CompletableFuture<Void> migrations = CompletableFuture.completedFuture(null);
      Map<String, Long> stillOld = new HashMap<>();
      for (KvEntry e : oldApplied) {
        String source = e.key().substring(StoreKeys.LEGACY_APPLIED_ROOT.length());
        QueueHead head = byQueue.get(source);
        if (head != null && head.migratedAt() > 0 && now - head.migratedAt() >= retention.toMillis()) {
          delete.add(e.key());
        } else if (head == null && source.startsWith(dc + "/") && marked(headEntries)) {
          stillOld.put(source, e.modifyIndex());
          if (Long.valueOf(e.modifyIndex()).equals(seen.get(source))) {
            String queue = source.substring(dc.length() + 1);
            LOG.info("queue {} is still in the old layout and at rest: migrating it", queue);
            migrations = migrations.thenCompose(v -> LegacyMigration.migrate(consul, dc, queue, now).thenAccept(ok -> {}));
          }
        }
      }
      seen.clear();
      seen.putAll(stillOld);
      for (String key : oldCounts) {
        String rest = key.substring(StoreKeys.LEGACY_COUNT_ROOT.length());
        int last = rest.lastIndexOf('/');
        QueueHead head = last < 0 ? null : byQueue.get(rest.substring(0, last));
        if (head != null && head.migratedAt() > 0 && now - head.migratedAt() >= retention.toMillis()) {
          delete.add(key);
        }
      }
      if (!delete.isEmpty()) {
        LOG.info("deleting {} keys of the layout before the count store", delete.size());
      }
      CompletableFuture<Void> chain = migrations;
      for (int from = 0; from < delete.size(); from += TxnOp.MAX_OPS) {
        List<TxnOp> ops = delete.subList(from, Math.min(delete.size(), from + TxnOp.MAX_OPS)).stream().map(TxnOp::delete).toList();
        chain = chain.thenCompose(v -> consul.txn(null, ops).thenAccept(r -> {}));
      }
      return chain;
    });
  }
}
