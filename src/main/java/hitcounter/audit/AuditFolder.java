package hitcounter.audit;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.infra.consul.TxnResult;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keeper's care of its datacenter's audit keys (decision 0018), every {@code fold-interval}:
 * first what any other datacenter's copy holds beyond them is merged back ({@link
 * AuditMerge#back}: a restore or a wipe here, healed from there, tried again every round), then
 * run keys at rest are folded into the archive ({@link AuditFold}). It learns how long each key
 * has held its ModifyIndex by reading them (a new keeper starts afresh, so it folds no sooner than
 * {@code fold-after} after it took over).
 */
public final class AuditFolder {
  private static final Logger LOG = LoggerFactory.getLogger(AuditFolder.class);

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
              CompletionStage<Void> back = mergeBack(consul, dc).exceptionally(e -> {
                ctx.getLog().debug("audit keys of {} not merged back this round: {}", dc, e.toString());
                return null;
              });
              ctx.pipeToSelf(back.thenCompose(x -> consul.kvTree(null, AuditKeys.prefix(dc), 0, Duration.ZERO)),
                  (r, e) -> new Read(e == null ? r.value() : null, e));
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

  /**
   * Merges every other datacenter's copy of {@code dc}'s audit keys back into them, one key per
   * write (a key a node writes meanwhile is merged next round). A datacenter out of reach is
   * skipped this round.
   */
  static CompletionStage<Void> mergeBack(Consul consul, String dc) {
    String prefix = AuditKeys.prefix(dc);
    return consul.datacenters().thenCompose(all -> {
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (String other : all) {
        if (other.equals(dc)) {
          continue;
        }
        chain = chain.thenCompose(x -> consul.kvTree(other, prefix, 0, Duration.ZERO)
            .thenCombine(consul.kvTree(null, prefix, 0, Duration.ZERO), (copy, local) -> AuditMerge.back(dc, copy.value(), local.value()))
            .thenCompose(ops -> hitcounter.infra.consul.SingleWrites.each(consul, ops,
                op -> LOG.warn("audit key {} of {} brought back from the copy in {} (a restore or a wipe here had taken it back)", op.key(), dc, other)))
            .exceptionally(e -> {
              LOG.debug("audit keys of {} not merged back from {} this round: {}", dc, other, e.toString());
              return null;
            }));
      }
      return chain;
    });
  }
}
