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
 * the decided salts to {@link Salts}. The datacenters that take part are this one, those heard
 * of (heartbeats: {@code peers}) and those whose salt records are here; a datacenter of the
 * federation that runs no hitcounter is not waited for. A timer wakes it for what time alone
 * changes (a decision due, a day begun); nothing else is polled; the first decision waits a few
 * seconds after start, for the heartbeats and copies of the others to be read.
 */
public final class SaltKeeper {
  public sealed interface Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Applied(Throwable failure) implements Command {}

  private SaltKeeper() {}

  /** How long after start the keeper only reads (peers' heartbeats and copies arrive meanwhile). */
  private static final Duration STARTUP = Duration.ofSeconds(5);

  public record Settings(Duration decideBefore, Duration grace, Duration tick) {}

  public static Behavior<Command> create(
      Consul consul, Salts salts, Clock clock, Settings settings, java.util.function.Supplier<java.util.Set<String>> peers, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, SaltRecord.ROOT, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
      return new State(ctx, consul, salts, clock, settings, peers).behavior();
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
    private final java.util.function.Supplier<Set<String>> peers;
    private final long startedAt;
    private Map<String, KvEntry> entries;
    private boolean applying;

    State(ActorContext<Command> ctx, Consul consul, Salts salts, Clock clock, Settings settings, java.util.function.Supplier<Set<String>> peers) {
      this.ctx = ctx;
      this.consul = consul;
      this.salts = salts;
      this.clock = clock;
      this.settings = settings;
      this.dc = consul.localDatacenter();
      this.peers = peers;
      this.startedAt = clock.millis();
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
      Map<String, Map<LocalDate, SaltRecord>> records = records();
      Set<String> datacenters = new TreeSet<>(peers.get());
      datacenters.add(dc);
      datacenters.addAll(records.keySet());
      salts.publish(dc, datacenters, records);
      if (applying || clock.millis() - startedAt < STARTUP.toMillis()) {
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
