package hitcounter.replicate;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.time.Duration;
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
 * One round of copying this datacenter's count store into another datacenter (the snapshot by
 * {@link SnapshotCopy}, then the journal by {@link EntryCopy}). Every key copied
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
  record Result(Remote remote, long bytes, CopyGarbage garbage) {}

  private final Consul consul;
  private final String localDc;
  private final SnapshotCopy snapshots;
  private final EntryCopy entries;

  private final RollbackRecovery recovery;
  private final hitcounter.store.SnapshotsInUse inUse;

  StoreCopy(Consul consul) {
    this(consul, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  StoreCopy(Consul consul, io.micrometer.core.instrument.MeterRegistry registry) {
    this(consul, registry, new hitcounter.store.SnapshotsInUse());
  }

  StoreCopy(Consul consul, io.micrometer.core.instrument.MeterRegistry registry, hitcounter.store.SnapshotsInUse inUse) {
    this.consul = consul;
    this.localDc = consul.localDatacenter();
    this.snapshots = new SnapshotCopy(consul, inUse);
    this.entries = new EntryCopy(consul);
    this.recovery = new RollbackRecovery(consul, registry);
    this.inUse = inUse;
  }

  /**
   * One round into {@code target}. With no state of the target known from the last round (the
   * first round, or one after a failure), the target is read, and its journal listed to find
   * entries its heads name that it does not hold (a wipe, a restore, a collect after the source
   * went back): those are copied again.
   */
  CompletionStage<Result> round(String target, Local local, Remote known, byte[] heartbeat) {
    CompletionStage<Remote> remote = known != null ? CompletableFuture.completedFuture(known) : readRemote(target);
    return remote.thenCompose(r -> {
      // A round that copies a snapshot may take longer than a fold and its grace: the journal
      // entries it copies after the snapshot stay until it is done, as the snapshot does.
      Object token = local.pointer().equals(r.pointer()) ? null : inUse.use(unfolded(local));
      return CompletableFuture.completedFuture(null).thenCompose(x -> sameStore(target, local, r)) // a refusal fails the chain: the token is released
          .thenCompose(same -> confirmBehind(target, local, r))
          .thenCompose(x -> known != null ? CompletableFuture.completedFuture(Map.<String, Long>of()) : missing(target, local, r))
          .thenCompose(missing -> snapshots.copy(target, local, r)
              .thenCompose(snap -> entries.copy(target, local, snap.remote(), heartbeat, earliest(missing, snap.refill()))
                  .thenApply(after -> new Result(after.remote(), snap.bytes() + after.bytes(), snap.garbage()))))
          .whenComplete((x, e) -> {
            if (token != null) {
              inUse.release(token);
            }
          });
    });
  }

  /** The keys of the journal entries {@code local} names past its snapshot. */
  private List<String> unfolded(Local local) {
    List<String> keys = new java.util.ArrayList<>();
    local.heads().forEach((q, h) -> {
      for (long seq = local.folded().getOrDefault(q, 0L) + 1; seq <= h.seq(); seq++) {
        keys.add(h.entryKey(localDc, q, seq));
      }
    });
    return keys;
  }

  /**
   * A copy marked as another store (another marker id) is never written over: this datacenter's
   * store was declared new while a copy of the one before it still existed (its Consul lost its
   * data and no other datacenter answered within the grace). Following would wipe the last copy
   * of those counts; the round fails instead, with the reason, until an operator decides
   * (docs/operations.md).
   */
  private CompletionStage<Void> sameStore(String target, Local local, Remote r) {
    var mine = local.marker() == null ? Optional.<hitcounter.store.StoreMarker>empty() : hitcounter.store.StoreMarker.parse(local.marker());
    var theirs = r.marker() == null ? Optional.<hitcounter.store.StoreMarker>empty() : hitcounter.store.StoreMarker.parse(r.marker());
    if (mine.isPresent() && theirs.isPresent() && !mine.get().id().equals(theirs.get().id())) {
      throw new IllegalStateException("the copy of " + localDc + " in " + target + " is of another store (marker " + theirs.get().id() + ", this one "
          + mine.get().id() + "): it holds counts this store does not; it is not written over (docs/operations.md, 'A store declared new')");
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Whether the copy is ahead of what this node holds of its own store: its pointer a newer
   * generation, or a head further on or naming entries otherwise. That is a rollback of the
   * source only if the source's Consul says so too: a node whose own view is behind (just
   * started, just handed the keeper over) must not move the copies back. The source's heads and
   * pointer are read again from its Consul, and the round goes on only if they are what this
   * node holds; then what the copy holds beyond the source is brought back ({@link RollbackRecovery}).
   */
  private CompletionStage<Void> confirmBehind(String target, Local local, Remote r) {
    if (!behind(local.pointer(), local.heads(), local.folded(), r)) {
      return CompletableFuture.completedFuture(null);
    }
    return readRemote(null).thenCompose(source -> {
      if (!behind(source.pointer(), source.heads(), local.folded(), r) || !prefixOf(local, source)) {
        throw new IllegalStateException("the copy of " + localDc + " in " + target + " is ahead of what this node holds of its own store, and"
            + " its Consul holds more: this node's view is behind; nothing goes back, next round");
      }
      // A rollback, confirmed by the source's Consul: what only the copy holds is brought back
      // into the source (from the source's heads as read now) before the copy follows.
      return recovery.recover(target, source, local.folded(), r);
    });
  }

  /** Whether the copy {@code r} is ahead of this store: a newer pointer, or a head further on or naming entries otherwise. */
  private static boolean behind(hitcounter.store.SnapshotPointer pointer, Map<String, QueueHead> heads, Map<String, Long> folded, Remote r) {
    return pointer.gen() < r.pointer().gen() || heads.entrySet().stream().anyMatch(e -> {
      QueueHead theirs = r.heads().get(e.getKey());
      return theirs != null && (e.getValue().seq() < theirs.seq()
          || !e.getValue().sameNames(theirs, folded.getOrDefault(e.getKey(), 0L) + 1, theirs.seq()));
    });
  }

  /**
   * Whether this node's view is the source's store, or an earlier moment of it since the
   * rollback: no newer snapshot, every head at most as far and naming its entries alike.
   */
  private static boolean prefixOf(Local local, Remote source) {
    if (local.pointer().gen() > source.pointer().gen()) {
      return false;
    }
    return local.heads().entrySet().stream().allMatch(e -> {
      QueueHead there = source.heads().get(e.getKey());
      long folded = local.folded().getOrDefault(e.getKey(), 0L);
      return there != null && e.getValue().seq() <= there.seq() && e.getValue().sameNames(there, folded + 1, e.getValue().seq());
    });
  }

  /**
   * Per queue, the seq after which the target lacks an entry its head names (between what the
   * source's snapshot folded and the copy's head): listed once, on a round that starts from a
   * fresh read of the target.
   */
  private CompletionStage<Map<String, Long>> missing(String target, Local local, Remote r) {
    if (r.heads().isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return consul.kvKeys(target, StoreKeys.storePrefix(localDc) + "j/").thenApply(keys -> {
      Set<String> there = new HashSet<>(keys);
      Map<String, Long> out = new HashMap<>();
      r.heads().forEach((q, theirs) -> {
        QueueHead mine = local.heads().get(q);
        if (mine == null) {
          return;
        }
        for (long seq = local.folded().getOrDefault(q, 0L) + 1; seq <= theirs.seq(); seq++) {
          if (!there.contains(theirs.entryKey(localDc, q, seq))) {
            LOG.warn("the copy of queue {} of {} in {} lacks entry {} its head names; copying again from there", q, localDc, target, seq);
            out.put(q, seq - 1);
            return;
          }
        }
      });
      return out;
    });
  }

  private static Map<String, Long> earliest(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> out = new HashMap<>(a);
    b.forEach((q, seq) -> out.merge(q, seq, Math::min));
    return out;
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

  /**
   * Deletes garbage in the target, 64 keys to a transaction, each batch made when the last is
   * deleted, less what the copy's current manifest still needs: the copy may have moved since
   * the round that made the garbage (back, after a restore of the source), and its pointer's
   * manifest is the judge (StoreGarbage). With no pointer there, only snapshot keys go.
   */
  CompletionStage<Void> delete(String target, CopyGarbage garbage) {
    return readRemote(target).thenCompose(r -> {
      if (r.pointer().gen() == 0) {
        String prefix = StoreKeys.storePrefix(localDc);
        return deleteNext(target, garbage.batches(TxnOp.MAX_OPS),
            batch -> batch.stream().filter(k -> k.startsWith(prefix + "s/") || k.startsWith(prefix + "m/")).toList());
      }
      return consul.kvGetRaw(target, r.pointer().manifestKey()).thenCompose(v -> {
        Manifest m = v.flatMap(Manifest::parse).orElse(null);
        if (m == null) {
          return CompletableFuture.completedFuture(null); // the sweep decides later
        }
        return deleteNext(target, garbage.batches(TxnOp.MAX_OPS), batch -> hitcounter.store.StoreGarbage.of(m, r.pointer().manifestKey(), batch));
      });
    });
  }

  private CompletionStage<Void> deleteNext(String target, java.util.Iterator<List<String>> batches, java.util.function.UnaryOperator<List<String>> filter) {
    if (!batches.hasNext()) {
      return CompletableFuture.completedFuture(null);
    }
    List<TxnOp> ops = filter.apply(batches.next()).stream().map(TxnOp::delete).toList();
    CompletionStage<?> done = ops.isEmpty() ? CompletableFuture.completedFuture(null) : consul.txn(target, ops);
    return done.thenCompose(t -> deleteNext(target, batches, filter));
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
