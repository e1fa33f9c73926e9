package hitcounter.audit;

import hitcounter.audit.AuditKeys;
import hitcounter.infra.consul.Consul;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Writes how many hits this node run acknowledged (and refused) to
 * {@code hitcounter/audit/<dc>/<node>/<epoch>} every interval, when it changed, so every
 * datacenter can set what was accepted against what was counted, per source.
 */
public final class AuditPublisher {
  public sealed interface Command {}

  private enum Flush implements Command {
    INSTANCE
  }

  private record Written(long accepted, long rejected, long unknown, boolean ok) implements Command {}

  private AuditPublisher() {}

  public static String value(long accepted, long rejected, long unknown) {
    return "{\"accepted\":" + accepted + ",\"rejected\":" + rejected + ",\"unknown\":" + unknown + "}";
  }

  public static Behavior<Command> create(Consul consul, HitTally queue, String dc, String node, long epoch, Duration interval) {
    String key = AuditKeys.key(dc, node, epoch);
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Flush.INSTANCE, interval);
                  long[] written = {-1, -1, -1};
                  boolean[] busy = {false};
                  return Behaviors.receive(Command.class)
                      .onMessage(
                          Flush.class,
                          m -> {
                            long a = queue.accepted();
                            long r = queue.rejected();
                            long u = queue.unknown();
                            if (!busy[0] && (a != written[0] || r != written[1] || u != written[2])) {
                              busy[0] = true;
                              ctx.pipeToSelf(
                                  consul.kvPut(null, key, value(a, r, u).getBytes(StandardCharsets.UTF_8)),
                                  (ok, e) -> new Written(a, r, u, e == null));
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          Written.class,
                          m -> {
                            busy[0] = false;
                            if (m.ok()) {
                              written[0] = m.accepted();
                              written[1] = m.rejected();
                              written[2] = m.unknown();
                            }
                            return Behaviors.same();
                          })
                      .build();
                }));
  }
}
