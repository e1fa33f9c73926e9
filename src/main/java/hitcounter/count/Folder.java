package hitcounter.count;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Folds this datacenter's journal into its snapshot, on the one node of the datacenter that
 * keeps it (elected with the replicator). Every {@code check-interval} it asks the count view
 * whether a fold is due; a due fold is <b>planned</b> off the actor, its new shards are
 * <b>written</b> (immutable keys, paced), then the manifest, then the snapshot pointer is
 * <b>flipped</b> with a CAS (a second folder racing loses and removes what it wrote); after a
 * grace period the replaced shards, the old manifest and the folded entries are
 * <b>collected</b>, 64 deletes per transaction. Now and then it <b>sweeps</b> the datacenter's
 * store for keys no manifest or head names any more (left by a crash).
 */
public final class Folder {
  public sealed interface Command {}

  private enum Check implements Command {
    INSTANCE
  }

  private enum Sweep implements Command {
    INSTANCE
  }

  private enum Legacy implements Command {
    INSTANCE
  }

  private record Input(FoldInput input) implements Command {}

  private record Planned(FoldPlanner.Plan plan) implements Command {}

  private record Written(FoldPlanner.Plan plan, Flip flip) implements Command {}

  /**
   * Keys to delete: a flip's garbage ({@code named}: the flip of {@code manifestKey} made it), or
   * what a lost flip wrote (kept if the pointer names {@code manifestKey} after all). Filtered
   * against the pointer's manifest when they are deleted.
   */
  private record Collect(List<String> garbage, String manifestKey, boolean named) implements Command {}

  /** A background task (collect, sweep) ended. */
  private record Done(String what, Throwable failure) implements Command {}

  /** The fold under way failed (planning or writing). */
  private record FoldFailed(String what, Throwable failure) implements Command {}

  public static Behavior<Command> create(Consul consul, ActorRef<CountView.Command> view, StoreSettings policy) {
    return create(consul, view, policy, new hitcounter.store.SnapshotsInUse());
  }

  /** A folder that keeps what {@code reading} says a copy reads until the copy is done. */
  public static Behavior<Command> create(Consul consul, ActorRef<CountView.Command> view, StoreSettings policy, hitcounter.store.SnapshotsInUse reading) {
    return create(consul, view, policy, reading, new hitcounter.config.DeadGenerations.Known());
  }

