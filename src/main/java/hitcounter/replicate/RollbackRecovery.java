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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Brings back what a confirmed rollback of this datacenter's store lost, from a copy that holds
 * it. Per queue, the copy's entries from the first one the source names otherwise (or no longer
 * has) to the copy's head are read there, before the copy follows its source back, and written
 * here into a queue of their own ({@link #recoveryQueue}: no worker drains it, so nothing races
 * its head; views, folds and copies take it as any queue). Progress is kept in the rollback's
 * loss record ({@link LostKeys}: {@code recoveredTo}, {@code recovered}), written in the same
 * transaction as the recovery queue's head, so a round cut off, another round or another target
 * with a fresher copy goes on from there and never brings an entry twice. What no copy holds
 * stays recorded as lost (the worker that wrote it measured it: LossRecords). Decision 0012.
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

  /** The queue the entries of {@code queue} lost from {@code from} (first named in {@code epoch}) are brought back into. */
  static String recoveryQueue(String queue, long from, String epoch) {
    return "recovered-" + Long.toUnsignedString(hitcounter.store.PageHash.of(queue + "/" + from + "~" + epoch), 36);
  }

  /** For every queue the copy in {@code target} holds further than {@code source} (the source's heads as read now), one recovery after the other. */
  CompletionStage<Void> recover(String target, StoreCopy.Remote source, Map<String, Long> folded, StoreCopy.Remote copy) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (var e : copy.heads().entrySet()) {
      String q = e.getKey();
      QueueHead theirs = e.getValue();
      QueueHead mine = source.heads().get(q);
      if (mine == null || !StoreKeys.isQueue(q) || q.startsWith("recovered-")) {
        continue; // archived here, or a recovery queue itself
      }
      long after = folded.getOrDefault(q, 0L);
      long from = Math.min(mine.seq() + 1, mine.firstDifferent(theirs, after + 1, theirs.seq()));
      if (from <= theirs.seq()) {
        chain = chain.thenCompose(x -> recoverQueue(target, q, theirs, from));
      }
    }
    return chain;
  }

  private CompletionStage<Void> recoverQueue(String target, String q, QueueHead theirs, long from) {
    String epoch = theirs.epochOf(from);
    String recordKey = LostKeys.key(localDc, q, from, epoch);
    String rq = recoveryQueue(q, from, epoch);
    String headKey = StoreKeys.head(localDc, rq);
    return consul.kvGet(null, recordKey).thenCombine(consul.kvGet(null, headKey), (record, head) -> new Object[] {record, head})
        .thenCompose(x -> {
          @SuppressWarnings("unchecked")
          Optional<KvEntry> record = (Optional<KvEntry>) x[0];
          @SuppressWarnings("unchecked")
          Optional<KvEntry> head = (Optional<KvEntry>) x[1];
          Map<String, Long> old = record.map(e -> FiguresCodec.read(e.value())).orElse(Map.of());
          long start = Math.max(from, old.getOrDefault("recoveredTo", from - 1) + 1);
          if (start > theirs.seq()) {
            return CompletableFuture.completedFuture(null);
          }
          QueueHead rh = head.flatMap(e -> QueueHead.parse(e.value())).orElse(QueueHead.EMPTY);
          return bring(target, q, theirs, start, rq, rh).thenCompose(b -> commit(target, q, from, theirs, old, record, head, rq, rh, b));
        });
  }

  /** What one recovery wrote: entries (not yet named by the head), their hits and bytes, and how many could not be read. */
  private record Brought(String epoch, List<TxnOp> last, long count, long hits, long bytes, long unread) {}

  /**
   * Reads the copy's entries {@code start}..{@code theirs.seq()} there, one at a time, and writes
   * them here as entries of the recovery queue (past its head, in a new epoch), flushed whenever a
   * transaction's worth has gathered: memory stays bounded however much was lost. The last ones
   * are left to go with the head. Entries written by an attempt whose head then conflicts are
   * past the head, under an epoch no head names: the next fold of the queue collects them.
   */
  private CompletionStage<Brought> bring(String target, String q, QueueHead theirs, long start, String rq, QueueHead rh) {
    String newEpoch = StoreKeys.newEpoch();
    List<TxnOp> pending = new ArrayList<>();
    long[] acc = new long[5]; // hits, bytes, unread, entries, pending bytes
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (long seq = start; seq <= theirs.seq(); seq++) {
      String key = theirs.entryKey(localDc, q, seq);
      chain = chain.thenCompose(v -> consul.kvGetRaw(target, key)).thenCompose(value -> {
        if (value.isEmpty()) {
          acc[2]++;
          return CompletableFuture.completedFuture(null);
        }
        try {
          acc[0] += CountsCodec.decodeAll(CountsCodec.ENTRY, value.get()).hits();
        } catch (CountsCodec.BadValue e) {
          acc[2]++;
          return CompletableFuture.completedFuture(null);
        }
        acc[1] += value.get().length;
        acc[3]++;
        TxnOp op = TxnOp.cas(StoreKeys.entry(localDc, rq, newEpoch, rh.seq() + acc[3]), value.get(), 0);
        if (pending.size() + 1 >= TxnOp.MAX_OPS - 2 || acc[4] + op.bodyBytes() > TxnOp.PACK_BODY_BYTES / 2) {
          List<TxnOp> flush = List.copyOf(pending);
          pending.clear();
          acc[4] = 0;
          pending.add(op);
          acc[4] += op.bodyBytes();
          return consul.txn(null, flush).thenAccept(t -> {
            if (!t.committed()) {
              throw new IllegalStateException("entries brought back to " + rq + " not written: " + t.errors());
            }
          });
        }
        pending.add(op);
        acc[4] += op.bodyBytes();
        return CompletableFuture.completedFuture(null);
      });
    }
    return chain.thenApply(v -> new Brought(newEpoch, List.copyOf(pending), acc[3], acc[0], acc[1], acc[2]));
  }

  /** Entries first, then the recovery queue's head and the loss record in one transaction (both CAS). */
  private CompletionStage<Void> commit(String target, String q, long from, QueueHead theirs, Map<String, Long> old, Optional<KvEntry> record,
      Optional<KvEntry> head, String rq, QueueHead rh, Brought b) {
    List<TxnOp> last = new ArrayList<>();
    if (b.count() > 0) {
      long seq = rh.seq() + b.count();
      QueueHead next = new QueueHead(seq, rh.counted() + b.hits(), rh.bytes() + b.bytes(), rh.applied(), rh.migratedAt(),
          rh.epochsWith(b.epoch(), rh.seq() + 1, 0));
      last.add(TxnOp.cas(StoreKeys.head(localDc, rq), next.toBytes(), head.map(KvEntry::modifyIndex).orElse(0L)));
    }
    Map<String, Long> merged = new HashMap<>(old);
    long recovered = old.getOrDefault("recovered", 0L) + b.hits();
    merged.put("recovered", recovered);
    merged.put("recoveredTo", theirs.seq());
    merged.merge("hits", recovered, Math::max);
    merged.merge("to", theirs.seq(), Math::max);
    merged.merge("unread", b.unread(), Long::sum);
    merged.put("from", from);
    merged.putIfAbsent("at", System.currentTimeMillis());
    last.add(TxnOp.cas(LostKeys.key(localDc, q, from, theirs.epochOf(from)), FiguresCodec.write(merged), record.map(KvEntry::modifyIndex).orElse(0L)));
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (List<TxnOp> txn : EntryCopy.pack(b.last(), last)) {
      chain = chain.thenCompose(v -> consul.txn(null, txn).thenAccept(t -> {
        if (!t.committed()) {
          throw new IllegalStateException("bringing back entries of queue " + q + " conflicted (" + t.errors() + "); next round");
        }
      }));
    }
    return chain.thenRun(() -> {
      LOG.error("the store of {} went back (a restore or a wipe): entries {}-{} of queue {} brought back from the copy in {} into queue {}: {} hits{}",
          localDc, from, theirs.seq(), q, target, rq, b.hits(), b.unread() > 0 ? "; " + b.unread() + " entries could not be read there" : "");
      Counter.builder("hitcounter.store.recovered.hits").tag("datacenter", localDc)
          .description("Hits a rollback of the datacenter's store lost that this node brought back from a copy").register(registry).increment(b.hits());
    });
  }
}
