package hitcounter.replicate;

import hitcounter.config.ConfigKeys;
import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.count.Keys;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Copies this datacenter's own keys to every other datacenter Consul's WAN pool lists (re-read
 * regularly, so a datacenter joined later is picked up): counts and audit figures (grow-only
 * maps, merged entry by entry with max) and settings written here (the winning write stays).
 * Every {@code replication-interval-ms} (a live setting), each datacenter that has not yet
 * received the latest local state gets a copy; one that cannot be reached is tried again next
 * time. Every second it also writes this datacenter's heartbeat (with the setting versions in
 * force) into every datacenter, its own included. One node per datacenter runs it (elected by
 * the discovery actor).
 */
public final class Replicator extends AbstractBehavior<Replicator.Command> {
  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum Beat implements Command {
    INSTANCE
  }

  private enum RefreshDatacenters implements Command {
    INSTANCE
  }

  private record LocalChanged(String prefix, Indexed<List<KvEntry>> entries) implements Command {}

  private record Datacenters(List<String> names) implements Command {}

  private record Copied(String dc, long generation, boolean complete) implements Command {}

  private record CopyFailed(String dc, Throwable cause) implements Command {}

  public static Behavior<Command> create(
      Consul consul, LiveSettings live, ReplicationSettings settings, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Replicator(ctx, timers, consul, live, settings, watch, wait)));
  }

  private final TimerScheduler<Command> timers;
  private final Consul consul;
  private final LiveSettings live;
  private final String localDc;
  private final Map<String, MaxMerge.Merge> merges = new HashMap<>();
  private final Map<String, List<KvEntry>> local = new HashMap<>();
  private long localGeneration;
  private final Set<String> remotes = new HashSet<>();
  private final Map<String, Long> copiedGeneration = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();

  private Replicator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Consul consul,
      LiveSettings live,
      ReplicationSettings settings,
      BlockingQueryWatch.Settings watch,
      Duration wait) {
    super(ctx);
    this.timers = timers;
    this.consul = consul;
    this.live = live;
    this.localDc = consul.localDatacenter();
    merges.put(Keys.countPrefix(localDc), MaxMerge.COUNTERS);
    merges.put(Keys.auditPrefix(localDc), MaxMerge.COUNTERS);
    merges.put(ConfigKeys.prefix(localDc), MaxMerge.LAST_WRITER);
    int n = 0;
    for (String prefix : merges.keySet()) {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, prefix, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), r -> new LocalChanged(prefix, r), watch), "watch-local-" + (n++));
    }
    timers.startSingleTimer(Tick.INSTANCE, interval());
    timers.startTimerWithFixedDelay(Beat.INSTANCE, Duration.ZERO, settings.heartbeat());
    timers.startTimerWithFixedDelay(RefreshDatacenters.INSTANCE, Duration.ZERO, settings.datacenterRefresh());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(LocalChanged.class, this::onLocalChanged)
        .onMessage(RefreshDatacenters.class, m -> onRefreshDatacenters())
        .onMessage(Datacenters.class, this::onDatacenters)
        .onMessage(Tick.class, m -> onTick())
        .onMessage(Beat.class, m -> onBeat())
        .onMessage(Copied.class, this::onCopied)
        .onMessage(CopyFailed.class, this::onCopyFailed)
        .build();
  }

  private Duration interval() {
    return Duration.ofMillis(live.getInt(Setting.REPLICATION_INTERVAL_MS));
  }

  private Behavior<Command> onLocalChanged(LocalChanged m) {
    local.put(m.prefix(), m.entries().value());
    localGeneration++;
    return this;
  }

  private Behavior<Command> onRefreshDatacenters() {
    getContext().pipeToSelf(consul.datacenters(), (names, e) -> new Datacenters(e == null ? names : null));
    return this;
  }

  private Behavior<Command> onDatacenters(Datacenters m) {
    if (m.names() != null) {
      Set<String> others = new HashSet<>(m.names());
      others.remove(localDc);
      if (!others.equals(remotes)) {
        getContext().getLog().info("replicating {} to {}", localDc, others);
      }
      remotes.retainAll(others);
      remotes.addAll(others);
    }
    return this;
  }

  private Behavior<Command> onBeat() {
    long now = System.currentTimeMillis();
    byte[] beat = HeartbeatView.beat(now, now, live.appliedVersions());
    List<String> targets = new ArrayList<>(remotes);
    targets.add(null);
    for (String dc : targets) {
      consul.kvPut(dc, HeartbeatView.ROOT + localDc, beat);
    }
    return this;
  }

  private Behavior<Command> onTick() {
    timers.startSingleTimer(Tick.INSTANCE, interval());
    if (localGeneration == 0) {
      return this;
    }
    for (String dc : remotes) {
      if (!inFlight.contains(dc) && copiedGeneration.getOrDefault(dc, -1L) < localGeneration) {
        inFlight.add(dc);
        long generation = localGeneration;
        Map<String, List<KvEntry>> snapshot = Map.copyOf(local);
        getContext()
            .pipeToSelf(
                copyAll(dc, snapshot),
                (complete, e) -> e == null ? new Copied(dc, generation, complete) : new CopyFailed(dc, e));
      }
    }
    return this;
  }

  private CompletionStage<Boolean> copyAll(String dc, Map<String, List<KvEntry>> snapshot) {
    CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
    for (var e : snapshot.entrySet()) {
      all = all.thenCompose(ok -> copy(dc, e.getKey(), e.getValue()).thenApply(done -> ok && done));
    }
    return all;
  }

  /** Reads the copies in {@code dc}, writes what is behind; true when nothing was left behind. */
  private CompletionStage<Boolean> copy(String dc, String prefix, List<KvEntry> source) {
    return consul
        .kvTree(dc, prefix, 0, Duration.ZERO)
        .thenCompose(
            target -> {
              List<TxnOp> ops = MaxMerge.plan(source, target.value(), merges.get(prefix));
              CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
              for (int from = 0; from < ops.size(); from += TxnOp.MAX_OPS) {
                List<TxnOp> chunk = new ArrayList<>(ops.subList(from, Math.min(ops.size(), from + TxnOp.MAX_OPS)));
                all = all.thenCompose(ok -> consul.txn(dc, chunk).thenApply(r -> ok && r.committed()));
              }
              return all;
            });
  }

  private Behavior<Command> onCopied(Copied m) {
    inFlight.remove(m.dc());
    if (m.complete()) {
      copiedGeneration.put(m.dc(), m.generation());
    }
    return this;
  }

  private Behavior<Command> onCopyFailed(CopyFailed m) {
    inFlight.remove(m.dc());
    getContext().getLog().debug("copy to {} failed: {}", m.dc(), m.cause().toString());
    return this;
  }

}
