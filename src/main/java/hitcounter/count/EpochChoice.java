package hitcounter.count;

import hitcounter.infra.consul.Consul;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which epoch a worker writes its queue's next entries in, after reading the head, and the
 * worker's witness of a rollback: the head moved back from the one its last commit left
 * ({@code last}, kept per node: WorkerHealth), so the hits counted in between are recorded
 * lost (LossRecords) and their jobs stay applied.
 */
final class EpochChoice {
  private static final Logger LOG = LoggerFactory.getLogger(EpochChoice.class);

  private final Consul consul;
  private final String dc;
  private final String queue;
  private final MeterRegistry registry;

  EpochChoice(Consul consul, String dc, String queue, MeterRegistry registry) {
    this.consul = consul;
    this.dc = dc;
    this.queue = queue;
    this.registry = registry;
  }

  /**
   * The epoch this worker writes in after reading the head: the head's own while the head still
   * holds this worker's last entry under the name it wrote; a new one otherwise (a worker that
   * wrote nothing yet, or a head that moved back: a restore, a wipe), so an entry written now
   * never takes the name of one written before (decision 0012). With {@code store-format} 1
   * (nodes of a version before epochs still run) the head's epoch goes on.
   */
  QueueLedger inEpoch(QueueLedger read, QueueHead last, boolean epochs) {
    QueueHead head = read.head();
    // An entry folded already may have lost its epoch from the head (folded epochs are pruned).
    boolean mine = last != null && head.seq() >= last.seq()
        && (last.seq() <= read.folded() || head.epochOf(last.seq()).equals(last.epochOf(last.seq())));
    if (!epochs || mine) {
      return read.in(head.epoch(), read.folded());
    }
    if (last != null) {
      if (head.seq() > 0) {
        LOG.warn("queue {}: the head is at entry {} ({}) but this worker wrote entry {} ({}): the store moved back; writing in a new epoch",
            queue, head.seq(), head.epoch(), last.seq(), last.epoch());
      } // else archived at rest, or a rollback to before the queue: recordLoss tells which

      recordLoss(head, read.folded(), last);
      // Jobs counted in the entries the rollback took (and not yet known deleted) stay applied:
      // redelivered, they are not counted again (a copy brings their entries back, or they are
      // recorded lost).
      Map<String, Set<Long>> applied = new HashMap<>();
      head.applied().forEach((s, ids) -> applied.computeIfAbsent(s, x -> new java.util.TreeSet<>()).addAll(ids));
      last.applied().forEach((s, ids) -> applied.computeIfAbsent(s, x -> new java.util.TreeSet<>()).addAll(ids));
      QueueHead kept = new QueueHead(head.seq(), head.counted(), head.bytes(), applied, head.migratedAt(), head.epochs());
      return new QueueLedger(read.dc(), read.queue(), kept, read.headIndex(), StoreKeys.newEpoch(), read.folded());
    }
    return read.in(StoreKeys.newEpoch(), read.folded());
  }

  /**
   * The store moved back from {@code last} (this worker's last commit) to {@code head}: when the
   * head stands right where the two part, the hits counted in between are what the rollback
   * lost, every one of them (copies may hold only some). Recorded for the audit (LossRecords);
   * counting does not wait for it.
   */
  private void recordLoss(QueueHead head, long folded, QueueHead last) {
    long from = Math.min(head.seq() + 1, last.firstDifferent(head, folded + 1, last.seq()));
    long hits = last.counted() - head.counted();
    if (head.seq() != from - 1 || hits <= 0 || from > last.seq()) {
      return; // written on since, or nothing counted in between: the copies measure it
    }
    archived(last).thenCompose(archived -> {
      if (archived) {
        LOG.info("queue {}: archived at rest through entry {} ({} hits counted); counting goes on from a new head", queue, last.seq(), last.counted());
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }
      return new hitcounter.audit.LossRecords(consul, registry)
          .record(new hitcounter.audit.LossRecords.Loss(dc, queue, from, last.seq(), last.epochOf(from), hits, 0), "worker " + queue);
    }).whenComplete((x, e) -> {
          if (e != null) {
            LOG.warn("recording the loss of queue {} failed: {}", queue, e.toString());
          }
        });
  }

  /**
   * Whether this queue's head went because a fold archived it at rest, through {@code last}
   * (the snapshot's manifest names the archived entry): no rollback then, nothing lost.
   */
  private java.util.concurrent.CompletionStage<Boolean> archived(QueueHead last) {
    return consul.kvGet(null, StoreKeys.snapshotPointer(dc)).thenCompose(p -> {
      var pointer = p.flatMap(e -> hitcounter.store.SnapshotPointer.parse(e.value()));
      if (pointer.isEmpty() || pointer.get().gen() == 0) {
        return java.util.concurrent.CompletableFuture.completedFuture(false);
      }
      return consul.kvGetRaw(null, pointer.get().manifestKey()).thenApply(v -> v.flatMap(hitcounter.store.Manifest::parse)
          .map(m -> m.archived().getOrDefault(queue, java.util.List.of()).stream().anyMatch(a -> a.seq() == last.seq() && a.covers(last)))
          .orElse(false));
    });
  }
}
