package hitcounter.count;

import hitcounter.count.QueueLedger.BatchJob;
import hitcounter.count.QueueLedger.Ref;
import hitcounter.infra.Backoff;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.Job;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.TxnResult;
import hitcounter.page.JobCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains one beanstalkd queue into the count store, one phase per behavior:
 * <b>reserving</b> a batch → <b>reading</b> the queue head (migrating the queue from the old
 * layout the first time) → <b>checking</b> applied jobs whose fate it does not know (peek) →
 * <b>committing</b> one journal entry and the new head in one CAS transaction → <b>deleting</b>
 * the jobs. A job already in the applied record was counted (its worker died between commit and
 * delete) and is deleted without counting. A conflict or an unknown outcome reads the head again
 * and retries after a capped, jittered backoff, touching the jobs so they stay reserved; a batch
 * that keeps failing for the retry budget (at most half the TTR) is given back, never deleted.
 * Unparseable jobs are buried. Jobs that do not fit one entry are carried into the next commit.
 */
public final class Worker {
  public sealed interface Command {}

  /** Lets the in-flight batch finish (or gives it back), then stops. */
  public enum Stop implements Command {
    INSTANCE
  }

  private enum Next implements Command {
    INSTANCE
  }

  private enum Retry implements Command {
    INSTANCE
  }

  /** Jobs reserved, and the runs naming the connections of their format-1 jobs ({@link JobNames}). */
  private record Reserved(List<Job> jobs, Map<Long, String> runs) implements Command {}

  private record HeadRead(QueueLedger ledger) implements Command {}

  private record Peeked(Set<Ref> gone) implements Command {}

  private record Touched(Set<Ref> held) implements Command {}

  private record TxnDone(TxnResult result, QueueLedger.Commit commit) implements Command {}

  private record Deleted(List<Long> deleted, List<BatchJob> carried) implements Command {}

  private record Pruned(TxnResult result, QueueLedger ledger, Set<Ref> pruned) implements Command {}

  private record Failed(Step step, Throwable cause) implements Command {}

  private enum Step {
    RESERVE,
    READ,
    CHECK,
    TOUCH,
    COMMIT,
    DELETE,
    PRUNE
  }

