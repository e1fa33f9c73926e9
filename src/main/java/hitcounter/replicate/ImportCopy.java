package hitcounter.replicate;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.ImportKeys;
import hitcounter.store.ImportManifest;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Copies imports into another datacenter (decision 0015): every version this datacenter holds,
 * whichever datacenter wrote it, that the target lacks: its chunks first, then its manifest, all
 * create-only (a name holds one content, so a key found there is the same). The datacenters come to
 * hold the union of the versions; one that lost some (a restore, a wipe) gets them back from any
 * other.
 */
final class ImportCopy {
  /** Chunks one round copies to one target at most: a large import is copied over several rounds, never holding up the counts' copy. */
  static final int CHUNKS_PER_ROUND = 16;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ImportCopy.class);
  private final Consul consul;
  private final hitcounter.config.DeadGenerations.Known dead;

  /** {@code dead}: generations of deleted sites every datacenter has seen deleted, never copied ({@link ImportCollector}). */
  ImportCopy(Consul consul, hitcounter.config.DeadGenerations.Known dead) {
    this.consul = consul;
    this.dead = dead;
  }

  /**
   * Copies what of {@code local} (the manifests here) {@code dc} lacks, at most
   * {@link #CHUNKS_PER_ROUND} chunks; true when it lacks nothing now. A failure is logged and
   * answered false (tried again next round): it never fails the round.
   */
  CompletionStage<Boolean> copy(String dc, List<KvEntry> local) {
    int[] budget = {CHUNKS_PER_ROUND};
    return consul.kvKeys(dc, ImportKeys.MANIFESTS).thenCompose(keys -> {
      Set<String> there = new HashSet<>(keys);
      CompletionStage<Boolean> all = CompletableFuture.completedFuture(true);
      for (KvEntry e : local) {
        Optional<ImportManifest> m = ImportManifest.parse(e.key(), e.value());
        if (m.isPresent() && !there.contains(e.key()) && dead.copyable(m.get().site(), m.get().generation())) {
          all = all.thenCompose(ok -> version(dc, m.get(), e.value(), budget).thenApply(done -> ok && done));
        }
      }
      return all;
    }).exceptionally(e -> {
      log.warn("imports not copied to {} this round: {}", dc, e.toString());
      return false;
    });
  }

  /** One version: its chunks (those the target lacks), then its manifest; false when a chunk is not here or the budget ran out. */
  private CompletionStage<Boolean> version(String dc, ImportManifest m, byte[] manifest, int[] budget) {
    return consul.kvKeys(dc, ImportKeys.chunkPrefix(m.id(), m.version())).thenCompose(present -> {
      Set<String> there = new HashSet<>(present);
      CompletionStage<Boolean> chunks = CompletableFuture.completedFuture(true);
      for (int n = 0; n < m.chunks(); n++) {
        String key = ImportKeys.chunk(m.id(), m.version(), n);
        if (there.contains(key)) {
          continue;
        }
        chunks = chunks.thenCompose(ok -> !ok || budget[0]-- <= 0 ? CompletableFuture.completedFuture(false)
            : consul.kvGetRaw(null, key).thenCompose(v -> v.isEmpty() ? CompletableFuture.completedFuture(false)
                : consul.kvPutCas(dc, key, v.get(), 0).thenApply(x -> true)));
      }
      return chunks.thenCompose(ok -> !ok ? CompletableFuture.completedFuture(false)
          : consul.kvPutCas(dc, ImportKeys.manifest(m.id(), m.version()), manifest, 0).thenApply(x -> true));
    });
  }
}
