package hitcounter.infra.consul;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Keeps watched prefixes present in Consul's KV tree. A blocking query on a prefix that holds no
 * key waits on the whole KV table, so it returns on every write anywhere (measured: an empty
 * {@code hitcounter/config/} woke every node twice a second, at each heartbeat). An empty
 * marker key ({@link Consul#WATCH_MARKER}) under each watched prefix, created once if missing,
 * makes the query wait on the prefix alone; listings leave markers out.
 */
public final class WatchMarkers {
  private WatchMarkers() {}

  /** Creates the marker of each prefix that has none (a create-only write; failures are left for the next start). */
  public static CompletionStage<Void> ensure(Consul consul, List<String> prefixes) {
    CompletableFuture<?>[] all = prefixes.stream()
        .map(p -> consul.kvPutCas(null, p + Consul.WATCH_MARKER, new byte[0], 0).toCompletableFuture().exceptionally(e -> false))
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all);
  }
}
