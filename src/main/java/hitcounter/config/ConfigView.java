package hitcounter.config;

import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Watches every datacenter's writes of the settings in the local Consul ({@code
 * hitcounter/config/}, a blocking query: a change is seen within milliseconds of its copy
 * landing) and applies the winning write of each setting to {@link LiveSettings}. An older or
 * missing write never replaces a newer one.
 */
public final class ConfigView {
  public sealed interface Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  private ConfigView() {}

  /** Every write of every setting as last read, for the config routes. */
  public static final class Writes {
    private volatile Map<Setting, List<VersionedValue>> all = Map.of();

    public Map<Setting, List<VersionedValue>> all() {
      return all;
    }

    public long highestVersion(Setting s) {
      return all.getOrDefault(s, List.of()).stream().mapToLong(VersionedValue::version).max().orElse(0);
    }
  }

  /** A map setting in force: every write merged entry by entry, under the stamp of the latest write. */
  private static VersionedValue merged(VersionedValue latest, List<VersionedValue> writes) {
    return new VersionedValue(EntryMerge.merge(writes), latest.version(), latest.at(), latest.dc());
  }

  public static Behavior<Command> create(Consul consul, LiveSettings live, Writes writes, BlockingQueryWatch.Settings watch, Duration wait) {
    return create(consul, live, writes, new hitcounter.infra.consul.BadValues(), watch, wait);
  }

  /** A value that is not a write of a known setting is skipped and reported to {@code bad}. */
  public static Behavior<Command> create(
      Consul consul, LiveSettings live, Writes writes, hitcounter.infra.consul.BadValues bad, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, ConfigKeys.ROOT, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, m -> {
            Map<Setting, List<VersionedValue>> bySetting = new EnumMap<>(Setting.class);
            for (KvEntry e : m.entries().value()) {
              String name = ConfigKeys.settingOf(e.key());
              var setting = name == null ? java.util.Optional.<Setting>empty() : Setting.named(name);
              var value = VersionedValue.parse(e.value());
              if (setting.isPresent() && value.isPresent() && setting.get().problem(value.get().value()).isEmpty()) {
                bySetting.computeIfAbsent(setting.get(), s -> new ArrayList<>()).add(value.get());
                bad.good("config-view", e.key());
              } else {
                bad.skipped("config-view", e.key(), setting.isEmpty() ? "not a known setting" : "not a valid write of " + setting.get().key);
              }
            }
            writes.all = Map.copyOf(bySetting);
            bySetting.forEach((s, vs) -> vs.stream().max(VersionedValue.ORDER).map(w -> s.isMap() ? merged(w, vs) : w).ifPresent(winner -> {
              if (s.isMap() ? live.applyMerged(s, winner) : live.apply(s, winner)) {
                ctx.getLog().info("setting {} = {} (v{}, written in {})", s.key, winner.value(), winner.version(), winner.dc());
              }
            }));
            return Behaviors.same();
          })
          .build();
    });
  }
}
