package hitcounter.audit;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM's audit figures in Consul (decision 0018). Its figures are split over runs: runs
 * closed (folded into the archive, or closed by this JVM), each holding fixed figures, and the
 * open run, whose key {@code <dc>/<node>/<epoch>} holds the rest and the JVM's random id (figure
 * {@code run}). Every write is a CAS on the index this JVM last wrote. When the key is not as this
 * JVM last wrote it, it looks (the key and the archive in one read):
 * <ul>
 *   <li>folded: the fold took what this JVM last wrote (a fold deletes by CAS the value it read,
 *       an hour old, and this JVM looks every quarter of that, so it never takes a value this JVM
 *       did not write last); the run is closed with it;
 *   <li>as it last wrote it (a write whose answer was lost, a look when due): it goes on;
 *   <li>another JVM's (two nodes of one name): the run is left to it;
 *   <li>else (a restore, a wipe, a value that does not read): the run is closed with what this
 *       JVM last wrote there, written back if need be; a fold elsewhere can only have taken that.
 * </ul>
 * A closed run the archive does not fold gets its key back with its figures whenever a look finds
 * it gone or changed (a wipe, a restore to before its fold). The rest goes on under a new epoch,
 * chosen above the archive's {@code through} and every run key of the node: a name is never used
 * twice. Runs of no figures are never written, and a run idle for half of {@code fold-after} is
 * closed before it is written again, so a run this JVM writes is never one a fold may have taken
 * (a restore can hide a fold that a copy brings back later). One publish at a time.
 */
final class RunFigures {
  private static final Logger LOG = LoggerFactory.getLogger(RunFigures.class);
  /** Closed runs of this JVM remembered, to be written back after a restore or a wipe (the latest). */
  static final int CLOSED_KEPT = 8;

  private final Consul consul;
  private final String dc;
  private final String node;
  private final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  private final Duration lookEvery;
  private final LongSupplier clock;
  /** The open run's epoch; -1: to be chosen, at least {@code least}. */
  private long epoch = -1;
  private long least;
  /** Index of the open run's key as this JVM last wrote it; 0: not written; -1: unknown (look first). */
  private long index;
  private long lookedAt;
  private long writtenAt;
  private Map<String, Long> written = Map.of();
  /** The value of a write whose answer did not come: if the key holds it, it landed. */
  private Map<String, Long> attempted;
  private final Map<String, Long> closedSum = new HashMap<>();
  private final TreeMap<Long, Map<String, Long>> closed = new TreeMap<>();
  private boolean repairDue;

  /** {@code lookEvery}: how often the run key is read even when nothing changed (a quarter of fold-after). */
  RunFigures(Consul consul, String dc, String node, long start, Duration lookEvery, LongSupplier clock) {
    this.consul = consul;
    this.dc = dc;
    this.node = node;
    this.least = start;
    this.lookEvery = lookEvery;
    this.clock = clock;
  }

  /** The epoch of the open run (-1 while one is to be chosen). */
  long epoch() {
    return epoch;
  }

  /** Whether Consul holds {@code total} (as this JVM last saw it, lately). */
  boolean holds(Map<String, Long> total) {
    if (epoch < 0 || repairDue || lookDue()) {
      return false;
    }
    Map<String, Long> value = value(total);
    return index > 0 ? value.equals(written) : index == 0 && empty(value);
  }

  /** Writes {@code total} (every figure this JVM counted), or looks first; completes when done. */
  CompletionStage<Void> publish(Map<String, Long> total) {
    if (epoch < 0) {
      return chooseEpoch().thenCompose(e -> publish(total));
    }
    if (index < 0 || repairDue || lookDue()) {
      return look().thenCompose(v -> epoch >= 0 && index >= 0 && !repairDue ? write(total) : CompletableFuture.<Void>completedFuture(null));
    }
    return write(total);
  }

  /** Writes the open run (closing it first when it has been idle too long). */
  private CompletionStage<Void> write(Map<String, Long> total) {
    if (index > 0 && clock.getAsLong() - writtenAt >= 2 * lookEvery.toMillis()) {
      // Idle half of fold-after: closed, so no fold (which waits all of it) can take a value
      // this JVM wrote after it. The figures go on under a new run.
      close("idle since " + writtenAt);
      repairDue = false; // its key holds what it was closed with
      return publish(total);
    }
    Map<String, Long> value = value(total);
    if (index == 0 && empty(value)) {
      return CompletableFuture.completedFuture(null);
    }
    String key = AuditKeys.key(dc, node, epoch);
    attempted = value;
    return consul.txn(null, List.of(TxnOp.cas(key, FiguresCodec.write(value), index))).handle((r, e) -> {
      if (e == null && r.committed()) {
        index = r.modifyIndexes().getOrDefault(key, -1L);
        written = value;
        writtenAt = clock.getAsLong();
        attempted = null;
      } else {
        if (e == null) {
          attempted = null; // refused: it did not land
        }
        index = -1;
      }
      return (Void) null;
    });
  }

  private boolean lookDue() {
    return clock.getAsLong() - lookedAt >= lookEvery.toMillis();
  }