  /** As above; pages of the generations {@code dead} confirms (and this node's sites do not show) leave the snapshot. */
  public static Behavior<Command> create(Consul consul, ActorRef<CountView.Command> view, StoreSettings policy, hitcounter.store.SnapshotsInUse reading,
      hitcounter.config.DeadGenerations.Known dead) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Check.INSTANCE, policy.checkInterval());
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, policy.sweepInterval(), policy.sweepInterval());
      timers.startTimerWithFixedDelay(Legacy.INSTANCE, policy.legacyCheck(), policy.legacyCheck());
      return new Folder(ctx, timers, consul, view, policy, reading, dead).waiting();
    }));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Consul consul;
  private final ActorRef<CountView.Command> view;
  private final StoreSettings policy;
  private final String dc;
  private final LegacySweep legacy;
  private final FoldGarbage garbage;
  private final hitcounter.store.SnapshotsInUse reading;
  private final hitcounter.config.DeadGenerations.Known dead;
  /** Whether the view was asked for a fold yet (the first ask looks for dead generations' pages again). */
  private boolean asked;
  /** The manifest key the last flip replaced, and until when a view still naming it is taken as not caught up. */
  private String replaced = "";
  private long replacedUntil;
  /** The manifest key the fold under way replaces. */
  private String foldingFrom = "";

  private Folder(ActorContext<Command> ctx, TimerScheduler<Command> timers, Consul consul, ActorRef<CountView.Command> view, StoreSettings policy,
      hitcounter.store.SnapshotsInUse reading, hitcounter.config.DeadGenerations.Known dead) {
    this.ctx = ctx;
    this.dead = dead;
    this.timers = timers;
    this.consul = consul;
    this.view = view;
    this.policy = policy;
    this.dc = consul.localDatacenter();
    this.legacy = new LegacySweep(consul, policy.legacyRetention());
    this.garbage = new FoldGarbage(consul, reading);
    this.reading = reading;
  }

  /** Idle: checks whether a fold is due; collects garbage and sweeps in between. */
  private Behavior<Command> waiting() {
    return Behaviors.receive(Command.class)
        .onMessage(Check.class, m -> {
          hitcounter.config.DeadGenerations d = dead.get();
          var gone = d.through().isEmpty() ? hitcounter.store.GonePrefixes.NONE : new hitcounter.store.GonePrefixes(
              p -> hitcounter.config.DeadGenerations.Known.deadPrefix(d, p), dead::shownPrefix);
          boolean first = !asked;
          asked = true;
          ctx.ask(FoldInput.class, view, policy.checkInterval(), r -> new CountView.CollectFold(policy, d, gone, first, r),
              (in, e) -> new Input(e == null ? in : FoldInput.none("the view did not answer")));
          return asking();
        })
        .onMessage(Collect.class, this::collect)
        .onMessage(Sweep.class, m -> sweep())
        .onMessage(Legacy.class, m -> {
          ctx.pipeToSelf(legacy.run(System.currentTimeMillis()), (x, e) -> new Done("legacy sweep", e));
          return Behaviors.same();
        })
        .onMessage(Done.class, this::onDone)
        .build();
  }

  private Behavior<Command> asking() {
    return Behaviors.receive(Command.class)
        .onMessage(Input.class, m -> {
          if (!m.input().due() || behind(m.input())) {
            return waiting();
          }
          foldingFrom = m.input().manifestKey();
          String nonce = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
          ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> FoldPlanner.plan(m.input(), policy.shardBudget(), nonce)),
              (plan, e) -> e == null ? new Planned(plan) : new FoldFailed("plan", e));
          return folding();
        })
        .onMessage(Collect.class, this::collect)
        .onMessage(Done.class, this::onDone)
        .onMessage(Check.class, m -> Behaviors.same())
        .onMessage(Sweep.class, m -> Behaviors.same())
        .onMessage(Legacy.class, m -> Behaviors.same())
        .build();
  }

  /** A fold under way: planning, writing, flipping. */
  private Behavior<Command> folding() {
    return Behaviors.receive(Command.class)
        .onMessage(Planned.class, m -> {
          FoldPlanner.Plan p = m.plan();
          ctx.getLog().info("folding {} into snapshot {} ({}): {} shards, {} bytes", dc, p.manifest().gen(), p.why(), p.shards().size(), p.shardBytes());
          ctx.pipeToSelf(write(p), (flip, e) -> e == null ? new Written(p, flip) : new FoldFailed("fold", e));
          return Behaviors.same();
        })
        .onMessage(Written.class, m -> {
          FoldPlanner.Plan p = m.plan();
          if (m.flip() == Flip.DONE) {
            ctx.getLog().info("snapshot {} of {} flipped", p.manifest().gen(), dc);
            replaced = foldingFrom;
            replacedUntil = System.currentTimeMillis() + 10 * policy.checkInterval().toMillis();
            timers.startSingleTimer(new Collect(p.garbage(), p.manifestKey(), true), policy.garbageGrace());
          } else if (m.flip() == Flip.LOST_AFTER_DOUBT) {
            ctx.getLog().warn("snapshot {} of {}: the flip's outcome was in doubt and the pointer names a newer manifest now; the sweep collects what it wrote", p.manifest().gen(), dc);
          } else {
            ctx.getLog().info("snapshot {} of {} lost its flip to another folder; removing what it wrote", p.manifest().gen(), dc);
            List<String> mine = new ArrayList<>(p.shards().keySet());
            mine.add(p.manifestKey());
            ctx.getSelf().tell(new Collect(mine, p.manifestKey(), false));
          }
          return waiting();
        })
        .onMessage(FoldFailed.class, m -> {
          ctx.getLog().warn("folder of {}: {} failed: {}", dc, m.what(), m.failure().toString());
          return waiting();
        })
        .onMessage(Done.class, this::onDone)
        .onMessage(Legacy.class, m -> Behaviors.same())
        .onMessage(Collect.class, this::collect)
        .onMessage(Check.class, m -> Behaviors.same())
        .onMessage(Sweep.class, m -> Behaviors.same())
        .build();
  }

  /** Shards (paced, one PUT each), then the manifest, then the pointer CAS; how the flip ended. */
  CompletionStage<Flip> write(FoldPlanner.Plan p) {
    long spacing = 1000L / policy.writesPerSecond();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (Map.Entry<String, byte[]> shard : p.shards().entrySet()) {
      chain = chain
          .thenCompose(x -> consul.kvPutCas(null, shard.getKey(), shard.getValue(), 0))
          .thenCompose(ok -> {
            if (!ok) {
              throw new IllegalStateException("shard " + shard.getKey() + " exists already");
            }
            return CompletableFuture.supplyAsync(() -> (Void) null, CompletableFuture.delayedExecutor(spacing, java.util.concurrent.TimeUnit.MILLISECONDS));
          });
    }
    return chain
        .thenCompose(x -> {
          org.slf4j.LoggerFactory.getLogger(Folder.class).info("snapshot {} of {}: {} shards written", p.manifest().gen(), dc, p.shards().size());
          return consul.kvPutCas(null, p.manifestKey(), p.manifestBytes(), 0);
        })
        .thenCompose(ok -> {
          if (!ok) {
            throw new IllegalStateException("manifest " + p.manifestKey() + " exists already");
          }
          return FlipCheck.headsHold(consul, p);
        })
        .thenCompose(x -> {
          // The flip and the removal of archived heads are one transaction: a queue that
          // committed meanwhile fails its check, and the flip with it.
          List<TxnOp> flip = new ArrayList<>();
          flip.add(TxnOp.cas(StoreKeys.snapshotPointer(p.dc()), p.pointer().toBytes(), p.pointerIndex()));
          p.archive().forEach((q, index) -> flip.add(TxnOp.deleteCas(StoreKeys.head(p.dc(), q), index)));
          return consul.txn(null, flip).handle((r, e) -> r != null && r.committed())
              .thenCompose(flipped -> flipped ? CompletableFuture.completedFuture(Flip.DONE) : flippedAfterAll(p));
        });
  }

  /** How a flip ended: done, lost to another fold (what it wrote can go), or lost after a doubt (left to the sweep). */
  enum Flip {
    DONE,
    LOST,
    LOST_AFTER_DOUBT
  }

  /**
   * The flip was refused (409) or its answer was lost. A 409 can be the answer to a request the
   * connection sent again after the first one committed, and a lost answer says nothing: the
   * pointer is read back, and only a pointer naming another manifest means the flip was lost
   * (then what it wrote can go, unless a newer fold may have been built on it: then the sweep
   * decides, which deletes only what the pointer's manifest does not name). A read that fails
   * too fails the fold: nothing is deleted.
   */
  CompletionStage<Flip> flippedAfterAll(FoldPlanner.Plan p) {
    return consul.kvGet(null, StoreKeys.snapshotPointer(p.dc())).thenApply(v -> v
        .flatMap(e -> hitcounter.store.SnapshotPointer.parse(e.value()))
        .map(now -> now.manifestKey().equals(p.manifestKey()) ? Flip.DONE : now.gen() < p.manifest().gen() ? Flip.LOST : Flip.LOST_AFTER_DOUBT)
        .orElse(Flip.LOST_AFTER_DOUBT));
  }

  /**
   * Whether the view has not yet seen this folder's last flip: its input still names the manifest
   * that flip replaced. Only for a while: after a restore the pointer may name that manifest again,
   * and folds must go on (a plan from a stale input fails its CAS anyway; this only saves the work).
   */
  private boolean behind(FoldInput in) {
    return in.manifestKey().equals(replaced) && System.currentTimeMillis() < replacedUntil;
  }

  private Behavior<Command> collect(Collect m) {
    // What a copy reads now stays until it is done: collected at a later try.
    List<String> kept = m.garbage().stream().filter(reading::inUse).toList();
    if (!kept.isEmpty()) {
      timers.startSingleTimer(new Collect(kept, m.manifestKey(), m.named()), policy.garbageGrace());
    }
    List<String> now = kept.isEmpty() ? m.garbage() : m.garbage().stream().filter(k -> !reading.inUse(k)).toList();
    ctx.pipeToSelf(garbage.collect(now, m.manifestKey(), m.named()), (note, e) -> {
      if (note != null) {
        ctx.getLog().info("folder of {}: {}", dc, note);
      }
      return new Done("collect " + m.garbage().size() + " keys", e);
    });
    return Behaviors.same();
  }

  private Behavior<Command> sweep() {
    ctx.pipeToSelf(garbage.sweep(), (x, e) -> new Done("sweep", e));
    return Behaviors.same();
  }

  private Behavior<Command> onDone(Done m) {
    if (m.failure() != null) {
      ctx.getLog().warn("folder of {}: {} failed: {}", dc, m.what(), m.failure().toString());
    }
    return Behaviors.same();
  }
}
