package hitcounter.count;

import hitcounter.config.ResetRecord;
import hitcounter.config.ResetShards;
import hitcounter.infra.consul.Consul;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reset this node's view knows that no key in the local Consul holds any more (a snapshot
 * restore took it before any copy had it) is written back, into this datacenter's reset slot of
 * the page (decision 0019): the view joins every read into what it knew, so without this a lost
 * reset would stay on the nodes that saw it and be gone on the others. Written back only:
 * <ul>
 *   <li>a page this node's sites show (a deleted site's pages never come back this way);
 *   <li>missing in two looks at least {@code settle} apart (another datacenter's replicator
 *       resends its keys after a wipe here within a minute: they come back by themselves);
 *   <li>a reset no baseline of which is above the page's count there (a rollback took hits
 *       since: what survived is the reset repair's to say, {@link ResetRepair}; left out, WARN).
 * </ul>
 * Resets are a lattice, so a write back of something Consul came to hold meanwhile changes nothing.
 */
final class ResetWriteBack {
  private static final Logger LOG = LoggerFactory.getLogger(ResetWriteBack.class);
  /** Resets written back in one round at most. */
  static final int PER_ROUND = 64;
  private final Map<String, Long> missingSince = new HashMap<>();

  /** The resets of {@code known} that {@code held} does not cover, of pages {@code shown}, at most {@code max}. */
  static Map<String, ResetRecord> missing(Map<String, ResetRecord> known, Map<String, ResetRecord> held, Predicate<String> shown, int max) {
    Map<String, ResetRecord> out = new TreeMap<>();
    for (var e : known.entrySet()) {
      if (out.size() == max) {
        break;
      }
      if (shown.test(e.getKey()) && !ResetShards.covers(held.get(e.getKey()), e.getValue())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** Of {@code missing} at {@code now}, those missing since at least {@code settle} before (the others remembered for the next look). */
  Map<String, ResetRecord> settled(Map<String, ResetRecord> missing, long now, Duration settle) {
    missingSince.keySet().retainAll(missing.keySet());
    Map<String, ResetRecord> out = new TreeMap<>();
    missing.forEach((id, r) -> {
      if (now - missingSince.computeIfAbsent(id, k -> now) >= settle.toMillis()) {
        out.put(id, r);
      }
    });
    return out;
  }

  /** Whether every baseline of {@code r} is at most the page's count there ({@code raw}). */
  static boolean withinCounts(ResetRecord r, Map<String, Long> raw) {
    return r.baselines().entrySet().stream().allMatch(b -> b.getValue() <= raw.getOrDefault(b.getKey(), 0L));
  }

  /** Reads every reset key here and writes back what {@code resets} knows beyond them, as said above; how many were written. */
  CompletionStage<Integer> run(Consul consul, String dc, ResetView.Resets resets, Predicate<String> shown, Function<String, Map<String, Long>> raw,
      long now, Duration settle) {
    return consul.kvTree(null, ResetRecord.ROOT, 0, Duration.ZERO).thenCompose(r -> {
      Map<String, ResetRecord> lost = settled(missing(resets.all(), hitcounter.config.ResetFold.holdings(null, r.value()), shown, PER_ROUND), now, settle);
      CompletionStage<Integer> chain = CompletableFuture.completedFuture(0);
      for (var e : lost.entrySet()) {
        if (!withinCounts(e.getValue(), raw.apply(e.getKey()))) {
          LOG.warn("the reset of {} is in no key of this Consul and its baselines are above the page's counts (a rollback): not written back", e.getKey());
          continue;
        }
        chain = chain.thenCompose(n -> PageResetter.write(consul, ResetRecord.key(dc, e.getKey()), e.getValue(), 3).thenApply(w -> {
          if (w.isPresent()) {
            LOG.warn("the reset of {} was in no key of this Consul (a restore took it before any copy had it): written back from what this node knew",
                e.getKey());
            missingSince.remove(e.getKey());
          }
          return n + (w.isPresent() ? 1 : 0);
        }));
      }
      return chain;
    });
  }
}
