package hitcounter.replicate;

import hitcounter.audit.FiguresCodec;
import hitcounter.audit.LostKeys;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Brings back what a confirmed rollback of this datacenter's store lost, from a copy that holds
 * it. Per queue, the copy's entries from where the source parts from it
 * ({@link QueueHead#partsFrom}) to the copy's head are read there, before the copy follows its
 * source back, and written here into a queue of their own ({@link #recoveryQueue}: no worker
 * drains it, so nothing races its head; views, folds and copies take it as any queue). Progress
 * is kept in the rollback's record ({@link LostKeys}, named by the epoch of the first lost entry:
 * {@code recoveredTo}, {@code recovered}), written in the same transaction as the recovery
 * queue's head, a transaction's worth of entries at a time: a round cut off, another round or
 * another target with a fresher copy goes on from there and never brings an entry twice. What
 * no copy holds stays recorded as lost (the worker that wrote it measured it: LossRecords).
 */
final class RollbackRecovery {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RollbackRecovery.class);

  private final Consul consul;
  private final String localDc;
  private final MeterRegistry registry;

  RollbackRecovery(Consul consul, MeterRegistry registry) {
    this.consul = consul;
    this.localDc = consul.localDatacenter();
    this.registry = registry;
  }

  /** The queue the entries of {@code queue} lost in a rollback (its first lost entry written in {@code epoch}) are brought back into. */
  static String recoveryQueue(String queue, String epoch) {
    return "recovered-" + Long.toUnsignedString(hitcounter.store.PageHash.of(queue + "~" + epoch), 36);
  }

  /** For every queue the copy in {@code target} holds further than {@code source} (the source's heads as read now), one recovery after the other. */
  CompletionStage<Void> recover(String target, StoreCopy.Remote source, Map<String, Long> folded, StoreCopy.Remote copy) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (var e : copy.heads().entrySet()) {
      String q = e.getKey();
      QueueHead theirs = e.getValue();
      QueueHead mine = source.heads().get(q);
      if (mine == null || !StoreKeys.isQueue(q)) {
        continue; // archived here (or, rarely, a queue newer than a restored snapshot: decision 0012)
      }
      if (!folded.containsKey(q) && restarted(mine, theirs)) {
        // A queue the source archived and that came back before the copy got the archive: its
        // old entries are in the source's archive, not lost (a restore to before the queue
        // existed looks the same: the worker that wrote them records them lost).
        continue;
      }
      long from = mine.partsFrom(theirs, folded.getOrDefault(q, 0L));
      if (from <= theirs.seq()) {
        chain = chain.thenCompose(x -> recoverQueue(target, q, theirs, from));
      }
    }
    return chain;
  }

  /** Whether {@code mine} began again from its first entry, in an epoch {@code theirs} does not know. */
  private static boolean restarted(QueueHead mine, QueueHead theirs) {
    if (mine.epochs().isEmpty() || mine.epochs().get(0).from() != 1) {
      return false;
    }
    String first = mine.epochs().get(0).id();
    return theirs.epochs().stream().noneMatch(e -> e.id().equals(first));
  }

  private CompletionStage<Void> recoverQueue(String target, String q, QueueHead theirs, long from) {
    String epoch = theirs.epochOf(from);
    String rq = recoveryQueue(q, epoch);
    CompletableFuture<Void> done = new CompletableFuture<>();
    step(target, q, theirs, from, epoch, rq, new long[3], done);
    return done;
  }

  /**
   * One step: reads the record and the recovery queue's head, then the copy's next entries (up
   * to a transaction's worth), and writes them with the head and the record; then the next step.
   * {@code total}: hits brought, entries brought, entries not readable, in this recovery.
   */
  private void step(String target, String q, QueueHead theirs, long from, String epoch, String rq, long[] total, CompletableFuture<Void> done) {
    String recordKey = LostKeys.key(localDc, q, epoch);
    String headKey = StoreKeys.head(localDc, rq);
    consul.kvGet(null, recordKey).thenCombine(consul.kvGet(null, headKey), Pair::new).thenCompose(p -> {
      Map<String, Long> old = p.record().map(e -> FiguresCodec.read(e.value())).orElse(Map.of());
      long start = Math.max(from, old.getOrDefault("recoveredTo", 0L) + 1);
      if (start > theirs.seq()) {
        return CompletableFuture.completedFuture(false);
      }
      if (p.head().isPresent() && p.record().isEmpty()) {
        throw new IllegalStateException("recovery queue " + rq + " exists but the record of its rollback does not: nothing is brought back twice");
      }
      QueueHead rh = p.head().flatMap(e -> QueueHead.parse(e.value())).orElse(QueueHead.EMPTY);
      return read(target, q, theirs, start, rh, rq).thenCompose(b -> commit(q, from, theirs, old, p, rq, rh, b).thenApply(x -> {
        total[0] += b.hits();
        total[1] += b.writes().size();
        total[2] += b.unread();
        return true;
      }));
    }).whenComplete((more, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
      } else if (more) {
        step(target, q, theirs, from, epoch, rq, total, done);
      } else {
        if (total[1] + total[2] > 0) {
          LOG.error("the store of {} went back (a restore or a wipe): entries {}-{} of queue {} brought back from the copy in {} into queue {}: {} hits{}",
              localDc, from, theirs.seq(), q, target, rq, total[0], total[2] > 0 ? "; " + total[2] + " entries could not be read there" : "");
        }
        done.complete(null);
      }
    });
  }

  private record Pair(Optional<KvEntry> record, Optional<KvEntry> head) {}

  /** A step's read: the entry writes (past the recovery head, in a new epoch), their hits and bytes, entries not readable, the last seq read. */
  private record Batch(String epoch, List<TxnOp> writes, long hits, long bytes, long unread, long through) {}

  /** Reads the copy's entries from {@code start} on, one at a time, until a transaction's worth (or the copy's head). */
  private CompletionStage<Batch> read(String target, String q, QueueHead theirs, long start, QueueHead rh, String rq) {
    String newEpoch = StoreKeys.newEpoch();
    List<TxnOp> writes = new ArrayList<>();
    long[] acc = new long[5]; // hits, bytes, unread, through, transaction bytes so far
    acc[3] = start - 1;
    return readNext(target, q, theirs, start, rh, rq, newEpoch, writes, acc)
        .thenApply(x -> new Batch(newEpoch, writes, acc[0], acc[1], acc[2], acc[3]));
  }

  private CompletionStage<Void> readNext(String target, String q, QueueHead theirs, long seq, QueueHead rh, String rq, String epoch, List<TxnOp> writes,
      long[] acc) {
    if (seq > theirs.seq() || writes.size() >= TxnOp.MAX_OPS - 2 || acc[4] >= TxnOp.PACK_BODY_BYTES / 2) {
      return CompletableFuture.completedFuture(null);
    }
    return consul.kvGetRaw(target, theirs.entryKey(localDc, q, seq)).thenCompose(value -> {
      acc[3] = seq;
      if (value.isEmpty()) {
        acc[2]++;
      } else {
        try {
          acc[0] += CountsCodec.decodeAll(CountsCodec.ENTRY, value.get()).hits();
          acc[1] += value.get().length;
          TxnOp write = TxnOp.cas(StoreKeys.entry(localDc, rq, epoch, rh.seq() + writes.size() + 1), value.get(), 0);
          writes.add(write);
          acc[4] += write.bodyBytes();
        } catch (CountsCodec.BadValue e) {
          acc[2]++;
        }
      }
      return readNext(target, q, theirs, seq + 1, rh, rq, epoch, writes, acc);
    });
  }

  /** The entries, the recovery queue's head and the record, in one transaction (head and record by CAS). */
  private CompletionStage<Void> commit(String q, long from, QueueHead theirs, Map<String, Long> old, Pair p, String rq, QueueHead rh, Batch b) {
    List<TxnOp> ops = new ArrayList<>(b.writes());
    if (!b.writes().isEmpty()) {
      QueueHead next = new QueueHead(rh.seq() + b.writes().size(), rh.counted() + b.hits(), rh.bytes() + b.bytes(), rh.applied(), rh.migratedAt(),
          rh.epochsWith(b.epoch(), rh.seq() + 1, 0));
      ops.add(TxnOp.cas(StoreKeys.head(localDc, rq), next.toBytes(), p.head().map(KvEntry::modifyIndex).orElse(0L)));
    }
    long recovered = old.getOrDefault("recovered", 0L) + b.hits();
    Map<String, Long> merged = hitcounter.audit.LossRecords.merged(old,
        new hitcounter.audit.LossRecords.Loss(localDc, q, from, theirs.seq(), theirs.epochOf(from), recovered, old.getOrDefault("unread", 0L) + b.unread()));
    merged.put("recovered", recovered);
    merged.put("recoveredTo", b.through());
    if (b.through() >= theirs.seq()) {
      merged.put("recoveredAt", System.currentTimeMillis()); // what the copy held is all back (ResetRepair waits for it)
    }
    ops.add(TxnOp.cas(LostKeys.key(localDc, q, theirs.epochOf(from)), FiguresCodec.write(merged), p.record().map(KvEntry::modifyIndex).orElse(0L)));
    return consul.txn(null, ops).thenAccept(t -> {
      if (!t.committed()) {
        throw new IllegalStateException("bringing back entries of queue " + q + " conflicted (" + t.errors() + "); next round");
      }
      Counter.builder("hitcounter.store.recovered.hits").tag("datacenter", localDc)
          .description("Hits a rollback of the datacenter's store took away that this node brought back from a copy").register(registry).increment(b.hits());
    });
  }
}
