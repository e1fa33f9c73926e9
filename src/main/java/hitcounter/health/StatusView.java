package hitcounter.health;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Watches the stall reports of this datacenter's nodes ({@code hitcounter/status/<dc>/}, small)
 * and keeps {@link LocalStalls}. A report that does not parse is skipped and reported.
 */
public final class StatusView {
  public sealed interface Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  private StatusView() {}

  public static Behavior<Command> create(Consul consul, LocalStalls stalls, BadValues bad, BlockingQueryWatch.Settings watch, Duration wait) {
    String prefix = StatusPublisher.ROOT + consul.localDatacenter() + "/";
    return Behaviors.setup(ctx -> {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, prefix, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
      Map<String, byte[]> last = new HashMap<>();
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, m -> {
            long now = System.currentTimeMillis();
            Set<String> nodes = new HashSet<>();
            for (KvEntry e : m.entries().value()) {
              String node = e.key().substring(prefix.length());
              try {
                JsonNode o = Json.mapper().readTree(e.value());
                if (o == null || !o.isObject()) {
                  throw new IllegalArgumentException("not an object");
                }
                boolean changed = !Arrays.equals(last.get(node), e.value());
                last.put(node, e.value());
                stalls.heard(node, Stall.fromJson(o.path("stalls")), changed, now);
                nodes.add(node);
                bad.good("status-view", e.key());
              } catch (Exception x) {
                bad.skipped("status-view", e.key(), "not a status report");
              }
            }
            stalls.forgetOthers(nodes);
            last.keySet().retainAll(nodes);
            return Behaviors.same();
          })
          .build();
    });
  }
}
