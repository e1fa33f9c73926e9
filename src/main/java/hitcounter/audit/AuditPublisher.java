package hitcounter.audit;

import hitcounter.infra.consul.Consul;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Writes how many hits this node run acknowledged (and refused) to its run key
 * {@code hitcounter/audit/<dc>/<node>/<epoch>} every interval, when it changed, so every
 * datacenter can set what was accepted against what was counted, per source. How a key folded
 * into the archive, wiped or restored is met: {@link RunFigures}.
 */
public final class AuditPublisher {
  public sealed interface Command {}

  private enum Flush implements Command {
    INSTANCE
  }

  private record Written(Throwable failure) implements Command {}

  private AuditPublisher() {}

  /** {@code start}: this JVM's start (ms), its first run's epoch unless the archive folded one at or above it. */
  public static Behavior<Command> create(Consul consul, HitTally queue, String dc, String node, long start, AuditSettings settings) {
    Duration interval = settings.interval();
    RunFigures run = new RunFigures(consul, dc, node, start, settings.foldAfter().dividedBy(4), System::currentTimeMillis);
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Flush.INSTANCE, interval);
      boolean[] busy = {false};
      long[] failures = {0};
      return Behaviors.receive(Command.class)
          .onMessage(Flush.class, m -> {
            Map<String, Long> total = Map.of("accepted", queue.accepted(), "rejected", queue.rejected(), "unknown", queue.unknown());
            if (!busy[0] && !run.holds(total)) {
              busy[0] = true;
              ctx.pipeToSelf(run.publish(total), (ok, e) -> new Written(e));
            }
            return Behaviors.same();
          })
          .onMessage(Written.class, m -> {
            busy[0] = false;
            if (m.failure() != null && failures[0]++ % 120 == 0) {
              ctx.getLog().warn("audit figures of {} not written ({} failures so far; tried again every {}): {}", node, failures[0], interval, m.failure().toString());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }
}
