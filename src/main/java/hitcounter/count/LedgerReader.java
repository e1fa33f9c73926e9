package hitcounter.count;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import hitcounter.store.StoreMarker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads a queue's head into a {@link QueueLedger}. A queue without a head is new, or still in
 * the layout before the count store: then it is migrated first ({@link LegacyMigration}). A head
 * that does not parse is not guessed at: exactly-once depends on it, so the read fails (the
 * worker retries and its stall is reported) until an operator repairs it.
 */
final class LedgerReader {
  private LedgerReader() {}

  /**
   * The ledger of {@code queue} as stored, with how far its journal is folded (so a commit can
   * drop epochs no key of which is read any more; 0 when that cannot be read).
   */
  static CompletionStage<QueueLedger> read(Consul consul, String dc, String queue) {
    return readStored(consul, dc, queue).thenCompose(ledger -> folded(consul, dc, queue).thenApply(f -> ledger.in(ledger.epoch(), f)));
  }

  private static CompletionStage<Long> folded(Consul consul, String dc, String queue) {
    return consul.kvGet(null, StoreKeys.snapshotPointer(dc))
        .thenCompose(p -> {
          var pointer = p.flatMap(e -> hitcounter.store.SnapshotPointer.parse(e.value()));
          if (pointer.isEmpty() || pointer.get().gen() == 0) {
            return CompletableFuture.completedFuture(0L);
          }
          return consul.kvGetRaw(null, pointer.get().manifestKey())
              .thenApply(v -> v.flatMap(hitcounter.store.Manifest::parse).map(m -> m.foldedSeq(queue)).orElse(0L));
        })
        .exceptionally(e -> 0L);
  }

  private static CompletionStage<QueueLedger> readStored(Consul consul, String dc, String queue) {
    return readHead(consul, dc, queue)
        .thenCompose(ledger -> ledger != null
            ? CompletableFuture.completedFuture(ledger)
            : consul.kvGet(null, StoreMarker.key(dc)).thenCompose(marker -> {
              if (marker.isEmpty()) {
                // A queue without a head in a store without its marker: the datacenter is new,
                // or its Consul lost its data. Either way the store guard decides (and restores)
                // first; committing now could count again what the copies elsewhere hold.
                throw new IllegalStateException("the store of " + dc + " has no marker yet (new, or being restored after a loss of Consul data)");
              }
              return LegacyMigration.migrate(consul, dc, queue, System.currentTimeMillis())
                  .thenCompose(migrated -> readHead(consul, dc, queue))
                  .thenApply(l -> l != null ? l : QueueLedger.empty(dc, queue));
            }));
  }

  private static CompletionStage<QueueLedger> readHead(Consul consul, String dc, String queue) {
    return consul.kvGet(null, StoreKeys.head(dc, queue)).thenApply(entry -> entry.map(e -> parse(dc, queue, e)).orElse(null));
  }

  private static QueueLedger parse(String dc, String queue, KvEntry e) {
    QueueHead head = QueueHead.parse(e.value())
        .orElseThrow(() -> new IllegalStateException("the head " + e.key() + " does not parse; counting of this queue waits for it to be repaired"));
    return new QueueLedger(dc, queue, head, e.modifyIndex());
  }
}
