package hitcounter.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Watches the heartbeat keys in the local datacenter ({@code hitcounter/heartbeat/<dc>}, each
 * written every second by that datacenter's replicator, into every datacenter) and keeps
 * {@link DatacenterStates}: a heartbeat that stops changing means that datacenter's figures here
 * are getting old.
 */
public final class HeartbeatView {
  public static final String ROOT = "hitcounter/heartbeat/";

  public sealed interface Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  private HeartbeatView() {}

  public static Behavior<Command> create(Consul consul, DatacenterStates states, BlockingQueryWatch.Settings watch, Duration wait) {
    return create(consul, states, new hitcounter.infra.consul.BadValues(), watch, wait);
  }

  /** A heartbeat that does not parse is no heartbeat, and is reported to {@code bad}. */
  public static Behavior<Command> create(
      Consul consul, DatacenterStates states, hitcounter.infra.consul.BadValues bad, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, ROOT, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, m -> {
            long now = System.currentTimeMillis();
            for (KvEntry e : m.entries().value()) {
              String dc = e.key().substring(ROOT.length());
              try {
                JsonNode beat = Json.mapper().readTree(e.value());
                if (beat == null || !beat.isObject() || !beat.path("at").canConvertToLong()) {
                  throw new IllegalArgumentException("not a heartbeat");
                }
                Map<String, Long> versions = new TreeMap<>();
                beat.path("config").fields().forEachRemaining(f -> versions.put(f.getKey(), f.getValue().asLong()));
                states.heard(dc, beat.path("at").asLong(), versions, beat.get("stalls"), now);
                bad.good("heartbeat-view", e.key());
              } catch (Exception notABeat) {
                bad.skipped("heartbeat-view", e.key(), "not a heartbeat");
              }
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  public static byte[] beat(long seq, long at, Map<String, Long> configVersions) {
    return beat(seq, at, configVersions, null);
  }

  /** A heartbeat: when, the setting versions in force, and (if any) the stalls of its datacenter. */
  public static byte[] beat(long seq, long at, Map<String, Long> configVersions, JsonNode stalls) {
    var o = Json.mapper().createObjectNode();
    o.put("seq", seq);
    o.put("at", at);
    var c = o.putObject("config");
    configVersions.forEach(c::put);
    if (stalls != null) {
      o.set("stalls", stalls);
    }
    return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
