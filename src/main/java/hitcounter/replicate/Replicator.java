package hitcounter.replicate;

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
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Copies this datacenter's own keys (counts and audit figures, both grow-only maps) to every
 * other datacenter Consul knows (WAN members, refreshed, so a datacenter joined later is picked
 * up). Watches the local keys; every interval, each datacenter that has not yet received the
 * latest local state gets a max-merge copy. A datacenter that cannot be reached is simply tried
 * again next interval.
 */
public final class Replicator extends AbstractBehavior<Replicator.Command> {
  public sealed interface Command {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** Per remote datacenter: the local generation (count of local changes) it has, and when it got it. */
  public record Status(long localGeneration, Map<String, Long> copiedGeneration, Map<String, Long> copiedAtMillis) {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum RefreshDatacenters implements Command {
    INSTANCE
  }

  private record LocalChanged(String prefix, Indexed<List<KvEntry>> entries) implements Command {}

  private record Datacenters(List<String> names) implements Command {}

  private record Copied(String dc, long index, boolean complete) implements Command {}

  private record CopyFailed(String dc, Throwable cause) implements Command {}

  public static Behavior<Command> create(Consul consul, KnownDatacenters known, ReplicationSettings settings, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new Replicator(ctx, timers, consul, known, settings, watch, wait)));
  }

  private final Consul consul;
  private final KnownDatacenters known;
  private final String localDc;
  private final Map<String, List<KvEntry>> local = new HashMap<>();
  private long localGeneration;
  private final Set<String> remotes = new HashSet<>();
  private final Map<String, Long> copiedIndex = new HashMap<>();
  private final Map<String, Long> copiedAt = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();

  private Replicator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Consul consul,
      KnownDatacenters known,
      ReplicationSettings settings,
      BlockingQueryWatch.Settings watch,
      Duration wait) {
    super(ctx);
    this.consul = consul;
    this.known = known;
    this.localDc = consul.localDatacenter();
    int n = 0;
    for (String prefix : List.of(Keys.countPrefix(localDc), Keys.auditPrefix(localDc))) {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, prefix, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), r -> new LocalChanged(prefix, r), watch), "watch-local-" + (n++));
    }
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
    timers.startTimerWithFixedDelay(RefreshDatacenters.INSTANCE, Duration.ZERO, settings.datacenterRefresh());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(LocalChanged.class, this::onLocalChanged)
        .onMessage(RefreshDatacenters.class, m -> onRefreshDatacenters())
        .onMessage(Datacenters.class, this::onDatacenters)
        .onMessage(Tick.class, m -> onTick())
        .onMessage(Copied.class, this::onCopied)
        .onMessage(CopyFailed.class, this::onCopyFailed)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onLocalChanged(LocalChanged m) {
    local.put(m.prefix(), m.entries().value());
    localGeneration++;
    return this;
  }

  private Behavior<Command> onRefreshDatacenters() {
    getContext()
        .pipeToSelf(consul.datacenters(), (names, e) -> new Datacenters(e == null ? names : null));
    return this;
  }

  private Behavior<Command> onDatacenters(Datacenters m) {
    if (m.names() != null) {
      known.set(new HashSet<>(m.names()));
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

  private Behavior<Command> onTick() {
    if (localGeneration == 0) {
      return this;
    }
    for (String dc : remotes) {
      if (!inFlight.contains(dc) && copiedIndex.getOrDefault(dc, -1L) < localGeneration) {
        inFlight.add(dc);
        long index = localGeneration;
        Map<String, List<KvEntry>> snapshot = Map.copyOf(local);
        getContext()
            .pipeToSelf(
                copyAll(dc, snapshot),
                (complete, e) -> e == null ? new Copied(dc, index, complete) : new CopyFailed(dc, e));
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
              List<TxnOp> ops = MaxMerge.plan(source, target.value());
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
      copiedIndex.put(m.dc(), m.index());
      copiedAt.put(m.dc(), System.currentTimeMillis());
    }
    return this;
  }

  private Behavior<Command> onCopyFailed(CopyFailed m) {
    inFlight.remove(m.dc());
    getContext().getLog().debug("copy to {} failed: {}", m.dc(), m.cause().toString());
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus m) {
    m.replyTo().tell(new Status(localGeneration, Map.copyOf(copiedIndex), Map.copyOf(copiedAt)));
    return this;
  }
}
