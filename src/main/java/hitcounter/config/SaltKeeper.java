package hitcounter.config;

import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps this datacenter's visitor salts ({@link SaltPlan}) on every node: watches every salt
 * record in the local Consul (its own datacenter's and the copies of the others'), applies what
 * the plan says with a CAS (two nodes racing: one wins, the other reads it back), and publishes
 * the decided salts to {@link Salts}. A timer wakes it for what time alone changes (a decision
 * due, a day begun); nothing else is polled.
 */
public final class SaltKeeper {
  public sealed interface Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Datacenters(List<String> names) implements Command {}

  private record Applied(Throwable failure) implements Command {}

  private SaltKeeper() {}

  public record Settings(Duration decideBefore, Duration grace, Duration tick) {}

  public static Behavior<Command> create(Consul consul, Salts salts, Clock clock, Settings settings, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, SaltRecord.ROOT, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
      return new State(ctx, consul, salts, clock, settings).behavior();
    }));
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final Consul consul;
    private final Salts salts;
    private final Clock clock;
    private final Settings settings;
    private final String dc;
    private final SecureRandom random = new SecureRandom();
    private Map<String, KvEntry> entries;
    private Set<String> datacenters;
    private long datacentersReadAt;
    /** Whether the federation's datacenters were read: no decision before (alone, every proposal seems heard). */
    private boolean datacentersKnown;
    private boolean applying;

    State(ActorContext<Command> ctx, Consul consul, Salts salts, Clock clock, Settings settings) {
      this.ctx = ctx;
      this.consul = consul;
      this.salts = salts;
      this.clock = clock;
      this.settings = settings;
      this.dc = consul.localDatacenter();
      this.datacenters = new TreeSet<>(List.of(dc));
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, m -> {
            Map<String, KvEntry> byKey = new HashMap<>();
            m.entries().value().forEach(e -> byKey.put(e.key(), e));
            entries = byKey;
            return step();
          })
          .onMessage(Tick.class, m -> step())
          .onMessage(Datacenters.class, m -> {
            datacenters = new TreeSet<>(m.names());
            datacenters.add(dc);
            datacentersKnown = true;
            return step();
          })
          .onMessage(Applied.class, m -> {
            applying = false;
            if (m.failure() != null) {
              ctx.getLog().warn("salt keeper: {}", m.failure().toString());
            }
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Command> step() {
      if (entries == null) {
        return Behaviors.same(); // not read yet
      }
      long now = clock.millis();
      if (now - datacentersReadAt > 60_000) {
        datacentersReadAt = now;
        ctx.pipeToSelf(consul.datacenters(), (names, e) -> e == null ? new Datacenters(names) : new Applied(e));
      }
      if (!datacentersKnown) {
        if (now - datacentersReadAt > 5_000) {
          datacentersReadAt = 0; // asked again on the next step
        }
        return Behaviors.same();
      }
      Map<String, Map<LocalDate, SaltRecord>> records = records();
      salts.publish(dc, datacenters, records);
      if (applying) {
        return Behaviors.same();
      }
      List<SaltPlan.Action> actions = SaltPlan.next(clock.instant(), dc, datacenters, records, settings.decideBefore(), settings.grace(), () -> {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return b;
      });
      if (actions.isEmpty()) {
        return Behaviors.same();
      }
      List<TxnOp> ops = new ArrayList<>();
      for (SaltPlan.Action a : actions) {
        if (a instanceof SaltPlan.Write w) {
          String key = SaltRecord.key(dc, w.day());
          KvEntry old = entries.get(key);
          ops.add(TxnOp.cas(key, w.record().bytes(), old == null ? 0 : old.modifyIndex()));
          ctx.getLog().info("salt of {} in {}: {}", w.day(), dc, w.record().decided() ? "decided" + (w.record().heardAll() ? "" : " without every datacenter's proposal") : "proposed");
        } else if (a instanceof SaltPlan.Delete d) {
          KvEntry old = entries.get(SaltRecord.key(d.dc(), d.day()));
          ops.add(TxnOp.deleteCas(SaltRecord.key(d.dc(), d.day()), old == null ? 0 : old.modifyIndex()));
        }
      }
      applying = true;
      // A lost CAS (another node of this datacenter wrote first) fails the transaction; the
      // watch brings the winner's record and the next step plans from it.
      ctx.pipeToSelf(consul.txn(null, ops.subList(0, Math.min(ops.size(), TxnOp.MAX_OPS))), (r, e) -> new Applied(e));
      return Behaviors.same();
    }

    private Map<String, Map<LocalDate, SaltRecord>> records() {
      Map<String, Map<LocalDate, SaltRecord>> out = new HashMap<>();
      for (KvEntry e : entries.values()) {
        var named = SaltRecord.named(e.key());
        var record = SaltRecord.parse(e.value());
        if (named.isPresent() && record.isPresent()) {
          out.computeIfAbsent(named.get().dc(), d -> new HashMap<>()).put(named.get().day(), record.get());
        }
      }
      return out;
    }
  }
}
