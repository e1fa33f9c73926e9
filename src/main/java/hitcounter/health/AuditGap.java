package hitcounter.health;

import hitcounter.audit.AuditFigures;
import hitcounter.audit.AuditKeys;
import hitcounter.audit.FiguresCodec;
import hitcounter.count.StoreStatus;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The audit gap of this node's datacenter as a gauge, {@code hitcounter_audit_gap_hits}: hits its
 * nodes acknowledged (their audit figures, read from the local Consul every {@code interval}) less
 * the hits its store counted (this node's view of its heads), less what rollbacks of its store
 * took for good (its loss records: counted as lost, {@code hitcounter_store_lost_hits_total}, not
 * as a gap). Counters reset at restarts and
 * accepted and counted live on different nodes; this is where both are known, so alerts read a
 * gap, not two rates. In steady state it is the hits in flight; a gap that keeps growing is hits
 * acknowledged and not counted. Registered at the first reading (never exported as NaN).
 */
public final class AuditGap {
  private AuditGap() {}

  private record Read(List<KvEntry> figures, List<KvEntry> lost) {}

  public static Behavior<Object> create(Consul consul, StoreStatus store, String datacenter, MeterRegistry registry, Duration interval) {
    double[] gap = {0};
    Runnable register = () -> Gauge.builder("hitcounter.audit.gap.hits", gap, g -> g[0])
        .description("Hits this datacenter's nodes acknowledged less the hits its store counted, as this node sees them")
        .register(registry); // registering again finds the same gauge
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay("tick", "tick", Duration.ZERO, interval);
      return Behaviors.receive(Object.class)
          .onMessageEquals("tick", () -> {
            ctx.pipeToSelf(consul.kvTree(null, AuditKeys.prefix(datacenter), 0, Duration.ZERO)
                    .thenCombine(consul.kvTree(null, hitcounter.audit.LostKeys.prefix(datacenter), 0, Duration.ZERO), (a, l) -> new Read(a.value(), l.value())),
                (r, e) -> e == null ? r : new Read(null, null));
            return Behaviors.same();
          })
          .onMessage(Read.class, m -> {
            StoreStatus.Source own = store.get().get(datacenter);
            if (m.figures() != null && own != null && own.loaded()) {
              long accepted = AuditFigures.total(AuditFigures.bySource(m.figures(), (key, why) -> {}), null, "accepted");
              gap[0] = accepted - own.counted() - sum(m.lost(), "hits") + sum(m.lost(), "recovered");
              register.run();
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** The sum of figure {@code name} over loss records (a value that does not parse is left out, as the audit route leaves it). */
  private static long sum(List<KvEntry> entries, String name) {
    long n = 0;
    for (KvEntry e : entries) {
      try {
        n += FiguresCodec.read(e.value()).getOrDefault(name, 0L);
      } catch (RuntimeException bad) {
        // reported by the audit route's BadValues
      }
    }
    return n;
  }
}
