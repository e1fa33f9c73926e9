package hitcounter.replicate;

import hitcounter.config.ConfigKeys;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import hitcounter.store.StoreMarker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure this datacenter's store is the one the others know, on the keeper, every
 * {@code interval}: its marker ({@link StoreMarker}) is there, or it is decided now:
 *
 * <ul>
 *   <li>the store has heads but no marker (it predates markers): it gets one;
 *   <li>it is empty, and another datacenter holds a copy of it: this datacenter's Consul lost
 *       its data (wiped, or restored from an older snapshot without it); the store is
 *       <b>restored</b> from the most advanced copy (snapshot, entries, heads with their
 *       applied records, settings and audit figures written here), then marked. Workers do not
 *       commit to a store without marker, so nothing is counted twice meanwhile. What was
 *       committed here after that copy was made is lost: logged at ERROR, and it shows in
 *       /api/audit as a gap (the nodes still report what they acknowledged);
 *   <li>it is empty and no other datacenter holds a copy (all answered): it is new;
 *   <li>another datacenter does not answer: it waits (it cannot tell a new store from a lost one).
 * </ul>
 */
public final class StoreGuard {
  public sealed interface Command {}

  private enum Check implements Command {
    INSTANCE
  }

  private record Done(boolean marked, Throwable failure) implements Command {}

  private static final Logger LOG = LoggerFactory.getLogger(StoreGuard.class);

  private StoreGuard() {}

