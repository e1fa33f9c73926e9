package hitcounter.count;

import hitcounter.infra.consul.Consul;
import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The reads of one sync of a datacenter's counts, by name only (never a prefix): new journal
 * entries, or a new snapshot (its manifest, the shards that changed, the entries after it).
 * Values come back raw; the view decodes them into the table. A key that is gone (folded and
 * collected meanwhile) fails the sync with {@link Missing}; the view tries again from the
 * newer pointer.
 */
final class SourceSync {
  /** A key named by a head or manifest is not there (yet, or any more). */
  static final class Missing extends RuntimeException {
    Missing(String key) {
      super("missing " + key);
    }
  }

  /** One journal entry as fetched. */
  record RawEntry(String queue, long seq, byte[] value) {}

  /** New entries of some queues, in seq order per queue, and the heads that named them. */
  record Entries(List<RawEntry> entries, Map<String, QueueHead> heads) {}

  /**
   * A snapshot to install: the pointer that named it, its manifest, the ranges whose shards are
   * replaced, their values, the entries after it and the heads that named them.
   */
  record Snapshot(SnapshotPointer pointer, Manifest manifest, boolean full, List<long[]> replaced, List<byte[]> shards, List<RawEntry> entries, Map<String, QueueHead> heads) {}

  private SourceSync() {}

  /**
   * New entries, several per request: one transaction of GETs (a read: no write in Consul) per
   * {@value #PER_READ} entries, so following a busy datacenter costs a request per batch of
   * commits, not per commit.
   */
  static CompletionStage<Entries> entries(Consul consul, SourceState s, int maxEntries) {
    record Wanted(String queue, long seq, String key) {}
    Map<String, QueueHead> heads = new TreeMap<>(s.heads);
    List<Wanted> wanted = new ArrayList<>();
    int budget = maxEntries;
    for (var e : heads.entrySet()) {
      long from = s.applied(e.getKey()) + 1;
      for (long seq = from; seq <= e.getValue().seq() && budget > 0; seq++, budget--) {
        wanted.add(new Wanted(e.getKey(), seq, e.getValue().entryKey(s.dc, e.getKey(), seq)));
      }
    }
    List<Supplier<CompletableFuture<List<RawEntry>>>> reads = new ArrayList<>();
    for (int from = 0; from < wanted.size(); from += PER_READ) {
      List<Wanted> group = wanted.subList(from, Math.min(wanted.size(), from + PER_READ));
      reads.add(() -> {
        List<hitcounter.infra.consul.TxnOp> ops = group.stream().map(w -> hitcounter.infra.consul.TxnOp.get(w.key())).toList();
        return consul.txn(null, ops).thenApply(r -> {
          if (!r.committed()) {
            throw new Missing(r.errors().toString());
          }
          List<RawEntry> out = new ArrayList<>(group.size());
          for (Wanted w : group) {
            var kv = r.read().get(w.key());
            if (kv == null) {
              throw new Missing(w.key());
            }
            out.add(new RawEntry(w.queue(), w.seq(), kv.value()));
          }
          return out;
        }).toCompletableFuture();
      });
    }
    return inWindows(reads).thenApply(lists -> new Entries(lists.stream().flatMap(List::stream).toList(), heads));
  }

  static final int PER_READ = 16;

  static CompletionStage<Snapshot> snapshot(Consul consul, SourceState s, boolean reload) {
    SnapshotPointer pointer = s.pointer;
    Map<String, QueueHead> heads = new TreeMap<>(s.heads);
    Manifest current = s.manifest;
    boolean full = reload || !s.loaded;
    CompletionStage<Manifest> manifest = pointer.gen() == 0
        ? CompletableFuture.completedFuture(Manifest.EMPTY)
        : consul.kvGetRaw(null, pointer.manifestKey()).thenApply(v -> Manifest.parse(v.orElseThrow(() -> new Missing(pointer.manifestKey())))
            .orElseThrow(() -> new IllegalStateException("the manifest " + pointer.manifestKey() + " does not parse")));
    return manifest.thenCompose(m -> {
      List<long[]> replaced = new ArrayList<>();
      List<Supplier<CompletableFuture<byte[]>>> shards = new ArrayList<>();
      Set<String> unchanged = new HashSet<>();
      if (!full) {
        for (int i = 0; i < current.shards().size(); i++) {
          unchanged.add(rangeKey(current, i));
        }
      }
      for (int i = 0; i < m.shards().size(); i++) {
        if (unchanged.contains(rangeKey(m, i))) {
          continue;
        }
        replaced.add(range(m, i));
        String key = m.shards().get(i).key();
        shards.add(() -> consul.kvGetRaw(null, key).thenApply(v -> v.orElseThrow(() -> new Missing(key))).toCompletableFuture());
      }
      if (full || (m.shards().isEmpty() && !current.shards().isEmpty())) {
        replaced.clear();
        replaced.add(new long[] {0, 0});
      }
      List<Supplier<CompletableFuture<RawEntry>>> entries = new ArrayList<>();
      for (var e : heads.entrySet()) {
        for (long seq = m.foldedSeq(e.getKey()) + 1; seq <= e.getValue().seq(); seq++) {
          long n = seq;
          entries.add(() -> entry(consul, e.getValue().entryKey(s.dc, e.getKey(), n), e.getKey(), n));
        }
      }
      return inWindows(shards).thenCompose(values -> inWindows(entries).thenApply(es -> new Snapshot(pointer, m, full, replaced, values, es, heads)));
    });
  }

  /** A shard is unchanged when key and range are both the same. */
  private static String rangeKey(Manifest m, int i) {
    long[] r = range(m, i);
    return m.shards().get(i).key() + "@" + r[0] + ":" + r[1];
  }

  static long[] range(Manifest m, int i) {
    long hi = i + 1 < m.shards().size() ? m.shards().get(i + 1).lo() : 0;
    return new long[] {m.shards().get(i).lo(), hi};
  }

  private static CompletableFuture<RawEntry> entry(Consul consul, String key, String queue, long seq) {
    return consul.kvGetRaw(null, key).thenApply(v -> new RawEntry(queue, seq, v.orElseThrow(() -> new Missing(key)))).toCompletableFuture();
  }

  /** Runs the fetches {@value #WINDOW} at a time (a full snapshot is hundreds of keys), in order. */
  private static <T> CompletableFuture<List<T>> inWindows(List<Supplier<CompletableFuture<T>>> fetches) {
    CompletableFuture<List<T>> done = CompletableFuture.completedFuture(new ArrayList<>());
    for (int from = 0; from < fetches.size(); from += WINDOW) {
      List<Supplier<CompletableFuture<T>>> window = fetches.subList(from, Math.min(fetches.size(), from + WINDOW));
      done = done.thenCompose(acc -> {
        List<CompletableFuture<T>> running = window.stream().map(Supplier::get).toList();
        return CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).thenApply(x -> {
          running.forEach(f -> acc.add(f.join()));
          return acc;
        });
      });
    }
    return done;
  }

  static final int WINDOW = 16;
}
