package hitcounter.replicate;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.infra.consul.TxnResult;
import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One round of copying this datacenter's count store into another datacenter. Every key copied
 * is immutable (entries, shards, manifests: an idempotent put of the same bytes) except the
 * heads and the snapshot pointer, which only move forward (CAS against the copy's ModifyIndex,
 * written only when the local one is ahead): a state-based, max-merge copy that can be
 * repeated, reordered or raced. Order keeps the copy readable at every moment: a new snapshot's
 * shards, then its manifest, then its pointer; entries, then the heads that name them (with the
 * heartbeat, in the last transaction). Bytes sent follow what changed since the copy last
 * succeeded. What the new snapshot replaced in the copy is deleted afterwards.
 */
final class StoreCopy {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreCopy.class);
  /** What this datacenter's keys look like in the target, as last read or written there. */
  record Remote(SnapshotPointer pointer, long pointerIndex, Map<String, QueueHead> heads, Map<String, Long> headIndexes, byte[] marker) {
    static final Remote UNKNOWN = null;
  }

  /**
   * This datacenter's own pointer (with the folded seq per queue of its manifest) and heads,
   * from the local watch.
   */
  record Local(SnapshotPointer pointer, Map<String, Long> folded, Map<String, QueueHead> heads, Map<String, byte[]> headBytes, byte[] marker) {}

  /** A finished round: the target's new state, bytes sent, what the target no longer needs. */
  record Result(Remote remote, long bytes, List<String> garbage) {}

  private final Consul consul;
  private final String localDc;

  StoreCopy(Consul consul) {
    this.consul = consul;
    this.localDc = consul.localDatacenter();
  }

  CompletionStage<Result> round(String target, Local local, Remote known, byte[] heartbeat) {
    CompletionStage<Remote> remote = known != null ? CompletableFuture.completedFuture(known) : readRemote(target);
    return remote.thenCompose(r -> copySnapshot(target, local, r)
        .thenCompose(afterSnap -> copyEntries(target, local, afterSnap.remote(), heartbeat)
            .thenApply(afterEntries -> new Result(afterEntries.remote(), afterSnap.bytes() + afterEntries.bytes(), afterSnap.garbage()))));
  }

  /** This datacenter's heads and pointer as the target holds them. */
  CompletionStage<Remote> readRemote(String target) {
    return consul.kvTree(target, StoreKeys.headsPrefix(localDc), 0, Duration.ZERO).thenApply(tree -> {
      SnapshotPointer pointer = SnapshotPointer.NONE;
      long pointerIndex = 0;
      byte[] marker = null;
      Map<String, QueueHead> heads = new TreeMap<>();
      Map<String, Long> indexes = new HashMap<>();
      for (KvEntry e : tree.value()) {
        String[] dcAndName = StoreKeys.headOf(e.key());
        if (dcAndName == null) {
          continue;
        }
        if (dcAndName[1].equals(hitcounter.store.StoreMarker.NAME)) {
          marker = e.value();
        } else if (!StoreKeys.isQueue(dcAndName[1]) && !dcAndName[1].equals(StoreKeys.SNAPSHOT)) {
          continue;
        } else if (dcAndName[1].equals(StoreKeys.SNAPSHOT)) {
          pointer = SnapshotPointer.parse(e.value()).orElse(SnapshotPointer.NONE);
          pointerIndex = e.modifyIndex();
        } else {
          // A copy that does not parse is written over.
          heads.put(dcAndName[1], QueueHead.parse(e.value()).orElse(QueueHead.EMPTY));
          indexes.put(dcAndName[1], e.modifyIndex());
        }
      }
      return new Remote(pointer, pointerIndex, heads, indexes, marker);
    });
  }

  private CompletionStage<Result> copySnapshot(String target, Local local, Remote r) {
    if (local.pointer().equals(r.pointer())) {
      return CompletableFuture.completedFuture(new Result(r, 0, List.of()));
    }
    if (local.pointer().gen() < r.pointer().gen()) {
      // Manifest keys are never reused, gens can be (a restore): the source's pointer is the truth.
      LOG.error("the snapshot pointer of {} in {} names generation {}, ahead of the source's {}: the source's store went back (a restore"
          + " or a wipe); the copy follows it", localDc, target, r.pointer().gen(), local.pointer().gen());
    }
    CompletionStage<Optional<Manifest>> theirs = r.pointer().gen() == 0
        ? CompletableFuture.completedFuture(Optional.empty())
        : consul.kvGetRaw(target, r.pointer().manifestKey()).thenApply(v -> v.flatMap(Manifest::parse));
    return consul.kvGetRaw(null, local.pointer().manifestKey()).thenCombine(theirs, (mine, old) -> {
      byte[] manifestBytes = mine.orElseThrow(() -> new IllegalStateException("local manifest " + local.pointer().manifestKey() + " is gone; next round"));
      Manifest m = Manifest.parse(manifestBytes).orElseThrow(() -> new IllegalStateException("local manifest does not parse"));
      return new Object[] {manifestBytes, m, old.orElse(null)};
    }).thenCompose(x -> {
      byte[] manifestBytes = (byte[]) x[0];
      Manifest m = (Manifest) x[1];
      Manifest old = (Manifest) x[2];
      Set<String> there = new HashSet<>();
      if (old != null) {
        old.shards().forEach(s -> there.add(s.key()));
      }
      long[] bytes = {0};
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (Manifest.Shard s : m.shards()) {
        if (there.contains(s.key())) {
          continue;
        }
        chain = chain.thenCompose(v -> consul.kvGetRaw(null, s.key()))
            .thenCompose(v -> {
              byte[] value = v.orElseThrow(() -> new IllegalStateException("local shard " + s.key() + " is gone; next round"));
              bytes[0] += value.length + s.key().length();
              return consul.kvPut(target, s.key(), value);
            })
            .thenAccept(ok -> {});
      }
      return chain
          .thenCompose(v -> {
            bytes[0] += manifestBytes.length;
            return consul.kvPut(target, local.pointer().manifestKey(), manifestBytes);
          })
          .thenCompose(v -> {
            byte[] pointer = local.pointer().toBytes();
            bytes[0] += pointer.length;
            return consul.txn(target, List.of(TxnOp.cas(StoreKeys.snapshotPointer(localDc), pointer, r.pointerIndex())));
          })
          .thenApply(t -> {
            if (!t.committed()) {
              throw new IllegalStateException("the snapshot pointer in " + target + " moved meanwhile");
            }
            List<String> garbage = new ArrayList<>();
            if (old != null) {
              Set<String> keep = new HashSet<>();
              m.shards().forEach(s -> keep.add(s.key()));
              old.shards().forEach(s -> {
                if (!keep.contains(s.key())) {
                  garbage.add(s.key());
                }
              });
              garbage.add(r.pointer().manifestKey());
            }
            // Entries the new snapshot folded, named as the copy's heads name them (what a
            // rollback renamed is left to the sweep).
            m.queues().forEach((q, f) -> {
              QueueHead names = r.heads().getOrDefault(q, QueueHead.EMPTY);
              for (long seq = (old == null ? 0 : old.foldedSeq(q)) + 1; seq <= Math.min(f.seq(), names.seq()); seq++) {
                garbage.add(names.entryKey(localDc, q, seq));
              }
            });
            // Queues archived by this snapshot: their entries up to the copy's head go too.
            r.heads().forEach((q, h) -> {
              if (!m.queues().containsKey(q) && !local.heads().containsKey(q)) {
                for (long seq = (old == null ? 0 : old.foldedSeq(q)) + 1; seq <= h.seq(); seq++) {
                  garbage.add(h.entryKey(localDc, q, seq));
                }
              }
            });
            long index = t.modifyIndexes().getOrDefault(StoreKeys.snapshotPointer(localDc), 0L);
            return new Result(new Remote(local.pointer(), index, r.heads(), r.headIndexes(), r.marker()), bytes[0], garbage);
          });
    });
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

  private CompletionStage<Result> copyEntries(String target, Local local, Remote r, byte[] heartbeat) {
    List<EntryRef> entries = new ArrayList<>();
    List<TxnOp> headOps = new ArrayList<>();
    Map<String, Ahead> aheadThere = ahead.computeIfAbsent(target, t -> new java.util.concurrent.ConcurrentHashMap<>());
    for (var e : local.heads().entrySet()) {
      String q = e.getKey();
      QueueHead mine = e.getValue();
      QueueHead theirs = r.heads().getOrDefault(q, QueueHead.EMPTY);
      boolean known = r.heads().containsKey(q);
      if (known && mine.equals(theirs)) {
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
        if (dcAndName == null || !StoreKeys.isQueue(dcAndName[1])) {
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
      return new Result(new Remote(r.pointer(), r.pointerIndex(), heads, indexes, local.marker()), bytes[0], List.of());
    });
  }

  /** Fetches a few entries here, writes them there (plain sets: immutable, idempotent), and notes how far it got. */
  private CompletableFuture<Void> copyStep(String target, List<EntryRef> step, Remote r, Map<String, Ahead> aheadThere, long[] bytes) {
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
    int bytes = 0;
    for (TxnOp op : entries) {
      if (!current.isEmpty() && (current.size() + 1 > TxnOp.MAX_OPS || bytes + op.bodyBytes() > TxnOp.PACK_BODY_BYTES)) {
        out.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(op);
      bytes += op.bodyBytes();
    }
    // Then the heads (and, last of all, the heartbeat): after every entry they name.
    for (TxnOp op : heads) {
      if (!current.isEmpty() && (current.size() + 1 > TxnOp.MAX_OPS || bytes + op.bodyBytes() > TxnOp.PACK_BODY_BYTES)) {
        out.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(op);
      bytes += op.bodyBytes();
    }
    out.add(current);
    return out;
  }

  /** Deletes what this datacenter's copy in {@code target} holds that its manifest no longer names. */
  CompletionStage<Void> sweep(String target) {
    return readRemote(target).thenCompose(r -> {
      if (r.pointer().gen() == 0) {
        return CompletableFuture.completedFuture(null);
      }
      return consul.kvGetRaw(target, r.pointer().manifestKey()).thenCompose(v -> {
        Manifest m = v.flatMap(Manifest::parse).orElse(null);
        if (m == null) {
          return CompletableFuture.completedFuture(null);
        }
        return consul.kvKeys(target, StoreKeys.storePrefix(localDc))
            .thenCompose(keys -> delete(target, hitcounter.store.StoreGarbage.of(m, r.pointer().manifestKey(), keys)));
      });
    });
  }

  /** Deletes keys in the target, 64 to a transaction. */
  CompletionStage<Void> delete(String target, List<String> keys) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int from = 0; from < keys.size(); from += TxnOp.MAX_OPS) {
      List<TxnOp> ops = keys.subList(from, Math.min(keys.size(), from + TxnOp.MAX_OPS)).stream().map(TxnOp::delete).toList();
      chain = chain.thenCompose(x -> consul.txn(target, ops).thenAccept(t -> {}));
    }
    return chain;
  }
}
