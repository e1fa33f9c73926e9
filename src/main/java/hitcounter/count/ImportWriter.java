package hitcounter.count;

import hitcounter.infra.consul.Consul;
import hitcounter.store.CountsCodec;
import hitcounter.store.ImportKeys;
import hitcounter.store.ImportManifest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes an import into the local Consul (decision 0015), unless a version of it is there already:
 * its counts in chunks of at most {@value #CHUNK_BUDGET} bytes before compression (create-only,
 * names of a new version {@code <dc>-<nonce>}), then its manifest (create-only): a reader that
 * sees the manifest finds every chunk. A write cut off leaves chunks no manifest names, which no
 * reader ever reads.
 */
public final class ImportWriter {
  static final int CHUNK_BUDGET = 192 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What was asked: the import's id and counts, how they were read. */
  public record Request(String id, String site, long generation, String format, TreeMap<String, Long> counts, long hits, long rows, long events,
      long bots, String firstDay, String lastDay) {}

  /** The version written, or the one found ({@code already}: the import was there, nothing was added). */
  public record Outcome(ImportManifest manifest, boolean already) {}

  private final Consul consul;
  private final String datacenter;

  public ImportWriter(Consul consul, String datacenter) {
    this.consul = consul;
    this.datacenter = datacenter;
  }

  public CompletionStage<Outcome> write(Request r) {
    return consul.kvTree(null, ImportKeys.MANIFESTS + r.id() + "/", 0, java.time.Duration.ZERO).thenCompose(found -> {
      Optional<ImportManifest> there = found.value().stream().flatMap(e -> ImportManifest.parse(e.key(), e.value()).stream()).findFirst();
      if (there.isPresent()) {
        return CompletableFuture.completedFuture(new Outcome(there.get(), true));
      }
      String version = datacenter + "-" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
      List<byte[]> chunks = chunks(r.counts());
      ImportManifest m = new ImportManifest(r.id(), version, r.site(), r.generation(), r.format(), r.counts().size(), r.hits(), chunks.size(),
          digest(r.counts()), r.rows(), r.events(), r.bots(), r.firstDay(), r.lastDay(), System.currentTimeMillis());
      if (ImportManifest.parse(ImportKeys.manifest(r.id(), version), m.bytes()).isEmpty()) {
        // A manifest no reader would take (a datacenter name outside the key rules): write nothing.
        return CompletableFuture.failedFuture(new IllegalStateException("the manifest of " + version + " would not parse back"));
      }
      CompletionStage<Void> written = CompletableFuture.completedFuture(null);
      for (int n = 0; n < chunks.size(); n++) {
        String key = ImportKeys.chunk(r.id(), version, n);
        byte[] value = chunks.get(n);
        written = written.thenCompose(x -> consul.kvPutCas(null, key, value, 0).thenAccept(ok -> {
          if (!ok) {
            throw new IllegalStateException(key + " exists already");
          }
        }));
      }
      return written.thenCompose(x -> consul.kvPutCas(null, ImportKeys.manifest(r.id(), version), m.bytes(), 0)).thenApply(ok -> {
        if (!ok) {
          throw new IllegalStateException("the manifest of " + version + " exists already");
        }
        return new Outcome(m, false);
      });
    });
  }

  /** The counts cut in chunks of at most {@link #CHUNK_BUDGET} bytes of page and count (the last may be smaller). */
  static List<byte[]> chunks(TreeMap<String, Long> counts) {
    List<byte[]> out = new ArrayList<>();
    TreeMap<String, Long> part = new TreeMap<>();
    long bytes = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      int size = e.getKey().getBytes(StandardCharsets.UTF_8).length + 12;
      if (bytes + size > CHUNK_BUDGET && !part.isEmpty()) {
        out.add(CountsCodec.encode(CountsCodec.IMPORT, part));
        part = new TreeMap<>();
        bytes = 0;
      }
      part.put(e.getKey(), e.getValue());
      bytes += size;
    }
    if (!part.isEmpty()) {
      out.add(CountsCodec.encode(CountsCodec.IMPORT, part));
    }
    return out;
  }

  /** SHA-256 of the pages and counts, in page order: equal for two versions of the same content. */
  static String digest(TreeMap<String, Long> counts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      counts.forEach((page, n) -> d.update((page + "\t" + n + "\n").getBytes(StandardCharsets.UTF_8)));
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