  /** A batch in hand: its jobs, when it was reserved (ns), and the failed attempts so far. */
  private record Batch(List<BatchJob> jobs, long reservedAt, int attempts) {
    Batch retried() {
      return new Batch(jobs, reservedAt, attempts + 1);
    }


  }

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  /** {@code settings} is asked again for every batch: batch size and linger are live settings. */
  public static Behavior<Command> create(
      String dc,
      QueueRef queue,
      Consul consul,
      Beanstalk beanstalk,
      Supplier<WorkerSettings> settings,
      WorkerStats stats,
      WorkerHealth health,
      CommitFaults faults) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Worker w = new Worker(ctx, timers, dc, queue, consul, beanstalk, settings, stats, health, faults);
      ctx.getSelf().tell(Next.INSTANCE);
      return w.idle(null, List.of());
    }));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final String dc;
  private final QueueRef queue;
  private final Consul consul;
  private final Beanstalk beanstalk;
  private final Supplier<WorkerSettings> settings;
  private final WorkerStats stats;
  private final WorkerHealth health;
  private final CommitFaults faults;
  private final EpochChoice epochs;
  /** Jobs this worker saw deleted (DELETED) or found gone: they leave the applied record. */
  private final Set<Ref> gone = new HashSet<>();
  /** The batch in hand, for PreRestart and PostStop (the only state kept outside the behaviors). */
  private Batch inHand;
  private long lastCommit;
  private long lastLagCheck;

  private Worker(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String dc,
      QueueRef queue,
      Consul consul,
      Beanstalk beanstalk,
      Supplier<WorkerSettings> settings,
      WorkerStats stats,
      WorkerHealth health,
      CommitFaults faults) {
    this.ctx = ctx;
    this.timers = timers;
    this.dc = dc;
    this.queue = queue;
    this.consul = consul;
    this.beanstalk = beanstalk;
    this.settings = settings;
    this.stats = stats;
    this.health = health;
    this.faults = faults;
    this.epochs = new EpochChoice(consul, dc, queue.id(), stats.registry());
  }

  /** Waiting for Next; {@code carried} jobs (still reserved) go into the next batch first. */
  private Behavior<Command> idle(QueueLedger ledger, List<BatchJob> carried) {
    return common(Behaviors.receive(Command.class)
        .onMessage(Next.class, m -> {
          if (!carried.isEmpty()) {
            // Carried jobs are reserved already: top the batch up without waiting.
            pipe(named(beanstalk.reserveReady(Math.max(0, settings.get().batchSize() - carried.size()))), r -> r, Step.RESERVE);
          } else {
            pipe(named(BatchReserver.next(beanstalk, settings.get())), r -> r, Step.RESERVE);
          }
          return reserving(ledger, carried);
        })
        .onMessage(Stop.class, m -> stopNow(carried))
        .onMessage(Retry.class, m -> Behaviors.same()));
  }

  private Behavior<Command> reserving(QueueLedger ledger, List<BatchJob> carried) {
    return common(Behaviors.receive(Command.class)
        .onMessage(Reserved.class, m -> onReserved(ledger, carried, m.jobs(), m.runs()))
        .onMessage(Failed.class, m -> {
          ctx.getLog().warn("queue {}: reserve failed: {}", queue.id(), m.cause().toString());
          timers.startSingleTimer(Next.INSTANCE, backoff(3));
          return idle(ledger, carried);
        })
        .onMessage(Stop.class, m -> stopNow(carried)));
  }

  private CompletionStage<Reserved> named(CompletionStage<List<Job>> reserving) {
    return reserving.thenCompose(jobs -> JobNames.runs(beanstalk, jobs).thenApply(runs -> new Reserved(jobs, runs)));
  }

  private Behavior<Command> onReserved(QueueLedger ledger, List<BatchJob> carried, List<Job> jobs, Map<Long, String> runs) {
    // A job reserved again (its earlier reservation lapsed with its connection or its TTR) is
    // one job: the newest reservation replaces the carried one.
    Map<Ref, BatchJob> byRef = new java.util.LinkedHashMap<>();
    carried.forEach(j -> byRef.put(j.ref(), j));
    for (Job job : jobs) {
      var decoded = JobCodec.decode(job.body());
      if (decoded.isEmpty()) {
        stats.buried();
        ctx.getLog().warn("queue {}: burying job {}: its body is not a hit job of a known format", queue.id(), job.id());
        beanstalk.bury(job.connection(), job.id(), 0).exceptionally(e -> logLater("bury", e));
      } else if (decoded.get().format() == 1 && !runs.containsKey(job.connection())) {
        // Its run could not be named (logged by JobNames): it goes back, to be named next time.
        beanstalk.release(job.connection(), List.of(job.id()), 0, Duration.ofSeconds(1)).exceptionally(e -> logLater("release", e));
      } else {
        BatchJob b = new BatchJob(job.id(), JobNames.session(decoded.get(), job, runs), decoded.get().pages(), job.connection(), decoded.get().hits());
        byRef.remove(b.ref());
        byRef.put(b.ref(), b);
      }
    }
    List<BatchJob> batch = new ArrayList<>(byRef.values());
    if (batch.isEmpty()) {
      health.oldestReady(queue.id(), 0);
      return pruneIfIdle(ledger);
    }
    if (jobs.size() + carried.size() < settings.get().batchSize()) {
      // The batch is not full: the queue had no job left ready when it was reserved. A backlog
      // that just drained stops showing as a stall now, not after the next (long) empty reserve.
      health.oldestReady(queue.id(), 0);
    } else {
      measureLag();
    }
    return read(ledger, new Batch(List.copyOf(batch), System.nanoTime(), 0));
  }

  /** Reads the head unless known; migrates the queue from the old layout when it has no head. */
  private Behavior<Command> read(QueueLedger ledger, Batch batch) {
    inHand = batch;
    if (ledger != null) {
      return check(ledger, batch);
    }
    pipe(LedgerReader.read(consul, dc, queue.id()), HeadRead::new, Step.READ);
    return inFlight(batch, Behaviors.receive(Command.class)
        .onMessage(HeadRead.class, m -> check(epochs.inEpoch(m.ledger(), health.lastWritten(queue.id()), settings.get().epochs()), batch)));
  }

  /** Peeks applied jobs whose fate is unknown: those gone leave the applied record. */
  private Behavior<Command> check(QueueLedger ledger, Batch batch) {
    Map<String, Set<Long>> unknown = ledger.unknownApplied(batch.jobs(), gone);
    if (unknown.isEmpty()) {
      return commit(ledger, batch);
    }
    pipe(JobNames.goneAfterPeek(beanstalk, unknown), Peeked::new, Step.CHECK);
    return inFlight(batch, Behaviors.receive(Command.class)
        .onMessage(Peeked.class, m -> {
          gone.addAll(m.gone());
          return commit(ledger, batch);
        }));
  }

  /**
   * Right before the CAS, renews the reservation of every job about to be counted: a job this
   * worker no longer holds (its connection broke, its TTR lapsed, another worker has it) is
   * dropped from the batch, neither counted nor deleted here; whoever holds it counts it. A job
   * touched is this worker's for a whole TTR, far longer than the commit.
   */
  private Behavior<Command> commit(QueueLedger ledger, Batch batch) {
    QueueLedger.Commit plan = ledger.plan(batch.jobs(), gone, settings.get().entryBudget());
    if (plan.counted().isEmpty()) {
      stats.skipped(plan.skipped().size());
      return delete(ledger, plan.skipped(), plan.carried());
    }
    pipe(touch(plan.counted()), Touched::new, Step.TOUCH);
    return inFlight(batch, Behaviors.receive(Command.class)
        .onMessage(Touched.class, m -> {
          Set<Ref> toCount = new HashSet<>();
          plan.counted().forEach(j -> toCount.add(j.ref()));
          List<BatchJob> held = batch.jobs().stream()
              .filter(j -> m.held().contains(j.ref()) || !toCount.contains(j.ref()))
              .toList();
          if (held.size() < batch.jobs().size()) {
            ctx.getLog().info("queue {}: {} jobs of the batch are no longer reserved here; whoever holds them counts them", queue.id(), batch.jobs().size() - held.size());
            Batch kept = new Batch(held, batch.reservedAt(), batch.attempts());
            inHand = kept;
            return held.isEmpty() ? next(ledger, List.of()) : commitHeld(ledger, kept);
          }
          return commitHeld(ledger, batch);
        }));
  }

  private CompletionStage<Set<Ref>> touch(List<BatchJob> jobs) {
    Map<Long, List<BatchJob>> byConnection = new HashMap<>();
    jobs.forEach(j -> byConnection.computeIfAbsent(j.connection(), c -> new ArrayList<>()).add(j));
    java.util.concurrent.CompletableFuture<Set<Ref>> all = java.util.concurrent.CompletableFuture.completedFuture(new HashSet<>());
    for (var e : byConnection.entrySet()) {
      Map<Long, Ref> refs = new HashMap<>();
      e.getValue().forEach(j -> refs.put(j.id(), j.ref()));
      all = all.thenCompose(held -> beanstalk.touch(e.getKey(), List.copyOf(refs.keySet())).thenApply(touched -> {
        touched.forEach(id -> held.add(refs.get(id)));
        return held;
      }));
    }
    return all;
  }

  private Behavior<Command> commitHeld(QueueLedger ledger, Batch batch) {
    QueueLedger.Commit plan = ledger.plan(batch.jobs(), gone, settings.get().entryBudget());
    if (plan.counted().isEmpty()) {
      stats.skipped(plan.skipped().size());
      return delete(ledger, plan.skipped(), plan.carried());
    }
    long started = System.nanoTime();
    pipe(consul.txn(null, plan.ops()), r -> new TxnDone(r, plan), Step.COMMIT);
    return inFlight(batch, Behaviors.receive(Command.class)
        .onMessage(TxnDone.class, m -> {
          if (!m.result().committed()) {
            stats.conflict();
            ctx.getLog().debug("queue {}: commit conflict {}", queue.id(), m.result().errors());
            return retryLater(batch, "CAS conflict on the queue head: " + m.result().errors());
          }
          QueueLedger after = ledger.after(plan.after(), m.result().modifyIndexes().getOrDefault(plan.ops().get(0).key(), 0L));
          health.wrote(queue.id(), plan.after());
          // Ids in the applied record now are the ones still to be deleted: forget the rest.
          gone.retainAll(refs(after));
          stats.counted(plan.countedHits());
          stats.skipped(plan.skipped().size());
          stats.committed(System.nanoTime() - started);
          health.ok(queue.id());
          lastCommit = System.nanoTime();
          faults.afterCommit(queue.id());
          List<BatchJob> done = new ArrayList<>(plan.counted());
          done.addAll(plan.skipped());
          return delete(after, done, plan.carried());
        }));
  }

  private Behavior<Command> delete(QueueLedger ledger, List<BatchJob> done, List<BatchJob> carried) {
    Batch held = new Batch(carried, System.nanoTime(), 0);
    inHand = held;
    if (done.isEmpty()) {
      return next(ledger, carried);
    }
    Map<Long, String> sessions = new HashMap<>();
    done.forEach(j -> sessions.put(j.id(), j.session()));
    pipe(BatchJobs.perConnection(done, (connection, ids) -> beanstalk.delete(connection, ids)), d -> new Deleted(d, carried), Step.DELETE);
    return inFlight(held, Behaviors.receive(Command.class)
        .onMessage(Deleted.class, m -> {
          // Only DELETED means gone; a job not deleted stays applied until a peek shows it gone.
          m.deleted().forEach(id -> {
            gone.add(new Ref(sessions.get(id), id));
            if (JobNames.legacy(sessions.get(id))) {
              gone.add(new Ref(JobCodec.LEGACY_SESSION, id)); // an id applied before runs were named, decided by this job
            }
          });
          return next(ledger, m.carried());
        }));
  }

  /** After a commit: the next batch, no sooner than the least commit interval. */
  private Behavior<Command> next(QueueLedger ledger, List<BatchJob> carried) {
    Duration wait = settings.get().minCommitInterval().minusNanos(System.nanoTime() - lastCommit);
    if (wait.isNegative() || wait.isZero()) {
      ctx.getSelf().tell(Next.INSTANCE);
    } else {
      timers.startSingleTimer(Next.INSTANCE, wait);
    }
    return idle(ledger, carried);
  }

  /**
   * An empty reserve: if the applied record holds jobs known gone, drop them (one small write),
   * so a queue at rest leaves an empty record behind.
   */
  private Behavior<Command> pruneIfIdle(QueueLedger ledger) {
    inHand = null;
    if (ledger == null || gone.isEmpty()) {
      ctx.getSelf().tell(Next.INSTANCE);
      return idle(ledger, List.of());
    }
    var ops = ledger.prune(gone);
    if (ops.isEmpty()) {
      ctx.getSelf().tell(Next.INSTANCE);
      return idle(ledger, List.of());
    }
    QueueLedger.Commit pruned = ledger.plan(List.of(), gone, 0);
    Set<Ref> was = new HashSet<>(gone);
    pipe(consul.txn(null, ops), r -> new Pruned(r, ledger.after(pruned.after(), r.modifyIndexes().getOrDefault(ops.get(0).key(), 0L)), was), Step.PRUNE);
    return common(Behaviors.receive(Command.class)
        .onMessage(Pruned.class, m -> {
          ctx.getSelf().tell(Next.INSTANCE);
          if (m.result().committed()) {
            gone.removeAll(m.pruned());
            return idle(m.ledger(), List.of());
          }
          return idle(null, List.of());
        })
        .onMessage(Failed.class, m -> {
          timers.startSingleTimer(Next.INSTANCE, backoff(3));
          return idle(null, List.of());
        })
        .onMessage(Stop.class, m -> Behaviors.stopped()));
  }

  /** Waiting for an I/O step of {@code batch}: failures retry, Stop waits for the batch to end. */
  private Behavior<Command> inFlight(Batch batch, org.apache.pekko.actor.typed.javadsl.BehaviorBuilder<Command> builder) {
    return common(builder
        .onMessage(Failed.class, m -> onFailed(batch, m))
        .onMessage(Stop.class, m -> stopping(batch))
        .onMessage(Next.class, m -> Behaviors.same()));
  }

  private Behavior<Command> onFailed(Batch batch, Failed m) {
    if (m.step() == Step.DELETE) {
      // Committed; the jobs come back after their TTR (at once, if the connection broke) and
      // are then skipped as already counted.
      ctx.getLog().warn("queue {}: delete failed: {}", queue.id(), m.cause().toString());
      giveBack(batch);
      timers.startSingleTimer(Next.INSTANCE, backoff(3));
      return idle(null, List.of());
    }
    if (m.step() == Step.COMMIT) {
      stats.failedCommit();
    }
    ctx.getLog().warn("queue {}: {} failed: {}", queue.id(), m.step(), m.cause().toString());
    // The outcome of a failed commit is unknown: read the head again before retrying.
    return retryLater(batch, m.step() + " failed: " + m.cause());
  }

  private Behavior<Command> retryLater(Batch batch, String reason) {
    measureLag();
    Batch again = batch.retried();
    inHand = again;
    health.failed(queue.id(), reason, System.currentTimeMillis());
    WorkerSettings s = settings.get();
    long heldFor = System.nanoTime() - batch.reservedAt();
    if (heldFor > s.retryBudget().toNanos()) {
      ctx.getLog().warn("queue {}: giving back a batch of {} jobs after {} attempts: {}", queue.id(), batch.jobs().size(), again.attempts(), reason);
      stats.released(batch.jobs().size());
      giveBack(batch);
      timers.startSingleTimer(Next.INSTANCE, backoff(again.attempts()));
      return idle(null, List.of());
    }
    timers.startSingleTimer(Retry.INSTANCE, backoff(again.attempts()));
    return common(Behaviors.receive(Command.class)
        .onMessage(Retry.class, m -> read(null, again))
        .onMessage(Stop.class, m -> {
          giveBack(again);
          return Behaviors.stopped();
        }));
  }

  /** Stop asked while a batch is in flight: finish it, then stop. */
  private Behavior<Command> stopping(Batch batch) {
    return Behaviors.receive(Command.class)
        .onMessage(Deleted.class, m -> {
          giveBack(new Batch(m.carried(), 0, 0));
          return Behaviors.stopped();
        })
        .onMessage(TxnDone.class, m -> {
          if (m.result().committed()) {
            List<BatchJob> done = new ArrayList<>(m.commit().counted());
            done.addAll(m.commit().skipped());
            stats.counted(m.commit().countedHits());
            BatchJobs.perConnection(done, (connection, ids) -> beanstalk.delete(connection, ids)).exceptionally(e -> logLater("delete", e));
            giveBack(new Batch(m.commit().carried(), 0, 0));
          } else {
            giveBack(batch);
          }
          return Behaviors.stopped();
        })
        .onMessage(Next.class, m -> Behaviors.same())
        .onMessage(Retry.class, m -> Behaviors.same())
        .onMessage(Command.class, m -> {
          // Any other answer (a read, a peek, a failure): the batch was not committed.
          giveBack(batch);
          return Behaviors.stopped();
        })
        .onSignal(PostStop.class, s -> {
          beanstalk.close();
          health.forget(queue.id());
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> stopNow(List<BatchJob> carried) {
    giveBack(new Batch(carried, 0, 0));
    return Behaviors.stopped();
  }

  /** Signals every phase handles: a restart hands the batch back now, a stop closes the connection. */
  private Behavior<Command> common(org.apache.pekko.actor.typed.javadsl.BehaviorBuilder<Command> builder) {
    return builder
        .onSignal(PreRestart.class, s -> {
          // The restarted worker shares this connection: hand the batch back now rather than after
          // its TTR. Jobs already committed are skipped as counted when they come round again.
          if (inHand != null) {
            giveBack(inHand);
          }
          return Behaviors.same();
        })
        .onSignal(PostStop.class, s -> {
          // Closing the connection hands every job still reserved by it back to beanstalkd.
          beanstalk.close();
          health.forget(queue.id());
          return Behaviors.same();
        })
        .build();
  }

  /**
   * While it has work (or keeps failing), a worker measures how long its queue's oldest ready
   * job has waited, at most once a second: the counting lag that answers report. An empty
   * reserve means no job waits.
   */
  private void measureLag() {
    long now = System.nanoTime();
    if (now - lastLagCheck < 1_000_000_000L) {
      return;
    }
    lastLagCheck = now;
    beanstalk.oldestReadyAge().whenComplete((age, e) -> {
      if (e == null) {
        health.oldestReady(queue.id(), age.map(d -> d.toMillis() / 1000.0).orElse(0.0));
      }
    });
  }

  private void giveBack(Batch batch) {
    if (batch != null && !batch.jobs().isEmpty()) {
      BatchJobs.perConnection(batch.jobs(), (connection, ids) -> beanstalk.release(connection, ids, 0, Duration.ZERO).thenApply(x -> List.<Long>of()))
          .exceptionally(e -> logLater("release", e));
    }
    inHand = null;
  }

  private static Set<Ref> refs(QueueLedger ledger) {
    Set<Ref> out = new HashSet<>();
    ledger.head().applied().forEach((s, ids) -> ids.forEach(id -> out.add(new Ref(s, id))));
    return out;
  }

  private Duration backoff(int attempts) {
    WorkerSettings s = settings.get();
    return Backoff.of(attempts, s.backoffMin(), s.backoffMax());
  }

  private <T> void pipe(CompletionStage<T> stage, Function<T, Command> ok, Step step) {
    ctx.pipeToSelf(stage, (value, failure) -> failure == null ? ok.apply(value) : new Failed(step, failure));
  }

  private <T> T logLater(String what, Throwable e) {
    LOG.warn("queue {}: {} failed: {}", queue.id(), what, e.toString());
    return null;
  }
}
