package hitcounter.audit;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM's audit figures in Consul (decision 0018): its run key {@code <dc>/<node>/<epoch>}
 * holds what this JVM acknowledged, less what folds took of its earlier runs, and the JVM's
 * random id (figure {@code run}), so a key is known as this JVM's whatever its name. Every write
 * is a CAS on the index this JVM last wrote; a key that changed under it is looked at first:
 * <ul>
 *   <li>folded by the archive: the fold took what this JVM last wrote (a fold deletes by CAS on
 *       the value it read, an hour old, and this JVM looks at its key every quarter of that);
 *       that is handed over and the figures go on under a new epoch;
 *   <li>this JVM's, with another value (a restore, a copy brought back): written over;
 *   <li>another JVM's (two nodes of one name): a new epoch;
 *   <li>gone, not folded (a wipe, a restore to before the run): written again.
 * </ul>
 * A fold a restore or a wipe undid (the archive's {@code through} back below a run this JVM
 * handed over) gets that run's key back with what the fold took. An epoch is always chosen above
 * the archive's {@code through} and every run key of the node: a run's name is never one used
 * before. One publish at a time.
 */
final class RunFigures {
  private static final Logger LOG = LoggerFactory.getLogger(RunFigures.class);
  /** Runs of this JVM whose folds are remembered, to be written back after a restore (the latest). */
  static final int FOLDS_KEPT = 8;

  private final Consul consul;
  private final String dc;
  private final String node;
  private final long start;
  private final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  private final Duration lookEvery;
  private final LongSupplier clock;
  private long epoch = -1;
  /** Index of the run key as this JVM last wrote it; 0: not written in this epoch; -1: unknown (look first). */
  private long index;
  private long lookedAt;
  private Map<String, Long> written = Map.of();
  private final Map<String, Long> handed = new HashMap<>();
  private final TreeMap<Long, Map<String, Long>> folds = new TreeMap<>();
  private final Map<Long, Map<String, Long>> undone = new TreeMap<>();

  /** {@code lookEvery}: how often the run key is read even when nothing changed (a quarter of fold-after). */
  RunFigures(Consul consul, String dc, String node, long start, Duration lookEvery, LongSupplier clock) {
    this.consul = consul;
    this.dc = dc;
    this.node = node;
    this.start = start;
    this.lookEvery = lookEvery;
    this.clock = clock;
  }

  /** The epoch of the run key written now (-1 before the first write). */
  long epoch() {
    return epoch;
  }

  /** Whether the run key holds {@code total} (as this JVM last saw it, lately). */
  boolean holds(Map<String, Long> total) {
    return epoch >= 0 && index > 0 && undone.isEmpty() && value(total).equals(written) && clock.getAsLong() - lookedAt < lookEvery.toMillis();
  }

  /** Writes {@code total} (every figure this JVM counted), or looks at its key first; completes when done. */
  CompletionStage<Void> publish(Map<String, Long> total) {
    if (epoch < 0) {
      return chooseEpoch(start).thenCompose(e -> publish(total));
    }
    if (index < 0 || !undone.isEmpty() || clock.getAsLong() - lookedAt >= lookEvery.toMillis()) {
      return look();
    }
    Map<String, Long> value = value(total);
    String key = AuditKeys.key(dc, node, epoch);
    return consul.txn(null, List.of(TxnOp.cas(key, FiguresCodec.write(value), index))).handle((r, e) -> {
      if (e == null && r.committed()) {
        index = r.modifyIndexes().getOrDefault(key, -1L);
        written = value;
      } else {
        index = -1; // changed under it, or it may have landed: look before the next write
      }
      return (Void) null;
    });
  }

  /** Sets the epoch above {@code least}, the archive's {@code through} and every run key of this node. */
  private CompletionStage<Long> chooseEpoch(long least) {
    return consul.kvTree(null, AuditKeys.prefix(dc), 0, Duration.ZERO).thenApply(tree -> {
      long e = least;
      for (KvEntry k : tree.value()) {
        if (k.key().equals(AuditKeys.archive(dc))) {
          e = Math.max(e, AuditArchive.parse(k.value()).through(node) + 1);
        }
        AuditKeys.Run run = AuditKeys.run(k.key());
        if (run != null && run.node().equals(node)) {
          e = Math.max(e, run.epoch() + 1);
        }
      }
      epoch = e;
      index = 0;
      written = Map.of();
      lookedAt = clock.getAsLong();
      return e;
    });
  }

