package hitcounter.count;

import hitcounter.config.DeadGenerations;
import hitcounter.config.ResetRecord;
import hitcounter.config.ResetShards;
import hitcounter.infra.consul.Consul;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reset this node's view knows that no key in the local Consul holds any more (a snapshot
 * restore took it before any copy had it) is written back, into this datacenter's reset slot of
 * the page (decision 0019): the view joins every read into what it knew, so without this a lost
 * reset would stay on the nodes that saw it and be gone on the others. Resets are a lattice, so
 * a write back of something Consul came to hold meanwhile changes nothing.
 */
final class ResetWriteBack {
  private static final Logger LOG = LoggerFactory.getLogger(ResetWriteBack.class);
  /** Resets written back in one round at most. */
  static final int PER_ROUND = 64;

  private ResetWriteBack() {}

  /** The resets of {@code known} that {@code held} does not cover (pages of dead generations left out), at most {@code max}. */
  static Map<String, ResetRecord> missing(Map<String, ResetRecord> known, Map<String, ResetRecord> held, DeadGenerations dead, int max) {
    Map<String, ResetRecord> out = new TreeMap<>();
    for (var e : known.entrySet()) {
      if (out.size() == max) {
        break;
      }
      if (!dead.dead(e.getKey()) && !ResetShards.covers(held.get(e.getKey()), e.getValue())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** Reads every reset key here and writes back what {@code resets} knows beyond them; how many were written. */
  static CompletionStage<Integer> run(Consul consul, String dc, ResetView.Resets resets, DeadGenerations dead) {
    return consul.kvTree(null, ResetRecord.ROOT, 0, Duration.ZERO).thenCompose(r -> {
      Map<String, ResetRecord> lost = missing(resets.all(), hitcounter.config.ResetFold.holdings(null, r.value()), dead, PER_ROUND);
      CompletionStage<Integer> chain = CompletableFuture.completedFuture(0);
      for (var e : lost.entrySet()) {
        chain = chain.thenCompose(n -> PageResetter.write(consul, ResetRecord.key(dc, e.getKey()), e.getValue(), 3).thenApply(w -> {
          if (w.isPresent()) {
            LOG.warn("the reset of {} was in no key of this Consul (a restore took it before any copy had it): written back from what this node knew",
                e.getKey());
          }
          return n + (w.isPresent() ? 1 : 0);
        }));
      }
      return chain;
    });
  }
}