  /** Chooses the open run's epoch: above {@code least}, the archive's {@code through} and every run key of the node. */
  private CompletionStage<Long> chooseEpoch() {
    return consul.kvTree(null, AuditKeys.prefix(dc), 0, Duration.ZERO).thenApply(tree -> {
      long e = Math.max(least, AuditArchive.in(dc, tree.value()).through(node) + 1);
      for (KvEntry k : tree.value()) {
        AuditKeys.Run run = AuditKeys.run(k.key());
        if (run != null && run.node().equals(node)) {
          e = Math.max(e, run.epoch() + 1);
        }
      }
      epoch = e;
      index = 0;
      written = Map.of();
      attempted = null;
      lookedAt = clock.getAsLong();
      return e;
    });
  }

  /** Looks at the open run's key and the archive in one read, then writes back closed runs that need it. */
  private CompletionStage<Void> look() {
    String key = AuditKeys.key(dc, node, epoch);
    return consul.kvTree(null, AuditKeys.prefix(dc), 0, Duration.ZERO).thenCompose(tree -> {
      Map<String, KvEntry> keys = new HashMap<>();
      tree.value().forEach(k -> keys.put(k.key(), k));
      AuditArchive archive = AuditArchive.in(dc, tree.value());
      lookedAt = clock.getAsLong();
      KvEntry found = keys.get(key);
      Map<String, Long> there = found == null ? null : readable(found.value());
      long owner = there == null ? 0 : there.getOrDefault(AuditFold.RUN, 0L);
      if (archive.folded(node, epoch)) {
        close("folded into the archive"); // its key is gone, or a copy of it came back that readers leave out
      } else if (there != null && owner != id && owner != 0) {
        LOG.warn("audit run {}/{} is another JVM's (two nodes named {}?): this one goes on under a new run", node, epoch, node);
        least = epoch + 1;
        epoch = -1;
      } else if (found != null && there != null && (there.equals(written) || there.equals(attempted))) {
        if (!there.equals(written)) {
          writtenAt = clock.getAsLong(); // the write whose answer was lost landed, lately
        }
        index = found.modifyIndex();
        written = there;
        attempted = null;
      } else if (found == null && written.isEmpty()) {
        index = 0; // never written: nothing to close
        attempted = null;
      } else {
        close("found " + (found == null ? "gone" : "changed") + " (a restore or a wipe)");
      }
      return repair(archive, keys);
    });
  }

  /** Closes the open run with what this JVM last wrote there; the rest goes on under a new epoch. */
  private void close(String why) {
    Map<String, Long> figures = new TreeMap<>(written);
    figures.remove(AuditFold.RUN);
    if (!empty(figures)) {
      figures.forEach((f, v) -> closedSum.merge(f, v, Long::sum));
      closed.put(epoch, figures);
      while (closed.size() > CLOSED_KEPT) {
        closed.pollFirstEntry();
      }
      LOG.info("audit run {}/{} closed with {}: {}; this node's figures go on under a new run", node, epoch, figures, why);
    }
    least = epoch + 1;
    epoch = -1;
    index = 0;
    written = Map.of();
    attempted = null;
    repairDue = true;
  }

  /** Writes back the keys of closed runs the archive does not fold and that are gone or changed. */
  private CompletionStage<Void> repair(AuditArchive archive, Map<String, KvEntry> keys) {
    CompletionStage<Void> all = CompletableFuture.completedFuture(null);
    boolean[] failed = {false};
    for (var c : List.copyOf(closed.entrySet())) {
      if (archive.folded(node, c.getKey())) {
        continue;
      }
      String key = AuditKeys.key(dc, node, c.getKey());
      Map<String, Long> value = new TreeMap<>(c.getValue());
      value.put(AuditFold.RUN, id);
      KvEntry there = keys.get(key);
      if (there != null && value.equals(readable(there.value()))) {
        continue;
      }
      all = all.thenCompose(v -> consul.kvPutCas(null, key, FiguresCodec.write(value), there == null ? 0 : there.modifyIndex()).thenAccept(ok -> {
        if (ok) {
          LOG.warn("audit run {}/{} closed with {} was {} (a restore or a wipe): written back", node, c.getKey(), c.getValue(), there == null ? "gone" : "changed");
        } else {
          failed[0] = true;
        }
      }));
    }
    return all.handle((v, e) -> {
      repairDue = e != null || failed[0]; // looked at again next time
      return (Void) null;
    });
  }

  private static Map<String, Long> readable(byte[] value) {
    try {
      return FiguresCodec.read(value);
    } catch (RuntimeException bad) {
      return null;
    }
  }

  private static boolean empty(Map<String, Long> value) {
    for (String f : AuditArchive.FIGURES) {
      if (value.getOrDefault(f, 0L) != 0) {
        return false;
      }
    }
    return true;
  }

  /** The open run's value for {@code total}: the figures less those of closed runs, and this JVM's id. */
  private Map<String, Long> value(Map<String, Long> total) {
    Map<String, Long> out = new TreeMap<>();
    for (String f : AuditArchive.FIGURES) {
      out.put(f, total.getOrDefault(f, 0L) - closedSum.getOrDefault(f, 0L));
    }
    out.put(AuditFold.RUN, id);
    return out;
  }

  /** For tests: the figures of closed runs. */
  Map<String, Long> handed() {
    return Map.copyOf(closedSum);
  }
}