  /** Looks at the run key and the archive: after a write that failed or may have landed, and every {@code lookEvery}. */
  private CompletionStage<Void> look() {
    String key = AuditKeys.key(dc, node, epoch);
    return consul.kvGet(null, key).<AuditArchive, CompletionStage<Void>>thenCombine(archive(), (found, archive) -> {
      undoneFolds(archive);
      lookedAt = clock.getAsLong();
      Map<String, Long> there = found.map(f -> FiguresCodec.read(f.value())).orElse(null);
      boolean mine = there != null && there.getOrDefault(AuditFold.RUN, 0L) == id;
      if (archive.folded(node, epoch)) {
        return handOver(); // its key is gone, or a copy of it came back that readers leave out
      }
      if (there != null && !mine) {
        LOG.warn("audit run {}/{} is another JVM's (two nodes named {}?): this one goes on under a new run", node, epoch, node);
        return chooseEpoch(epoch + 1).thenApply(e -> (Void) null);
      }
      index = there == null ? 0 : found.get().modifyIndex();
      written = there == null ? Map.of() : there;
      return CompletableFuture.<Void>completedFuture(null);
    }).thenCompose(next -> next).thenCompose(v -> restoreUndone());
  }

  /** The archive folded this run: what it took is what this JVM last wrote. */
  private CompletionStage<Void> handOver() {
    Map<String, Long> taken = new TreeMap<>(written);
    taken.remove(AuditFold.RUN);
    taken.forEach((f, v) -> handed.merge(f, v, Long::sum));
    folds.put(epoch, taken);
    while (folds.size() > FOLDS_KEPT) {
      folds.pollFirstEntry();
    }
    long was = epoch;
    return chooseEpoch(epoch + 1).thenAccept(e ->
        LOG.info("audit run {}/{} was folded into the archive with {}; this node's figures go on as run {}", node, was, taken, e));
  }

  /** Folds of this JVM's runs that the archive no longer holds (a restore or a wipe took them). */
  private void undoneFolds(AuditArchive archive) {
    undone.clear();
    folds.forEach((e, figures) -> {
      if (!archive.folded(node, e)) {
        undone.put(e, figures);
      }
    });
  }

  /** Writes back the run keys of undone folds, as the folds took them (and this JVM's id). */
  private CompletionStage<Void> restoreUndone() {
    CompletionStage<Void> all = CompletableFuture.completedFuture(null);
    for (var u : List.copyOf(undone.entrySet())) {
      String key = AuditKeys.key(dc, node, u.getKey());
      Map<String, Long> value = new TreeMap<>(u.getValue());
      value.put(AuditFold.RUN, id);
      all = all.thenCompose(v -> consul.kvGet(null, key).thenCompose(found -> {
        if (found.isPresent() && FiguresCodec.read(found.get().value()).equals(value)) {
          return CompletableFuture.completedFuture(true);
        }
        LOG.warn("audit run {}/{} was folded, and the fold is gone from the archive (a restore or a wipe): its key is written back with {}",
            node, u.getKey(), u.getValue());
        return consul.kvPutCas(null, key, FiguresCodec.write(value), found.map(KvEntry::modifyIndex).orElse(0L));
      }).thenAccept(ok -> {
        if (ok) {
          undone.remove(u.getKey()); // still remembered in folds: a later wipe may take it again
        }
      }));
    }
    return all;
  }

  private CompletionStage<AuditArchive> archive() {
    return consul.kvGet(null, AuditKeys.archive(dc)).thenApply(found -> found.map(e -> AuditArchive.parse(e.value())).orElse(AuditArchive.EMPTY));
  }

  /** The run key's value for {@code total}: the figures less what folds took, and this JVM's id. */
  private Map<String, Long> value(Map<String, Long> total) {
    Map<String, Long> out = new TreeMap<>();
    for (String f : AuditArchive.FIGURES) {
      out.put(f, total.getOrDefault(f, 0L) - handed.getOrDefault(f, 0L));
    }
    out.put(AuditFold.RUN, id);
    return out;
  }

  /** For tests: what folds took from this JVM's runs. */
  Map<String, Long> handed() {
    return Map.copyOf(handed);
  }
}
