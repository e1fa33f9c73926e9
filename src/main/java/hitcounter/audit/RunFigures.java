package hitcounter.audit;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM's audit figures in Consul (decision 0018): its run key {@code <dc>/<node>/<epoch>}
 * holds what this JVM acknowledged, less what folds took of its earlier runs. Every write is a
 * CAS on the index this JVM last wrote, so a key that changed under it is looked at before it is
 * written again:
 * <ul>
 *   <li>gone, and the archive folded this run: the fold took what it last wrote (a fold deletes
 *       by CAS on the index it read, and only a key that did not change for a while); that is
 *       handed over and the figures go on under a new epoch above the archive's {@code through};
 *   <li>gone, not folded (a wipe, or a restore to before the run): written again;
 *   <li>there with another value (a restore): written over.
 * </ul>
 * A fold a restore undid (the archive's {@code through} back below a run this JVM handed over)
 * gets that run's key back with the figures the fold took, so the archive and the keys again
 * hold every figure once. The epoch is chosen at the first write, above the archive's {@code
 * through} for this node: a run's name is never one the archive folded. Not thread-safe: one
 * publish at a time.
 */
final class RunFigures {
  private static final Logger LOG = LoggerFactory.getLogger(RunFigures.class);
  /** Runs of this JVM whose folds are remembered, to be undone after a restore (the latest). */
  static final int FOLDS_KEPT = 8;

  private final Consul consul;
  private final String dc;
  private final String node;
  private final long start;
  private long epoch = -1;
  /** Index of the run key as this JVM last wrote it; 0: not written; -1: unknown (look first). */
  private long index;
  private Map<String, Long> written = Map.of();
  private final Map<String, Long> handed = new HashMap<>();
  private final TreeMap<Long, Map<String, Long>> folds = new TreeMap<>();
  private final Map<Long, Map<String, Long>> undone = new TreeMap<>();

  RunFigures(Consul consul, String dc, String node, long start) {
    this.consul = consul;
    this.dc = dc;
    this.node = node;
    this.start = start;
  }

  /** The epoch of the run key written now (-1 before the first write). */
  long epoch() {
    return epoch;
  }

  /** Whether the run key holds {@code total} already (as far as this JVM knows). */
  boolean holds(Map<String, Long> total) {
    return epoch >= 0 && index > 0 && minusHanded(total).equals(written);
  }

  /** Writes {@code total} (every figure this JVM counted); completes when it is written or looked at. */
  CompletionStage<Void> publish(Map<String, Long> total) {
    if (epoch < 0) {
      return archive().thenCompose(a -> {
        epoch = Math.max(start, a.through(node) + 1);
        return publish(total);
      });
    }
    if (index < 0) {
      return look();
    }
    Map<String, Long> value = minusHanded(total);
    String key = AuditKeys.key(dc, node, epoch);
    return consul.txn(null, List.of(TxnOp.cas(key, FiguresCodec.write(value), index))).handle((r, e) -> {
      if (e != null) {
        index = -1; // it may have landed: look before the next write
      } else if (r.committed()) {
        index = r.modifyIndexes().getOrDefault(key, -1L);
        written = value;
      } else {
        index = -1;
      }
      return (Void) null;
    });
  }

  /** Looks at the run key and the archive after a write that failed or may have landed. */
  private CompletionStage<Void> look() {
    String key = AuditKeys.key(dc, node, epoch);
    return consul.kvGet(null, key).thenCombine(archive(), (found, archive) -> {
      undoneFolds(archive);
      if (archive.folded(node, epoch)) {
        // Folded: its key is gone, or a copy of it came back that readers leave out.
        handOver(archive);
      } else if (found.isPresent()) {
        index = found.get().modifyIndex();
        written = FiguresCodec.read(found.get().value());
      } else {
        index = 0;
        written = Map.of();
      }
      return (Void) null;
    }).thenCompose(v -> restoreUndone());
  }

  /** The archive folded this run: what it took is what this JVM last wrote. */
  private void handOver(AuditArchive archive) {
    written.forEach((f, v) -> handed.merge(f, v, Long::sum));
    folds.put(epoch, written);
    while (folds.size() > FOLDS_KEPT) {
      folds.pollFirstEntry();
    }
    long next = Math.max(epoch + 1, archive.through(node) + 1);
    LOG.info("audit run {}/{} was folded into the archive with {}; this node's figures go on as run {}", node, epoch, written, next);
    epoch = next;
    index = 0;
    written = Map.of();
  }

  /** Folds of this JVM's runs that the archive no longer holds (a restore took it back). */
  private void undoneFolds(AuditArchive archive) {
    undone.clear();
    folds.forEach((e, figures) -> {
      if (!archive.folded(node, e)) {
        undone.put(e, figures);
      }
    });
  }

  /** Writes back the run keys of undone folds, as the folds took them. */
  private CompletionStage<Void> restoreUndone() {
    CompletionStage<Void> all = CompletableFuture.completedFuture(null);
    for (var u : List.copyOf(undone.entrySet())) {
      String key = AuditKeys.key(dc, node, u.getKey());
      all = all.thenCompose(v -> consul.kvGet(null, key).thenCompose(found -> {
        if (found.isPresent() && FiguresCodec.read(found.get().value()).equals(u.getValue())) {
          return CompletableFuture.completedFuture(true);
        }
        LOG.warn("audit run {}/{} was folded, and the fold is gone from the archive (a restore): its key is written back with {}", node, u.getKey(), u.getValue());
        return consul.kvPutCas(null, key, FiguresCodec.write(u.getValue()), found.map(KvEntry::modifyIndex).orElse(0L));
      }).thenAccept(ok -> {
        if (ok) {
          undone.remove(u.getKey()); // still remembered: a later wipe may take it again
        }
      }));
    }
    return all;
  }

  private CompletionStage<AuditArchive> archive() {
    return consul.kvGet(null, AuditKeys.archive(dc)).thenApply(found -> found.map(e -> AuditArchive.parse(e.value())).orElse(AuditArchive.EMPTY));
  }

  private Map<String, Long> minusHanded(Map<String, Long> total) {
    Map<String, Long> out = new TreeMap<>();
    for (String f : AuditArchive.FIGURES) {
      out.put(f, total.getOrDefault(f, 0L) - handed.getOrDefault(f, 0L));
    }
    return out;
  }

  /** For tests: what folds took from this JVM's runs. */
  Map<String, Long> handed() {
    return Map.copyOf(handed);
  }
}
