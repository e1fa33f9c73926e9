package hitcounter.replicate;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.TxnOp;
import hitcounter.infra.consul.TxnResult;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Copies this datacenter's journal entries into a target, a few at a time, then the heads that
 * name them and the heartbeat in the last transaction (each head a CAS against the copy's
 * ModifyIndex). Entries are immutable: a copy writes them with plain sets, and a round cut off
 * goes on where it got to, as long as the head there has not changed.
 */
final class EntryCopy {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EntryCopy.class);

  private final Consul consul;
  private final String localDc;

  EntryCopy(Consul consul) {
    this.consul = consul;
    this.localDc = consul.localDatacenter();
  }

  /**
   * Entries are fetched here and written there this many at a time. After a long cut a round
   * has thousands of entries to copy (up to 192 KiB each): fetching them all at once flooded the
   * node's own Consul connection pool (max-open-requests) and stopped its counting too, and
   * would hold them all in memory.
   */
  static final int ENTRIES_PER_STEP = 16;

  /** One entry to copy: its queue, its seq, its key. */
  private record EntryRef(String queue, long seq, String key) {}

  /**
   * Entries an unfinished round already wrote in a target beyond its copy's head: target, then
   * queue, then {head's ModifyIndex there when they were written, last seq written}. The next
   * round goes on from there, as long as that head has not changed meanwhile.
   */
  private final Map<String, Map<String, Ahead>> ahead = new java.util.concurrent.ConcurrentHashMap<>();

  /** How far an unfinished round wrote: against which head there, up to which entry, by which name. */
  private record Ahead(long headIndex, long seq, String key) {}

  CompletionStage<StoreCopy.Result> copy(String target, StoreCopy.Local local, StoreCopy.Remote r, byte[] heartbeat, Map<String, Long> refill) {
    List<EntryRef> entries = new ArrayList<>();
    List<TxnOp> headOps = new ArrayList<>();
    Map<String, Ahead> aheadThere = ahead.computeIfAbsent(target, t -> new java.util.concurrent.ConcurrentHashMap<>());
    for (var e : local.heads().entrySet()) {
      String q = e.getKey();
      QueueHead mine = e.getValue();
      QueueHead theirs = r.heads().getOrDefault(q, QueueHead.EMPTY);
      boolean known = r.heads().containsKey(q);
      Long refillAfter = refill.get(q);
      if (known && mine.equals(theirs) && refillAfter == null) {
        continue;
      }
      // Entries the copied snapshot covers are not needed there (and may be collected here).
      long folded = local.folded().getOrDefault(q, 0L);
      long from = Math.max(theirs.seq(), folded);
      if (mine.seq() < theirs.seq() || !mine.sameNames(theirs, folded + 1, theirs.seq())) {
        // The copy is ahead of its source, or names its entries otherwise: the source went back
        // (a restore, a wipe) and was written again in a new epoch. The copy follows the source
        // from its snapshot on; what only the copy held is lost here (decision 0012).
        LOG.error("the copy of queue {} of {} in {} holds entry {} ({} hits counted) where the source holds entry {} ({} hits) in other names:"
            + " the source's store went back; the copy follows it", q, localDc, target, theirs.seq(), theirs.counted(), mine.seq(), mine.counted());
        from = folded;
      }
      // Entries an unfinished round wrote against the same head, by the same names, are there already.
      long headIndex = r.headIndexes().getOrDefault(q, 0L);
      if (refillAfter != null) {
        // Entries there were collected, or found missing: copied again, whatever a round wrote before.
        from = Math.max(folded, Math.min(from, refillAfter));
        aheadThere.remove(q);
      }
      Ahead written = aheadThere.get(q);
      if (written != null && written.headIndex() == headIndex && written.seq() <= mine.seq() && written.key().equals(mine.entryKey(localDc, q, written.seq()))) {
        from = Math.max(from, written.seq());
      }
      for (long seq = from + 1; seq <= mine.seq(); seq++) {
        entries.add(new EntryRef(q, seq, mine.entryKey(localDc, q, seq)));
      }
      headOps.add(TxnOp.cas(StoreKeys.head(localDc, q), local.headBytes().get(q), headIndex));
    }
    // A queue archived here (no head, not in the manifest) loses its head in the copy too.
    for (var e : r.heads().entrySet()) {
      if (!local.heads().containsKey(e.getKey()) && !local.folded().containsKey(e.getKey()) && local.pointer().gen() == r.pointer().gen()) {
        headOps.add(TxnOp.deleteCas(StoreKeys.head(localDc, e.getKey()), r.headIndexes().getOrDefault(e.getKey(), 0L)));
      }
    }
    if (local.marker() != null && !java.util.Arrays.equals(local.marker(), r.marker())) {
      headOps.add(TxnOp.set(hitcounter.store.StoreMarker.key(localDc), local.marker()));
    }
    // The heartbeat says "this copy is current": it holds only if the copy is still what this
    // round took it for. A target wiped or restored since has other ModifyIndexes (or no keys),
    // fails the checks, and the next round reads it again instead of calling it fresh.
    java.util.Set<String> moved = new java.util.HashSet<>();
    headOps.forEach(op -> moved.add(op.key()));
    r.headIndexes().forEach((q, index) -> {
      if (!moved.contains(StoreKeys.head(localDc, q)) && index > 0) {
        headOps.add(TxnOp.checkIndex(StoreKeys.head(localDc, q), index));
      }
    });
    if (r.pointer().gen() > 0 && r.pointerIndex() > 0) {
      headOps.add(TxnOp.checkIndex(StoreKeys.snapshotPointer(localDc), r.pointerIndex()));
    }
    headOps.add(TxnOp.set(HeartbeatView.ROOT + localDc, heartbeat));

    long[] bytes = {0};
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int i = 0; i < entries.size(); i += ENTRIES_PER_STEP) {
      List<EntryRef> step = entries.subList(i, Math.min(entries.size(), i + ENTRIES_PER_STEP));
      chain = chain.thenCompose(v -> copyStep(target, step, r, aheadThere, bytes));
    }
    Map<String, Long> written = new HashMap<>();
    return chain.thenCompose(v -> {
      List<List<TxnOp>> txns = pack(List.of(), headOps);
      bytes[0] += txns.stream().flatMap(List::stream).mapToLong(TxnOp::bodyBytes).sum();
      CompletableFuture<TxnResult> heads = CompletableFuture.completedFuture(null);
      for (List<TxnOp> ops : txns) {
        heads = heads.thenCompose(prev -> {
          if (prev != null && !prev.committed()) {
            return CompletableFuture.completedFuture(prev);
          }
          return consul.txn(target, ops).toCompletableFuture().thenApply(t -> {
            written.putAll(t.modifyIndexes());
            return t;
          });
        });
      }
      return heads;
    }).thenApply(last -> {
      if (last == null || !last.committed()) {
        throw new IllegalStateException("a head copy in " + target + " moved meanwhile: " + (last == null ? "" : last.errors()));
      }
      aheadThere.clear();
      Map<String, QueueHead> heads = new TreeMap<>(r.heads());
      Map<String, Long> indexes = new HashMap<>(r.headIndexes());
      for (TxnOp op : headOps) {
        String[] dcAndName = StoreKeys.headOf(op.key());
        if (dcAndName == null || !StoreKeys.isQueue(dcAndName[1]) || op.verb() == TxnOp.Verb.CHECK_INDEX) {
          continue;
        }
        if (op.verb() == TxnOp.Verb.DELETE_CAS) {
          heads.remove(dcAndName[1]);
          indexes.remove(dcAndName[1]);
        } else {
          heads.put(dcAndName[1], local.heads().get(dcAndName[1]));
          indexes.put(dcAndName[1], written.getOrDefault(op.key(), 0L));
        }
      }
      return new StoreCopy.Result(new StoreCopy.Remote(r.pointer(), r.pointerIndex(), heads, indexes, local.marker()), bytes[0], CopyGarbage.NONE);
    });
  }

  /** Fetches a few entries here, writes them there (plain sets: immutable, idempotent), and notes how far it got. */
  private CompletableFuture<Void> copyStep(String target, List<EntryRef> step, StoreCopy.Remote r, Map<String, Ahead> aheadThere, long[] bytes) {
    List<CompletableFuture<TxnOp>> fetches = new ArrayList<>();
    for (EntryRef e : step) {
      fetches.add(consul.kvGetRaw(null, e.key()).thenApply(v -> v.map(value -> TxnOp.set(e.key(), value)).orElse(null)).toCompletableFuture());
    }
    return CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new)).thenCompose(x -> {
      List<TxnOp> ops = new ArrayList<>();
      for (CompletableFuture<TxnOp> f : fetches) {
        TxnOp op = f.join();
        if (op == null) {
          // Folded and collected here meanwhile: the snapshot (next round) covers it.
          throw new IllegalStateException("an entry to copy is gone locally; next round copies the snapshot");
        }
        ops.add(op);
      }
      CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
      for (List<TxnOp> txn : pack(ops, List.of())) {
        if (txn.isEmpty()) {
          continue;
        }
        bytes[0] += txn.stream().mapToLong(TxnOp::bodyBytes).sum();
        writes = writes.thenCompose(v -> consul.txn(target, txn).toCompletableFuture().thenAccept(t -> {
          if (!t.committed()) {
            throw new IllegalStateException("entries not written in " + target + ": " + t.errors());
          }
        }));
      }
      return writes.thenRun(() -> {
        for (EntryRef e : step) {
          aheadThere.merge(e.queue(), new Ahead(r.headIndexes().getOrDefault(e.queue(), 0L), e.seq(), e.key()),
              (old, now) -> old.headIndex() == now.headIndex() && old.seq() > now.seq() ? old : now);
        }
      });
    });
  }

  /** Entries first, in transactions within the op and byte limits; the heads and heartbeat in the last one. */
  static List<List<TxnOp>> pack(List<TxnOp> entries, List<TxnOp> heads) {
    List<List<TxnOp>> out = new ArrayList<>();
    List<TxnOp> current = new ArrayList<>();
    out.add(current);
    long bytes = 0;
    // The heads (and, last of all, the heartbeat) after every entry they name.
    for (List<TxnOp> part : List.of(entries, heads)) {
      for (TxnOp op : part) {
        if (!current.isEmpty() && (current.size() + 1 > TxnOp.MAX_OPS || bytes + op.bodyBytes() > TxnOp.PACK_BODY_BYTES)) {
          current = new ArrayList<>();
          out.add(current);
          bytes = 0;
        }
        current.add(op);
        bytes += op.bodyBytes();
      }
    }
    return out;
  }
}
