package hitcounter.count;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.page.JobCodec;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one queue from the layout before the count store (decision 0001: bucket keys
 * {@code hitcounter/count/<dc>/<queue>/<n>} and the applied record
 * {@code hitcounter/applied/<dc>/<queue>}, a JSON list of job ids) into the store, so old and new
 * nodes can run side by side during a rolling upgrade without losing or doubling a hit:
 *
 * <ol>
 *   <li>Fence: the old applied record is replaced (CAS) by {@code {"migrating":[ids]}}, which
 *       old nodes cannot parse, so no old worker commits to this queue again (theirs fail and
 *       give their batches back, to be counted by a new worker).
 *   <li>Read the old buckets (frozen now) and sum them per page.
 *   <li>Write them as journal entries 1..k of the queue (each within the entry budget; writing
 *       the same entries again after a crash is harmless: they are equal).
 *   <li>Create the head (CAS on absence): seq k, the hits counted, and the old applied ids under
 *       the session of format-1 jobs, so a committed but undeleted old job is still skipped.
 * </ol>
 *
 * Every step can be repeated; a crash anywhere resumes from the fence. The old keys stay until
 * the folder removes them after the upgrade's grace period.
 */
public final class LegacyMigration {
  private static final Logger LOG = LoggerFactory.getLogger(LegacyMigration.class);
  static final int ENTRY_BUDGET = 128 * 1024;

  private LegacyMigration() {}

  /** Completes with true when the queue had old-layout state and now has a head. */
  public static CompletionStage<Boolean> migrate(Consul consul, String dc, String queue, long now) {
    String appliedKey = StoreKeys.legacyApplied(dc, queue);
    return consul.kvGet(null, appliedKey).thenCompose(applied -> {
      if (applied.isEmpty()) {
        return CompletableFuture.completedFuture(false);
      }
      Optional<TreeSet<Long>> fenced = fencedIds(applied.get().value());
      if (fenced.isPresent()) {
        return copy(consul, dc, queue, fenced.get(), now);
      }
      TreeSet<Long> ids = legacyIds(applied.get().value());
      ObjectNode marker = Json.mapper().createObjectNode();
      ids.forEach(marker.putArray("migrating")::add);
      return consul
          .txn(null, List.of(TxnOp.cas(appliedKey, marker.toString().getBytes(StandardCharsets.UTF_8), applied.get().modifyIndex())))
          .thenCompose(r -> r.committed()
              ? copy(consul, dc, queue, ids, now)
              : migrate(consul, dc, queue, now));
    });
  }

  private static CompletionStage<Boolean> copy(Consul consul, String dc, String queue, TreeSet<Long> appliedIds, long now) {
    return consul.kvTree(null, StoreKeys.legacyCountPrefix(dc, queue), 0, Duration.ZERO).thenCompose(buckets -> {
      TreeMap<String, Long> counts = new TreeMap<>();
      for (KvEntry b : buckets.value()) {
        try {
          Json.mapper().readTree(b.value()).fields().forEachRemaining(f -> counts.merge(f.getKey(), f.getValue().asLong(), Long::sum));
        } catch (Exception e) {
          LOG.warn("migrating queue {}: skipping the unreadable old bucket {}", queue, b.key());
        }
      }
      List<byte[]> entries = chunks(counts);
      long hits = counts.values().stream().mapToLong(Long::longValue).sum();
      long bytes = entries.stream().mapToLong(e -> e.length).sum();
      CompletableFuture<Void> written = CompletableFuture.completedFuture(null);
      for (int i = 0; i < entries.size(); i++) {
        // Written only where absent: an equal entry may be there from an earlier attempt.
        TxnOp op = TxnOp.cas(StoreKeys.entry(dc, queue, i + 1), entries.get(i), 0);
        written = written.thenCompose(x -> consul.txn(null, List.of(op)).thenAccept(r -> {}));
      }
      QueueHead head = new QueueHead(entries.size(), hits, bytes, appliedIds.isEmpty() ? Map.of() : Map.of(JobCodec.LEGACY_SESSION, appliedIds), now);
      return written
          .thenCompose(x -> consul.txn(null, List.of(TxnOp.cas(StoreKeys.head(dc, queue), head.toBytes(), 0))))
          .thenApply(r -> {
            if (r.committed()) {
              LOG.info("queue {}: migrated {} hits over {} pages from the old layout into {} entries", queue, hits, counts.size(), entries.size());
            }
            return true;
          });
    });
  }

  static List<byte[]> chunks(TreeMap<String, Long> counts) {
    List<byte[]> out = new ArrayList<>();
    TreeMap<String, Long> chunk = new TreeMap<>();
    long size = 0;
    for (var e : counts.entrySet()) {
      if (size + e.getKey().length() + 4 > ENTRY_BUDGET && !chunk.isEmpty()) {
        out.add(CountsCodec.encode(CountsCodec.ENTRY, chunk));
        chunk = new TreeMap<>();
        size = 0;
      }
      chunk.put(e.getKey(), e.getValue());
      size += e.getKey().length() + 4;
    }
    if (!chunk.isEmpty()) {
      out.add(CountsCodec.encode(CountsCodec.ENTRY, chunk));
    }
    return out;
  }

  private static Optional<TreeSet<Long>> fencedIds(byte[] value) {
    try {
      JsonNode n = Json.mapper().readTree(value);
      if (n != null && n.isObject() && n.path("migrating").isArray()) {
        TreeSet<Long> ids = new TreeSet<>();
        n.path("migrating").forEach(i -> ids.add(i.asLong()));
        return Optional.of(ids);
      }
    } catch (Exception e) {
      // not a fence
    }
    return Optional.empty();
  }

  private static TreeSet<Long> legacyIds(byte[] value) {
    TreeSet<Long> ids = new TreeSet<>();
    try {
      JsonNode n = Json.mapper().readTree(value);
      if (n != null && n.isArray()) {
        n.forEach(i -> ids.add(i.asLong()));
      }
    } catch (Exception e) {
      LOG.warn("an unreadable old applied record is treated as empty");
    }
    return ids;
  }
}
