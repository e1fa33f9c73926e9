package hitcounter.replicate;

import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Copies this datacenter's own keys into every other datacenter Consul's WAN pool lists (read
 * again regularly, so a datacenter joined later is picked up): its count store (journal
 * entries, snapshots and heads, {@link StoreCopy}: bytes follow what changed), its audit
 * figures (grow-only maps, merged entry by entry with max) and the settings written here (the
 * winning write stays). Every {@code replication-interval-ms} (a live setting), each datacenter
 * behind gets a round; one that cannot be reached is tried again next time, and shows in
 * {@link CopyStatus}. This datacenter's heartbeat travels in the last transaction of a
 * successful round (at least every {@code heartbeat}), so a target never hears "fresh" while
 * copies to it fail. One node per datacenter runs it (elected by the discovery actor).
 */
public final class Replicator extends AbstractBehavior<Replicator.Command> {
  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum LocalBeat implements Command {
    INSTANCE
  }

  private enum RefreshDatacenters implements Command {
    INSTANCE
  }

  private record SmallChanged(String prefix, Indexed<List<KvEntry>> entries) implements Command {}

  private record HeadsChanged(Indexed<List<KvEntry>> entries) implements Command {}

  private record ManifestRead(SnapshotPointer pointer, Map<String, Long> folded) implements Command {}

  private record Datacenters(List<String> names) implements Command {}

  private record RoundDone(String dc, long smallGen, long storeGen, StoreCopy.Result result, boolean smallComplete, long startedAt) implements Command {}

  private record RoundFailed(String dc, Throwable cause) implements Command {}

  private record CollectRemote(String dc, CopyGarbage garbage) implements Command {}

  /**
   * Every minute, the next round to each target compares every small prefix again (a merge
   * writes only what is behind): a target that lost its copies without a failed round here (its
   * Consul restored from an old snapshot) gets them back.
   */
  private enum ResendSmall implements Command {
    INSTANCE
  }

  private enum SweepRemotes implements Command {
    INSTANCE
  }

  /** What the heartbeat says besides the time: setting versions in force, and how late counting is here. */
  public interface BeatContent extends Supplier<byte[]> {}

  public static Behavior<Command> create(
      Consul consul, LiveSettings live, ReplicationSettings settings, CopyStatus status, BeatContent beat, BlockingQueryWatch.Settings watch, Duration wait) {
    return create(consul, live, settings, status, beat, new hitcounter.infra.consul.BadValues(), new hitcounter.config.DeadGenerations.Known(), watch, wait);
  }

