package hitcounter.audit;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.infra.consul.TxnResult;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The keeper's fold of its datacenter's audit keys into the archive ({@link AuditFold}, decision
 * 0018), every {@code fold-interval}: one key per node run would otherwise stay forever. It
 * learns how long each key has held its ModifyIndex by reading them (a new keeper starts
 * afresh, so it folds no sooner than {@code fold-after} after it took over).
 */
public final class AuditFolder {
  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Read(List<KvEntry> entries, Throwable failure) implements Command {}

  private record Folded(AuditFold.Plan plan, TxnResult result, Throwable failure) implements Command {}

  private record Seen(long index, long since) {}

  private AuditFolder() {}

  public static Behavior<Command> create(Consul consul, String dc, AuditSettings settings, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.foldInterval());
      Map<String, Seen> seen = new HashMap<>();
      boolean[] busy = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, m -> {
            if (!busy[0]) {
              busy[0] = true;
              ctx.pipeToSelf(consul.kvTree(null, AuditKeys.prefix(dc), 0, java.time.Duration.ZERO), (r, e) -> new Read(e == null ? r.value() : null, e));
            }
            return Behaviors.same();
          })
          .onMessage(Read.class, m -> {
            if (m.failure() != null) {
              busy[0] = false;
              ctx.getLog().warn("audit keys of {} not read for a fold: {}", dc, m.failure().toString());
              return Behaviors.same();
            }
            long now = clock.millis();
            Map<String, Seen> current = new HashMap<>();
            for (KvEntry e : m.entries()) {
              Seen s = seen.get(e.key());
              current.put(e.key(), s != null && s.index() == e.modifyIndex() ? s : new Seen(e.modifyIndex(), now));
            }
            seen.clear();
            seen.putAll(current);
            AuditFold.Plan plan = AuditFold.plan(dc, m.entries(), e -> seen.get(e.key()).since(), now, settings.foldAfter(), TxnOp.MAX_OPS);
            if (plan.ops().isEmpty()) {
              busy[0] = false;
              return Behaviors.same();
            }
            ctx.pipeToSelf(consul.txn(null, plan.ops()), (r, e) -> new Folded(plan, r, e));
            return Behaviors.same();
          })
          .onMessage(Folded.class, m -> {
            busy[0] = false;
            if (m.failure() != null) {
              ctx.getLog().warn("audit fold of {} failed (tried again in {}): {}", dc, settings.foldInterval(), m.failure().toString());
            } else if (!m.result().committed()) {
              ctx.getLog().info("audit fold of {} met a key written meanwhile; tried again in {}", dc, settings.foldInterval());
            } else {
              ctx.getLog().info("folded {} audit runs of {} into its archive ({} keys deleted)", m.plan().runs(), dc, m.plan().deleted());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }
}
