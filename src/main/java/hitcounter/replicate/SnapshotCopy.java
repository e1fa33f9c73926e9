package hitcounter.replicate;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Copies this datacenter's snapshot into a target when the target's pointer names another one:
 * the shards the target's manifest does not name, then the manifest, then the pointer (a CAS
 * against the copy's ModifyIndex). Says what the target no longer needs, and, when the copy went
 * back (the source was restored), from which seq each queue's entries must be copied again: the
 * newer snapshot there had let them be collected.
 */
final class SnapshotCopy {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotCopy.class);

  /** The target after the copy, bytes sent, garbage there, and per queue the seq after which entries are copied again. */
  record Copied(StoreCopy.Remote remote, long bytes, CopyGarbage garbage, Map<String, Long> refill) {}

  private final Consul consul;
  private final String localDc;
  private final hitcounter.store.SnapshotsInUse inUse;

  SnapshotCopy(Consul consul, hitcounter.store.SnapshotsInUse inUse) {
    this.consul = consul;
    this.localDc = consul.localDatacenter();
    this.inUse = inUse;
  }

  CompletionStage<Copied> copy(String target, StoreCopy.Local local, StoreCopy.Remote r) {
    if (local.pointer().equals(r.pointer())) {
      return CompletableFuture.completedFuture(new Copied(r, 0, CopyGarbage.NONE, Map.of()));
    }
    if (local.pointer().gen() < r.pointer().gen()) {
      // Manifest keys are never reused, gens can be (a restore): the source's pointer is the truth.
      LOG.error("the snapshot pointer of {} in {} names generation {}, ahead of the source's {}: the source's store went back (a restore"
          + " or a wipe); the copy follows it", localDc, target, r.pointer().gen(), local.pointer().gen());
    }
    if (local.pointer().gen() == 0) {
      return withdraw(target, local, r);
    }
    CompletionStage<Optional<Manifest>> theirs = r.pointer().gen() == 0
        ? CompletableFuture.completedFuture(Optional.empty())
        : consul.kvGetRaw(target, r.pointer().manifestKey()).thenApply(v -> v.flatMap(Manifest::parse));
    return consul.kvGetRaw(null, local.pointer().manifestKey()).thenCombine(theirs, (mine, old) -> {
      byte[] bytes = mine.orElseThrow(() -> new IllegalStateException("local manifest " + local.pointer().manifestKey() + " is gone; next round"));
      Manifest m = Manifest.parse(bytes).orElseThrow(() -> new IllegalStateException("local manifest does not parse"));
      return new Pair(bytes, m, old.orElse(null));
    }).thenCompose(x -> {
      // What this copy reads stays until it is done (the folder does not collect it meanwhile).
      List<String> reading = new java.util.ArrayList<>();
      reading.add(local.pointer().manifestKey());
      x.mine().shards().forEach(sh -> reading.add(sh.key()));
      Object token = inUse.use(reading);
      return consul.kvKeys(target, StoreKeys.storePrefix(localDc) + "s/").thenCompose(present -> write(target, local, r, x, present))
          .whenComplete((c, e) -> inUse.release(token));
    });
  }

  /**
   * The source holds no snapshot (restored to before its first fold) and the copy does: the
   * copy's pointer goes (a CAS), its snapshot becomes garbage, and every entry is copied again.
   */
  private CompletionStage<Copied> withdraw(String target, StoreCopy.Local local, StoreCopy.Remote r) {
    return consul.kvGetRaw(target, r.pointer().manifestKey()).thenApply(v -> v.flatMap(Manifest::parse)).thenCompose(old -> consul
        .txn(target, java.util.List.of(TxnOp.deleteCas(StoreKeys.snapshotPointer(localDc), r.pointerIndex())))
        .thenApply(t -> {
          if (!t.committed()) {
            throw new IllegalStateException("the snapshot pointer in " + target + " moved meanwhile");
          }
          CopyGarbage.Builder garbage = CopyGarbage.builder().key(r.pointer().manifestKey());
          Map<String, Long> refill = new HashMap<>();
          old.ifPresent(m -> m.shards().forEach(s -> garbage.key(s.key())));
          old.ifPresent(m -> m.queues().keySet().forEach(q -> refill.put(q, 0L)));
          return new Copied(new StoreCopy.Remote(local.pointer(), 0, r.heads(), r.headIndexes(), r.marker()), 0, garbage.build(), refill);
        }));
  }

  private record Pair(byte[] manifestBytes, Manifest mine, Manifest old) {}

  /**
   * Shards are immutable, uniquely named and written whole: one the target holds already (named
   * by its manifest, or written by a copy that did not finish, of this snapshot or an older one)
   * is not sent again. A copy slower than a fold therefore goes on with the newer snapshot where
   * it got to instead of starting over (most shards are shared between one snapshot and the next).
   */
  private CompletionStage<Copied> write(String target, StoreCopy.Local local, StoreCopy.Remote r, Pair x, List<String> present) {
    Manifest m = x.mine();
    Manifest old = x.old();
    Set<String> there = new HashSet<>(present);
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
          bytes[0] += x.manifestBytes().length;
          return consul.kvPut(target, local.pointer().manifestKey(), x.manifestBytes());
        })
        .thenCompose(v -> {
          byte[] pointer = local.pointer().toBytes();
          bytes[0] += pointer.length;
          // The heads of queues this snapshot archived go with the pointer, in one transaction:
          // a view there never counts an archived queue's entries and its archive together.
          List<TxnOp> ops = new java.util.ArrayList<>();
          ops.add(TxnOp.cas(StoreKeys.snapshotPointer(localDc), pointer, r.pointerIndex()));
          archivedThere(m, r).forEach(q -> ops.add(TxnOp.deleteCas(StoreKeys.head(localDc, q), r.headIndexes().getOrDefault(q, 0L))));
          return consul.txn(target, ops);
        })
        .thenApply(t -> {
          if (!t.committed()) {
            throw new IllegalStateException("the snapshot pointer (or an archived head) in " + target + " moved meanwhile");
          }
          long index = t.modifyIndexes().getOrDefault(StoreKeys.snapshotPointer(localDc), 0L);
          Set<String> archived = archivedThere(m, r);
          Map<String, QueueHead> heads = new java.util.TreeMap<>(r.heads());
          Map<String, Long> indexes = new HashMap<>(r.headIndexes());
          heads.keySet().removeAll(archived);
          indexes.keySet().removeAll(archived);
          return new Copied(new StoreCopy.Remote(local.pointer(), index, heads, indexes, r.marker()), bytes[0],
              garbage(local, r, m, old), refill(m, old));
        });
  }

  /**
   * The queues whose head in the copy names nothing past what {@code m} archived of them (not
   * folded by {@code m}): at most a transaction's worth with the pointer; more (a target cut off
   * through many archives) are left to the entry copy, after the pointer.
   */
  private static Set<String> archivedThere(Manifest m, StoreCopy.Remote r) {
    Set<String> out = new java.util.TreeSet<>();
    r.heads().forEach((q, h) -> {
      if (!m.queues().containsKey(q) && m.archiveCovers(q, h) && out.size() < TxnOp.MAX_OPS - 1) {
        out.add(q);
      }
    });
    return out;
  }

  /** What the target no longer needs once its pointer names {@code m} instead of {@code old}. */
  private CopyGarbage garbage(StoreCopy.Local local, StoreCopy.Remote r, Manifest m, Manifest old) {
    CopyGarbage.Builder garbage = CopyGarbage.builder();
    if (old != null) {
      Set<String> keep = new HashSet<>();
      m.shards().forEach(s -> keep.add(s.key()));
      old.shards().stream().filter(s -> !keep.contains(s.key())).forEach(s -> garbage.key(s.key()));
      garbage.key(r.pointer().manifestKey());
    }
    // Entries the new snapshot folded, named as the copy's heads name them (what a rollback
    // renamed is left to the sweep).
    m.queues().forEach((q, f) -> {
      QueueHead names = r.heads().getOrDefault(q, QueueHead.EMPTY);
      garbage.entries(localDc, q, names, (old == null ? 0 : old.foldedSeq(q)) + 1, Math.min(f.seq(), names.seq()));
    });
    // Queues archived by this snapshot (or, before manifests named them, gone from the source):
    // their entries up to the copy's head go too.
    Set<String> archived = archivedThere(m, r);
    r.heads().forEach((q, h) -> {
      if (archived.contains(q) || !m.queues().containsKey(q) && !local.heads().containsKey(q)) {
        garbage.entries(localDc, q, h, (old == null ? 0 : old.foldedSeq(q)) + 1, h.seq());
      }
    });
    return garbage.build();
  }

  /**
   * Queues the new snapshot folded less of than the one it replaced there: the target had let
   * their entries past the new folded seq be collected, so they are copied again from there.
   */
  private static Map<String, Long> refill(Manifest m, Manifest old) {
    Map<String, Long> refill = new HashMap<>();
    if (old != null) {
      old.queues().forEach((q, f) -> {
        if (f.seq() > m.foldedSeq(q)) {
          refill.put(q, m.foldedSeq(q));
        }
      });
    }
    return refill;
  }
}