  /** {@code dead}: generations of deleted sites every datacenter has seen deleted (the reset folder finds them), left out of copies. */
  public static Behavior<Command> create(
      Consul consul,
      LiveSettings live,
      ReplicationSettings settings,
      CopyStatus status,
      BeatContent beat,
      hitcounter.infra.consul.BadValues bad,
      hitcounter.config.DeadGenerations.Known dead,
      BlockingQueryWatch.Settings watch,
      Duration wait) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Replicator(ctx, timers, consul, live, settings, status, beat, bad, dead, watch, wait)));
  }

  private final TimerScheduler<Command> timers;
  private final Consul consul;
  private final LiveSettings live;
  private final ReplicationSettings settings;
  private final CopyStatus status;
  private final BeatContent beat;
  private final hitcounter.infra.consul.BadValues bad;
  private final String localDc;
  private final StoreCopy store;
  private final SmallCopy small;
  private final LocalStore localStore;
  private final Set<String> remotes = new HashSet<>();
  private final Map<String, Long> copiedSmall = new HashMap<>();
  private final Map<String, Long> copiedStore = new HashMap<>();
  private final Map<String, Long> lastBeat = new HashMap<>();
  private final Map<String, StoreCopy.Remote> known = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();

  private Replicator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Consul consul,
      LiveSettings live,
      ReplicationSettings settings,
      CopyStatus status,
      BeatContent beat,
      hitcounter.infra.consul.BadValues bad,
      hitcounter.config.DeadGenerations.Known dead,
      BlockingQueryWatch.Settings watch,
      Duration wait) {
    super(ctx);
    this.bad = bad;
    this.timers = timers;
    this.consul = consul;
    this.live = live;
    this.settings = settings;
    this.status = status;
    this.beat = beat;
    this.localDc = consul.localDatacenter();
    this.store = new StoreCopy(consul, status.registry(), status.reading());
    this.small = new SmallCopy(consul, bad, dead);
    this.localStore = new LocalStore(consul);
    int n = 0;
    for (String prefix : small.prefixes()) {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, prefix, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), r -> new SmallChanged(prefix, r), watch), "watch-local-" + (n++));
    }
    BlockingQueryWatch.BlockingQuery<List<KvEntry>> heads = index -> consul.kvTree(null, StoreKeys.headsPrefix(localDc), index, wait);
    ctx.spawn(BlockingQueryWatch.create(heads, ctx.getSelf(), HeadsChanged::new, watch), "watch-heads");
    timers.startSingleTimer(Tick.INSTANCE, interval());
    timers.startTimerWithFixedDelay(LocalBeat.INSTANCE, Duration.ZERO, settings.heartbeat());
    timers.startTimerWithFixedDelay(RefreshDatacenters.INSTANCE, Duration.ZERO, settings.datacenterRefresh());
    timers.startTimerWithFixedDelay(SweepRemotes.INSTANCE, settings.sweepInterval(), settings.sweepInterval());
    timers.startTimerWithFixedDelay(ResendSmall.INSTANCE, Duration.ofMinutes(1), Duration.ofMinutes(1));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SmallChanged.class, this::onSmallChanged)
        .onMessage(HeadsChanged.class, this::onHeadsChanged)
        .onMessage(ManifestRead.class, this::onManifestRead)
        .onMessage(RefreshDatacenters.class, m -> onRefreshDatacenters())
        .onMessage(Datacenters.class, this::onDatacenters)
        .onMessage(Tick.class, m -> onTick())
        .onMessage(LocalBeat.class, m -> onLocalBeat())
        .onMessage(RoundDone.class, this::onRoundDone)
        .onMessage(RoundFailed.class, this::onRoundFailed)
        .onMessage(CollectRemote.class, this::onCollectRemote)
        .onMessage(SweepRemotes.class, m -> onSweepRemotes())
        .onMessage(ResendSmall.class, m -> onResendSmall())
        .onSignal(PostStop.class, s -> {
          // Another node replicates now (or this one shuts down): its copies are not ours to report.
          status.clear();
          return this;
        })
        .build();
  }

  private Duration interval() {
    return Duration.ofMillis(live.getInt(Setting.REPLICATION_INTERVAL_MS));
  }

  private Behavior<Command> onSmallChanged(SmallChanged m) {
    if (small.read(m.prefix(), m.entries().value())) {
      changed();
    }
    return this;
  }

  private Behavior<Command> onHeadsChanged(HeadsChanged m) {
    if (localStore.headsRead(m.entries().value())) {
      changed();
    } else {
      readManifest();
    }
    return this;
  }

  /** Reads the manifest the pending pointer names, when due (its folded seqs travel with every copy). */
  private void readManifest() {
    if (localStore.manifestDue()) {
      SnapshotPointer p = localStore.pendingPointer();
      getContext().pipeToSelf(localStore.readManifest(), (f, e) -> new ManifestRead(p, e == null ? f : null));
    }
  }

  private Behavior<Command> onManifestRead(ManifestRead m) {
    if (localStore.manifestRead(m.pointer(), m.folded())) {
      changed();
    }
    return this;
  }

  private void changed() {
    long now = System.currentTimeMillis();
    remotes.forEach(dc -> status.changed(dc, now));
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
      for (String gone : new HashSet<>(remotes)) {
        if (!others.contains(gone)) {
          status.forget(gone);
          // If it comes back, it may come back empty: copy everything to it again.
          copiedSmall.remove(gone);
          copiedStore.remove(gone);
          known.remove(gone);
        }
      }
      long now = System.currentTimeMillis();
      others.stream().filter(dc -> !remotes.contains(dc)).forEach(dc -> status.changed(dc, now));
      remotes.retainAll(others);
      remotes.addAll(others);
      // Datacenters come and go rarely: once others are known, the list is read 12 times less
      // often (an idle keeper's Consul requests, docs/benchmarks.md).
      timers.startTimerWithFixedDelay(RefreshDatacenters.INSTANCE,
          remotes.isEmpty() ? settings.datacenterRefresh() : settings.datacenterRefresh().multipliedBy(12));
    }
    return this;
  }

  private Behavior<Command> onLocalBeat() {
    consul.kvPut(null, HeartbeatView.ROOT + localDc, beat.get());
    return this;
  }

  private Behavior<Command> onTick() {
    timers.startSingleTimer(Tick.INSTANCE, interval());
    readManifest();
    StoreCopy.Local local = localStore.local();
    long smallGen = small.gen();
    long storeGen = localStore.gen();
    if (local == null) {
      return this;
    }
    if (local.marker() == null) {
      // This datacenter's store has no marker: it is new, or its Consul lost its data and waits
      // for the store guard to restore it. Copying it now could erase what the others hold of it.
      return this;
    }
    long now = System.currentTimeMillis();
    for (String dc : remotes) {
      boolean smallBehind = copiedSmall.getOrDefault(dc, -1L) < smallGen;
      boolean storeBehind = copiedStore.getOrDefault(dc, -1L) < storeGen;
      boolean beatDue = now - lastBeat.getOrDefault(dc, 0L) >= settings.heartbeat().toMillis();
      if (inFlight.contains(dc) || !(smallBehind || storeBehind || beatDue)) {
        continue;
      }
      inFlight.add(dc);
      long sGen = smallGen;
      long tGen = storeGen;
      StoreCopy.Local snapshot = local;
      CompletionStage<Boolean> smallCopied = smallBehind ? small.copy(dc, small.changedSince(copiedSmall.getOrDefault(dc, -1L))) : CompletableFuture.completedFuture(true);
      getContext().pipeToSelf(
          smallCopied.thenCompose(complete -> store.round(dc, snapshot, known.get(dc), beat.get()).thenApply(r -> new Object[] {r, complete})),
          (x, e) -> e == null ? new RoundDone(dc, sGen, tGen, (StoreCopy.Result) x[0], (Boolean) x[1], now) : new RoundFailed(dc, e));
    }
    return this;
  }

  private Behavior<Command> onRoundDone(RoundDone m) {
    inFlight.remove(m.dc());
    known.put(m.dc(), m.result().remote());
    lastBeat.put(m.dc(), System.currentTimeMillis());
    if (m.smallComplete()) {
      copiedSmall.put(m.dc(), m.smallGen());
    }
    copiedStore.put(m.dc(), m.storeGen());
    boolean upToDate = m.smallComplete() && m.smallGen() == small.gen() && m.storeGen() == localStore.gen();
    status.succeeded(m.dc(), upToDate, m.result().bytes(), m.smallComplete() ? m.startedAt() : 0);
    if (!m.result().garbage().isEmpty()) {
      // After a grace period, so readers there that were fetching these keys finish first.
      timers.startSingleTimer(new Object(), new CollectRemote(m.dc(), m.result().garbage()), settings.garbageGrace());
    }
    return this;
  }

  private Behavior<Command> onCollectRemote(CollectRemote m) {
    store.delete(m.dc(), m.garbage()).whenComplete((x, e) -> {
      if (e != null) {
        getContext().getSystem().log().warn("collecting {} copied keys in {} failed ({}); the next sweep collects them", m.garbage().size(), m.dc(), e.toString());
      }
    });
    return this;
  }

  /** Now and then, the copies in each datacenter are swept for keys their manifest no longer names (a collect that failed). */
  private Behavior<Command> onResendSmall() {
    copiedSmall.clear();
    return this;
  }

  private Behavior<Command> onSweepRemotes() {
    for (String dc : remotes) {
      store.sweep(dc).whenComplete((n, e) -> {
        if (e != null) {
          getContext().getSystem().log().debug("sweeping the copies in {} failed: {}", dc, e.toString());
        }
      });
    }
    return this;
  }

  private Behavior<Command> onRoundFailed(RoundFailed m) {
    inFlight.remove(m.dc());
    known.remove(m.dc());
    // The target may have lost what it held (a wiped Consul): the next round sends every small prefix again.
    copiedSmall.remove(m.dc());
    status.failed(m.dc(), m.cause().toString(), System.currentTimeMillis());
    getContext().getLog().debug("copy to {} failed: {}", m.dc(), m.cause().toString());
    return this;
  }
}
