package hitcounter.health;

import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.count.ViewHealth;
import hitcounter.count.WorkerHealth;
import hitcounter.infra.Json;
import hitcounter.infra.consul.Consul;
import hitcounter.replicate.CopyStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what this node sees going wrong into stalls, and makes them loud: every
 * {@code check-interval} it looks at its workers (a queue's oldest job waiting, commits that
 * keep failing) and its copies to other datacenters (when it replicates), past
 * {@code stall-after}. A stall that starts is logged at ERROR once (not once per retry), and its
 * end at INFO. The node's stalls go to {@code hitcounter/status/<dc>/<node>} when they change,
 * and again every {@code republish} while any lasts (so a report that stops being renewed is a
 * node gone). At rest nothing is written.
 */
public final class StatusPublisher {
  public sealed interface Command {}

  private enum Check implements Command {
    INSTANCE
  }

  private record Written(boolean ok) implements Command {}

  private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);
  public static final String ROOT = "hitcounter/status/";

  public static String key(String dc, String node) {
    return ROOT + dc + "/" + node;
  }

  private StatusPublisher() {}

  /** {@code own}: this node's own queue, reported when it stops moving ({@link OwnQueue}). */
  public static Behavior<Command> create(Consul consul, String node, WorkerHealth workers, ViewHealth view, CopyStatus copies, OwnQueue own, HealthSettings settings) {
    String dc = consul.localDatacenter();
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Check.INSTANCE, settings.check());
      Set<String> open = new TreeSet<>();
      long[] lastWrite = {0};
      boolean[] dirty = {true};
      return Behaviors.receive(Command.class)
          .onMessage(Check.class, m -> {
            long now = System.currentTimeMillis();
            List<Stall> stalls = stalls(dc, workers, copies, settings, now);
            ownQueueStall(dc, own, stalls, settings, now);
            stalls.addAll(viewStalls(node, view, settings, now));
            Set<String> episodes = stalls.stream().map(Stall::episode).collect(Collectors.toCollection(TreeSet::new));
            for (Stall s : stalls) {
              if (!open.contains(s.episode())) {
                LOG.error("stall in {}: {} of {}: {}", s.datacenter(), s.why(), s.subject(), s.detail());
              }
            }
            for (String e : open) {
              if (!episodes.contains(e)) {
                LOG.info("stall over: {}", e);
              }
            }
            boolean changed = !episodes.equals(open);
            open.clear();
            open.addAll(episodes);
            if (changed || dirty[0] || (!stalls.isEmpty() && now - lastWrite[0] >= settings.republish().toMillis())) {
              ObjectNode o = Json.mapper().createObjectNode();
              o.put("node", node);
              o.put("at", now);
              o.set("stalls", Stall.toJson(stalls));
              lastWrite[0] = now;
              dirty[0] = false;
              ctx.pipeToSelf(consul.kvPut(null, key(dc, node), o.toString().getBytes(StandardCharsets.UTF_8)), (ok, e) -> new Written(e == null));
            }
            return Behaviors.same();
          })
          .onMessage(Written.class, m -> {
            if (!m.ok()) {
              dirty[0] = true; // try again at the next check
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  static List<Stall> stalls(String dc, WorkerHealth workers, CopyStatus copies, HealthSettings settings, long now) {
    double after = settings.stallAfter().toMillis() / 1000.0;
    List<Stall> out = new ArrayList<>();
    workers.oldestReady().forEach((q, age) -> {
      if (age > after) {
        out.add(new Stall(dc, Stall.COUNTING, q, "the oldest job of queue " + q + " has waited " + Math.round(age) + " s", age));
      }
    });
    workers.failing().forEach((q, f) -> {
      double age = (now - f.sinceMillis()) / 1000.0;
      if (age > after) {
        out.add(new Stall(dc, Stall.COMMIT_FAILING, q, "commits of queue " + q + " keep failing: " + trim(f.reason()), age));
      }
    });
    Map<String, CopyStatus.Target> targets = new TreeMap<>(copies.targets());
    targets.forEach((target, t) -> {
      double age = t.ageSeconds(now);
      if (age > after) {
        String why = t.failingSinceMillis() > 0 ? "copies to " + target + " keep failing: " + trim(t.reason()) : "copies to " + target + " wait";
        out.add(new Stall(dc, Stall.COPY_FAILING, target, why, age));
      }
    });
    return out;
  }

  /**
   * This node's own queue, stuck past {@code stall-after} (jobs waiting, none deleted), unless a
   * worker already reports it counting late: seen from the node that acknowledged the hits,
   * whether or not any worker drains the queue.
   */
  static void ownQueueStall(String dc, OwnQueue own, List<Stall> stalls, HealthSettings settings, long now) {
    double age = own.stuckSeconds(now);
    boolean reported = stalls.stream().anyMatch(s -> s.why().equals(Stall.COUNTING) && s.subject().equals(own.id()));
    if (age > settings.stallAfter().toMillis() / 1000.0 && !reported) {
      stalls.add(new Stall(dc, Stall.COUNTING, own.id(), own.detail() + " for " + Math.round(age) + " s", age));
    }
  }

  /** This node's table behind a datacenter's heads for longer than {@code stall-after}. */
  static List<Stall> viewStalls(String node, ViewHealth view, HealthSettings settings, long now) {
    return Freshness.viewStalls(view, node, settings.stallAfter().toMillis() / 1000.0, now);
  }

  private static String trim(String s) {
    return s.length() > 200 ? s.substring(0, 200) : s;
  }
}
