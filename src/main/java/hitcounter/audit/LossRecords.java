package hitcounter.audit;

import hitcounter.infra.consul.Consul;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what a rollback of a datacenter's store lost ({@link LostKeys}). Two witnesses measure
 * the same loss under the same key: the worker that wrote the lost entries (it knows the hits its
 * head counted before the rollback: every hit, even those no copy got) and the copy keeper (it
 * reads the entries a copy holds: only those copied). Figures are max-merged with a CAS, so the
 * record ends with the fuller measure whoever writes first. The first write of a record is one
 * ERROR line; a raise is a WARN; {@code hitcounter_store_lost_hits_total} counts what this node
 * added.
 */
public final class LossRecords {
  private static final Logger LOG = LoggerFactory.getLogger(LossRecords.class);

  /** Entries {@code from}..{@code to} of {@code queue} of {@code dc}, first named in {@code epoch}: {@code hits} lost, {@code unread} entries not measured. */
  public record Loss(String dc, String queue, long from, long to, String epoch, long hits, long unread) {}

  private final Consul consul;
  private final MeterRegistry registry;

  public LossRecords(Consul consul, MeterRegistry registry) {
    this.consul = consul;
    this.registry = registry;
  }

  /** {@code old} figures of a record with {@code loss} merged in: the fuller measure of each (hits, to, unread), the first seq, the first time. */
  public static Map<String, Long> merged(Map<String, Long> old, Loss loss) {
    Map<String, Long> merged = new HashMap<>(old);
    merged.merge("hits", loss.hits(), Math::max);
    merged.merge("to", loss.to(), Math::max);
    merged.merge("from", loss.from(), Math::min);
    merged.merge("unread", loss.unread(), Math::max);
    merged.putIfAbsent("at", System.currentTimeMillis());
    return merged;
  }

  /** Records {@code loss} as seen by {@code witness}; completes when written (or found recorded as fully already). */
  public CompletionStage<Void> record(Loss loss, String witness) {
    String key = LostKeys.key(loss.dc(), loss.queue(), loss.epoch());
    return consul.kvGet(null, key).thenCompose(before -> {
      Map<String, Long> old = before.map(e -> FiguresCodec.read(e.value())).orElse(Map.of());
      long oldHits = old.getOrDefault("hits", 0L);
      if (before.isPresent() && oldHits >= loss.hits() && old.getOrDefault("to", 0L) >= loss.to()) {
        return CompletableFuture.completedFuture(null);
      }
      Map<String, Long> merged = merged(old, loss);
      long index = before.map(e -> e.modifyIndex()).orElse(0L);
      return consul.kvPutCas(null, key, FiguresCodec.write(merged), index).thenCompose(ok -> {
        if (!ok) {
          return record(loss, witness); // another witness wrote meanwhile: merge with it
        }
        long added = merged.get("hits") - oldHits;
        if (before.isEmpty()) {
          LOG.error("the store of {} went back (a restore or a wipe): entries {}-{} of queue {} are gone, {} hits{} (seen by {}); what a copy holds"
              + " is brought back, the rest is lost (/api/audit)", loss.dc(),
              loss.from(), loss.to(), loss.queue(), loss.hits(), loss.unread() > 0 ? " at least (" + loss.unread() + " entries not measured)" : "", witness);
        } else {
          LOG.warn("the loss of entries {}-{} of queue {} of {} is {} hits, not {} (seen by {})", loss.from(), merged.get("to"), loss.queue(), loss.dc(),
              merged.get("hits"), oldHits, witness);
        }
        Counter.builder("hitcounter.store.lost.hits").tag("datacenter", loss.dc())
            .description("Hits a rollback of the datacenter's store took away, as measured by this node (copies may bring some back)").register(registry).increment(added);
        return CompletableFuture.completedFuture(null);
      });
    });
  }
}
