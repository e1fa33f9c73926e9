package hitcounter.count;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The count store as this node's view last saw it, per datacenter: snapshot generation, queues
 * (last entry, last applied, hits counted, jobs applied but not yet deleted), and the size of
 * the snapshot and of the journal after it. Read by audit, topology, metrics and the dashboard.
 */
public final class StoreStatus {
  public record Queue(long seq, long applied, long counted, int pendingDeletes) {}

  public record Source(
      long gen, Map<String, Queue> queues, long archivedCounted, int shards, long snapshotBytes, long unfoldedEntries, long unfoldedBytes, boolean loaded) {
    /** Hits counted from this datacenter's queues, per queue ("dc/queue"), archived ones under "dc/~archived". */
    public long counted() {
      return archivedCounted + queues.values().stream().mapToLong(Queue::counted).sum();
    }
  }

  private final AtomicReference<Map<String, Source>> current = new AtomicReference<>(Map.of());

  public Map<String, Source> get() {
    return current.get();
  }

  void set(Map<String, Source> sources) {
    current.set(Map.copyOf(sources));
  }
}
