package hitcounter.testkit;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.CountsCodec;
import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads a datacenter's counts straight from a Consul (real or fake), the slow and obvious way:
 * the snapshot's shards plus every entry after it. Tests compare what the nodes show with it.
 */
public final class StoreProbe {
  private StoreProbe() {}

  /**
   * Every page's count of datacenter {@code dc} as stored in the Consul of {@code in} (null:
   * local). A fold may collect what this read names while it reads: then it reads again.
   */
  public static Map<String, Long> counts(Consul consul, String in, String dc) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        return countsOnce(consul, in, dc);
      } catch (java.util.NoSuchElementException e) {
        last = e;
      }
    }
    throw last;
  }

  private static Map<String, Long> countsOnce(Consul consul, String in, String dc) {
    Map<String, Long> out = new TreeMap<>();
    Manifest m = manifest(consul, in, dc);
    for (Manifest.Shard s : m.shards()) {
      byte[] v = consul.kvGetRaw(in, s.key()).toCompletableFuture().join().orElseThrow();
      CountsCodec.decode(CountsCodec.SHARD, v, (page, n) -> out.merge(page, n, Long::sum));
    }
    for (var e : heads(consul, in, dc).entrySet()) {
      for (long seq = m.foldedSeq(e.getKey()) + 1; seq <= e.getValue().seq(); seq++) {
        byte[] v = consul.kvGetRaw(in, e.getValue().entryKey(dc, e.getKey(), seq)).toCompletableFuture().join().orElseThrow();
        CountsCodec.decode(CountsCodec.ENTRY, v, (page, n) -> out.merge(page, n, Long::sum));
      }
    }
    return out;
  }

  public static long count(Consul consul, String dc, String page) {
    return counts(consul, null, dc).getOrDefault(page, 0L);
  }

  public static Manifest manifest(Consul consul, String in, String dc) {
    Optional<KvEntry> p = consul.kvGet(in, StoreKeys.snapshotPointer(dc)).toCompletableFuture().join();
    if (p.isEmpty()) {
      return Manifest.EMPTY;
    }
    SnapshotPointer pointer = SnapshotPointer.parse(p.get().value()).orElseThrow();
    return Manifest.parse(consul.kvGetRaw(in, pointer.manifestKey()).toCompletableFuture().join().orElseThrow()).orElseThrow();
  }

  public static Map<String, QueueHead> heads(Consul consul, String in, String dc) {
    Map<String, QueueHead> out = new TreeMap<>();
    for (KvEntry e : consul.kvTree(in, StoreKeys.headsPrefix(dc), 0, Duration.ZERO).toCompletableFuture().join().value()) {
      String[] dcAndName = StoreKeys.headOf(e.key());
      if (dcAndName != null && !dcAndName[1].equals(StoreKeys.SNAPSHOT)) {
        QueueHead.parse(e.value()).ifPresent(h -> out.put(dcAndName[1], h));
      }
    }
    return out;
  }

  public static Optional<QueueHead> head(Consul consul, String dc, String queue) {
    return consul.kvGet(null, StoreKeys.head(dc, queue)).toCompletableFuture().join().flatMap(e -> QueueHead.parse(e.value()));
  }
}
