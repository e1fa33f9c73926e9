package hitcounter.count;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the count view tells the rest of the node after each change: per datacenter, whether its
 * table holds what the heads said ({@link ViewHealth}: since when not, and why), and the store's
 * figures ({@link StoreStatus}: heads, applied seqs, snapshot, journal).
 */
final class ViewReport {
  private ViewReport() {}

  static void publish(Map<String, SourceState> sources, ViewHealth health, StoreStatus status) {
    Map<String, StoreStatus.Source> out = new TreeMap<>();
    sources.forEach((dc, s) -> {
      if (s.current()) {
        s.appliedAsOf = Math.max(s.appliedAsOf, s.headsSeenAt);
        health.current(dc);
      } else if (!s.damaged.isEmpty()) {
        health.behind(dc, s.damagedSince, "values of its store do not parse (skipped): " + s.damaged);
      } else {
        health.behind(dc, s.appliedAsOf, s.problem == null ? "applying what its heads name" : s.problem);
      }
      Map<String, StoreStatus.Queue> queues = new TreeMap<>();
      s.heads.forEach((q, h) -> queues.put(q, new StoreStatus.Queue(h.seq(), s.applied(q), h.counted(), h.appliedCount())));
      out.put(dc, new StoreStatus.Source(
          s.manifest.gen(), queues, s.manifest.archivedCounted(), s.manifest.shards().size(), s.manifest.snapshotBytes(),
          s.unfoldedEntries, s.unfoldedBytes, s.loaded));
    });
    status.set(out);
  }
}
