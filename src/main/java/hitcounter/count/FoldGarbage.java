package hitcounter.count;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.Manifest;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreGarbage;
import hitcounter.store.StoreKeys;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Deleting what a datacenter's folds leave behind, always judged by the manifest the pointer
 * names when the keys are deleted (StoreGarbage), never by the plan made before: a restore to
 * an older snapshot, or a newer flip, may have happened in between. The sweep leaves what a
 * copy is reading ({@link hitcounter.store.SnapshotsInUse}).
 */
final class FoldGarbage {
  private final Consul consul;
  private final String dc;
  private final hitcounter.store.SnapshotsInUse reading;

  FoldGarbage(Consul consul, hitcounter.store.SnapshotsInUse reading) {
    this.consul = consul;
    this.dc = consul.localDatacenter();
    this.reading = reading;
  }

  /**
   * Deletes what a flip made garbage ({@code named}: the flip of {@code manifestKey}), or what a
   * lost flip wrote, less what the pointer's manifest still needs; completes with a note when
   * something was left (null when all went).
   */
  CompletionStage<String> collect(List<String> keys, String manifestKey, boolean named) {
    return consul.kvGet(null, StoreKeys.snapshotPointer(dc)).thenCompose(v -> {
      var pointer = v.flatMap(e -> SnapshotPointer.parse(e.value())).orElse(null);
      if (pointer == null) {
        return CompletableFuture.completedFuture("no snapshot pointer now; " + keys.size() + " keys are left to the sweep");
      }
      if (!named) {
        // Keys of a lost flip carry its nonce: no other manifest names them.
        return pointer.manifestKey().equals(manifestKey)
            ? CompletableFuture.completedFuture("the pointer names " + manifestKey + " after all; nothing of it is deleted")
            : delete(keys).thenApply(x -> (String) null);
      }
      return consul.kvGetRaw(null, pointer.manifestKey()).thenCompose(mv -> {
        Manifest now = mv.flatMap(Manifest::parse).orElse(null);
        if (now == null) {
          return CompletableFuture.completedFuture("the pointer's manifest does not read; " + keys.size() + " keys are left to the sweep");
        }
        List<String> gone = StoreGarbage.of(now, pointer.manifestKey(), keys);
        return delete(gone).thenApply(x -> gone.size() == keys.size() ? (String) null
            : (keys.size() - gone.size()) + " of " + keys.size() + " keys are still named by " + pointer.manifestKey() + " and stay");
      });
    });
  }

  /** Deletes {@code keys}, 64 to a transaction, one transaction after the other. */
  CompletionStage<Void> delete(List<String> keys) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int from = 0; from < keys.size(); from += TxnOp.MAX_OPS) {
      List<TxnOp> ops = keys.subList(from, Math.min(keys.size(), from + TxnOp.MAX_OPS)).stream().map(TxnOp::delete).toList();
      chain = chain.thenCompose(x -> consul.txn(null, ops).thenAccept(r -> {}));
    }
    return chain;
  }

  /**
   * Deletes keys of the store that nothing names: shards and manifests other than the current
   * ones, entries folded already. Keys newer than what the pointer names are left alone (a fold
   * or a commit may be writing them).
   */
  CompletionStage<Void> sweep() {
    return consul.kvGet(null, StoreKeys.snapshotPointer(dc)).thenCompose(pointer -> {
      var p = pointer.flatMap(e -> SnapshotPointer.parse(e.value()));
      if (p.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      return consul.kvGetRaw(null, p.get().manifestKey()).thenCompose(mv -> {
        Manifest m = mv.flatMap(Manifest::parse).orElse(null);
        if (m == null) {
          return CompletableFuture.completedFuture(null);
        }
        return consul.kvKeys(null, StoreKeys.storePrefix(dc))
            .thenCompose(keys -> delete(StoreGarbage.of(m, p.get().manifestKey(), keys).stream().filter(k -> !reading.inUse(k)).toList()));
      });
    });
  }
}