  public static Behavior<Command> create(Consul consul, Duration interval, Duration newStoreGrace) {
    long[] emptySince = {0};
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Check.INSTANCE, Duration.ZERO, interval);
      boolean[] busy = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Check.class, m -> {
            if (!busy[0]) {
              busy[0] = true;
              ctx.pipeToSelf(check(consul, emptySince, newStoreGrace), (marked, e) -> new Done(e == null && marked, e));
            }
            return Behaviors.same();
          })
          .onMessage(Done.class, m -> {
            busy[0] = false;
            if (m.failure() != null) {
              ctx.getLog().warn("store guard: {}", m.failure().toString());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /**
   * Completes with true once the local store is marked. {@code emptySince} holds when this guard
   * first found the store empty with no other datacenter to ask (0: not so): a store is declared
   * new without asking only {@code newStoreGrace} after that, not after the guard started (a
   * Consul wiped hours after the node started would otherwise be declared new at once, before
   * its WAN federation is back).
   */
  static CompletionStage<Boolean> check(Consul consul, long[] emptySince, Duration newStoreGrace) {
    String dc = consul.localDatacenter();
    return consul.kvTree(null, StoreKeys.headsPrefix(dc), 0, Duration.ZERO).thenCompose(local -> {
      boolean marked = local.value().stream().anyMatch(e -> e.key().equals(StoreMarker.key(dc)));
      if (marked) {
        emptySince[0] = 0;
        return CompletableFuture.completedFuture(true);
      }
      return consul.datacenters().thenCompose(all -> {
        List<String> others = all.stream().filter(d -> !d.equals(dc)).toList();
        long now = System.currentTimeMillis();
        if (others.isEmpty() && local.value().isEmpty()) {
          if (emptySince[0] == 0) {
            emptySince[0] = now;
          }
          if (now - emptySince[0] < newStoreGrace.toMillis()) {
            return CompletableFuture.completedFuture(false); // federation may not be back yet
          }
        } else {
          emptySince[0] = 0;
        }
        return copies(consul, dc, others).thenCompose(best -> decide(consul, dc, Copy.of(dc, dc, local.value()), best));
      });
    });
  }

  /** The most advanced copy of {@code dc}'s store with a marker among {@code others}, or null. */
  private static CompletionStage<Copy> copies(Consul consul, String dc, List<String> others) {
    List<CompletableFuture<Copy>> copies = new ArrayList<>();
    for (String other : others) {
      copies.add(consul.kvTree(other, StoreKeys.headsPrefix(dc), 0, Duration.ZERO)
          .thenApply(t -> Copy.of(other, dc, t.value())).toCompletableFuture());
    }
    return CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).thenApply(x -> {
      Copy best = null;
      for (CompletableFuture<Copy> c : copies) {
        Copy copy = c.join();
        if (copy.marker() != null && (best == null || copy.progress() > best.progress())) {
          best = copy;
        }
      }
      return best;
    });
  }

  /**
   * A store without marker: with heads and no marked copy anywhere, it predates markers; with
   * heads behind a marked copy, a restore was cut off (heads are written last, the marker after
   * them): it goes on; empty, it is restored from the best copy, or new if there is none.
   */
  private static CompletionStage<Boolean> decide(Consul consul, String dc, Copy local, Copy best) {
    if (best == null) {
      if (!local.raw().isEmpty()) {
        LOG.info("the store of {} predates store markers: marking it", dc);
      } else {
        LOG.info("the store of {} is new (no other datacenter holds a copy of it): marking it", dc);
      }
      return mark(consul, dc, null);
    }
    if (!local.raw().isEmpty() && local.progress() > best.progress()) {
      LOG.warn("the store of {} has no marker but is ahead of every copy ({} holds less): marking it as it is", dc, best.dc());
      return mark(consul, dc, null);
    }
    Copy from = best;
    LOG.error("the store of {} is {} its Consul, and {} holds a copy: restoring it from there", dc,
        local.raw().isEmpty() ? "gone from" : "partly restored in", from.dc());
    return restore(consul, dc, from).thenCompose(counted -> {
      LOG.error("restored the store of {} from {}: heads {}, {} hits counted. Anything committed here after that copy was made is lost:"
          + " /api/audit shows it as a gap between accepted and counted", dc, from.dc(), from.seqs(), counted);
      return mark(consul, dc, from);
    });
  }

  /** What another datacenter holds of this one's heads. */
  record Copy(String dc, StoreMarker marker, SnapshotPointer pointer, Map<String, QueueHead> heads, Map<String, byte[]> raw) {
    static Copy of(String holder, String owner, List<KvEntry> entries) {
      StoreMarker marker = null;
      SnapshotPointer pointer = SnapshotPointer.NONE;
      Map<String, QueueHead> heads = new TreeMap<>();
      Map<String, byte[]> raw = new TreeMap<>();
      for (KvEntry e : entries) {
        String[] dcAndName = StoreKeys.headOf(e.key());
        if (dcAndName == null) {
          continue;
        }
        if (dcAndName[1].equals(StoreMarker.NAME)) {
          marker = StoreMarker.parse(e.value()).orElse(null);
        } else if (dcAndName[1].equals(StoreKeys.SNAPSHOT)) {
          pointer = SnapshotPointer.parse(e.value()).orElse(SnapshotPointer.NONE);
          raw.put(e.key(), e.value());
        } else if (StoreKeys.isQueue(dcAndName[1])) {
          QueueHead.parse(e.value()).ifPresent(h -> heads.put(dcAndName[1], h));
          raw.put(e.key(), e.value());
        }
      }
      return new Copy(holder, marker, pointer, heads, raw);
    }

    long progress() {
      return pointer.gen() + heads.values().stream().mapToLong(QueueHead::seq).sum();
    }

    Map<String, Long> seqs() {
      Map<String, Long> out = new TreeMap<>();
      heads.forEach((q, h) -> out.put(q, h.seq()));
      return out;
    }
  }

  /** Copies the store of {@code dc} from {@code from} into the local Consul; completes with the hits it holds. */
  private static CompletionStage<Long> restore(Consul consul, String dc, Copy from) {
    CompletionStage<Manifest> manifest = from.pointer().gen() == 0
        ? CompletableFuture.completedFuture(Manifest.EMPTY)
        : consul.kvGetRaw(from.dc(), from.pointer().manifestKey()).thenCompose(v -> consul.kvPut(null, from.pointer().manifestKey(), v.orElseThrow())
            .thenApply(ok -> Manifest.parse(v.get()).orElseThrow()));
    return manifest.thenCompose(m -> {
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (Manifest.Shard s : m.shards()) {
        chain = chain.thenCompose(x -> consul.kvGetRaw(from.dc(), s.key()).thenCompose(v -> consul.kvPut(null, s.key(), v.orElseThrow())).thenAccept(ok -> {}));
      }
      List<TxnOp> ops = new ArrayList<>();
      List<CompletableFuture<TxnOp>> entries = new ArrayList<>();
      chain = chain.thenCompose(x -> {
        List<String> keys = new ArrayList<>();
        from.heads().forEach((q, h) -> {
          for (long seq = m.foldedSeq(q) + 1; seq <= h.seq(); seq++) {
            keys.add(h.entryKey(dc, q, seq));
          }
        });
        // A few at a time: up to max-entries of them, and the pool to another datacenter is small.
        CompletableFuture<Void> steps = CompletableFuture.completedFuture(null);
        for (int i = 0; i < keys.size(); i += EntryCopy.ENTRIES_PER_STEP) {
          List<String> step = keys.subList(i, Math.min(keys.size(), i + EntryCopy.ENTRIES_PER_STEP));
          steps = steps.thenCompose(v -> {
            List<CompletableFuture<TxnOp>> fetched = new ArrayList<>();
            for (String key : step) {
              fetched.add(consul.kvGetRaw(from.dc(), key).thenApply(value -> TxnOp.set(key, value.orElseThrow())).toCompletableFuture());
            }
            entries.addAll(fetched);
            return CompletableFuture.allOf(fetched.toArray(CompletableFuture[]::new));
          });
        }
        return steps;
      });
      // Settings written here come back too; the records of past rollbacks too: they
      // keep a recovery from bringing entries back twice. (Audit figures are merged back by the
      // keeper's audit folder, every fold interval, from every copy: decision 0018.)
      List<String> smallPrefixes = List.of(ConfigKeys.prefix(dc), hitcounter.audit.LostKeys.prefix(dc));
      List<TxnOp> small = new ArrayList<>();
      for (String prefix : smallPrefixes) {
        chain = chain.thenCompose(x -> consul.kvTree(from.dc(), prefix, 0, Duration.ZERO))
            .thenAccept(tree -> tree.value().forEach(e -> small.add(TxnOp.set(e.key(), e.value()))));
      }

      chain = chain.thenRun(() -> {
        entries.forEach(e -> ops.add(e.join()));
        ops.addAll(small);
        from.raw().forEach((k, v) -> ops.add(TxnOp.set(k, v))); // heads and pointer, after everything they name
      });
      // Resets merge in first (CAS, one key a write), never set over: what the keeper merged back
      // from a fresher copy, or a reset asked since the wipe, stays; a key written meanwhile is
      // left to the keeper's merge back (decision 0019). Before the heads: no count shows without
      // the resets that mask it.
      String resets = hitcounter.config.ResetRecord.prefix(dc);
      chain = chain.thenCompose(x -> consul.kvTree(from.dc(), resets, 0, Duration.ZERO)
          .thenCombine(consul.kvTree(null, resets, 0, Duration.ZERO), (copy, local) -> hitcounter.config.ResetFold.back(dc, copy.value(), local.value()))
          .thenCompose(merges -> hitcounter.infra.consul.SingleWrites.each(consul, merges, op -> { }))
          .exceptionally(e -> {
            LOG.warn("the resets of {} not merged in from {} with the store (the keeper merges them back within a fold interval): {}", dc, from.dc(),
                e.toString());
            return null;
          }));
      return chain.thenCompose(x -> {
        CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
        for (List<TxnOp> txn : EntryCopy.pack(ops, List.of())) {
          if (!txn.isEmpty()) {
            writes = writes.thenCompose(y -> consul.txn(null, txn).thenAccept(r -> {
              if (!r.committed()) {
                throw new IllegalStateException("restore write refused: " + r.errors());
              }
            }));
          }
        }
        return writes.thenApply(y -> m.archivedCounted() + from.heads().values().stream().mapToLong(QueueHead::counted).sum());
      });
    });
  }

  private static CompletionStage<Boolean> mark(Consul consul, String dc, Copy restoredFrom) {
    StoreMarker marker = restoredFrom == null
        ? new StoreMarker(UUID.randomUUID().toString(), System.currentTimeMillis(), null, 0)
        : new StoreMarker(restoredFrom.marker().id(), restoredFrom.marker().createdAt(), restoredFrom.dc(), System.currentTimeMillis());
    return consul.txn(null, List.of(TxnOp.cas(StoreMarker.key(dc), marker.toBytes(), 0))).thenApply(r -> true);
  }
}
