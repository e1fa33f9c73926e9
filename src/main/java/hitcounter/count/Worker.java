package hitcounter.count;

import hitcounter.infra.Backoff;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.Job;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.TxnResult;
import hitcounter.ingest.PageId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains one beanstalkd queue: reserve a batch, count it into the queue's bucket keys with one
 * Consul transaction (CAS on every key it touches and on the queue's applied record), then
 * delete the jobs. A job whose id is in the applied record was counted already (its worker died
 * between commit and delete) and is deleted without counting. A conflict or an unknown outcome
 * re-reads the ledger and retries after a capped, jittered backoff; a batch that keeps failing
 * is released, never deleted. Unparseable jobs are buried.
 */
public final class Worker extends AbstractBehavior<Worker.Command> {

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

  private record Reserved(List<Job> jobs) implements Command {}

  private record LedgerRead(QueueLedger ledger) implements Command {}

  private record Checked(Set<Long> gone) implements Command {}

  private record TxnDone(TxnResult result, QueueLedger.Commit commit) implements Command {}

  private record Deleted(List<Long> gone) implements Command {}

  private record Failed(Step step, Throwable cause) implements Command {}

  private enum Step {
    RESERVE,
    READ,
    CHECK,
    COMMIT,
    DELETE
  }

  private static final Logger ASYNC_LOG = LoggerFactory.getLogger(Worker.class);

  public static Behavior<Command> create(
      String dc, QueueRef queue, Consul consul, Beanstalk beanstalk, WorkerSettings settings) {
    return create(dc, queue, consul, beanstalk, () -> settings, new WorkerStats(), CommitFaults.none());
  }

  /** {@code settings} is asked again for every batch: batch size and linger are live settings. */
  public static Behavior<Command> create(
      String dc,
      QueueRef queue,
      Consul consul,
      Beanstalk beanstalk,
      Supplier<WorkerSettings> settings,
      WorkerStats stats,
      CommitFaults faults) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new Worker(ctx, timers, dc, queue, consul, beanstalk, settings, stats, faults)));
  }

  private final TimerScheduler<Command> timers;
  private final String dc;
  private final QueueRef queue;
  private final Consul consul;
  private final Beanstalk beanstalk;
  private final Supplier<WorkerSettings> settings;
  private final WorkerStats stats;
  private final CommitFaults faults;
  private long commitStarted;

  private QueueLedger ledger;
  private final Set<Long> gone = new HashSet<>();
  private List<Hit> batch = List.of();
  private int attempts;
  private boolean stopping;
  private boolean reserving;

  private Worker(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String dc,
      QueueRef queue,
      Consul consul,
      Beanstalk beanstalk,
      Supplier<WorkerSettings> settings,
      WorkerStats stats,
      CommitFaults faults) {
    super(context);
    this.stats = stats;
    this.faults = faults;
    this.timers = timers;
    this.dc = dc;
    this.queue = queue;
    this.consul = consul;
    this.beanstalk = beanstalk;
    this.settings = settings;
    context.getSelf().tell(Next.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Next.class, m -> onNext())
        .onMessage(Reserved.class, this::onReserved)
        .onMessage(LedgerRead.class, this::onLedgerRead)
        .onMessage(Checked.class, this::onChecked)
        .onMessage(TxnDone.class, this::onTxnDone)
        .onMessage(Deleted.class, this::onDeleted)
        .onMessage(Failed.class, this::onFailed)
        .onMessage(Retry.class, m -> proceed())
        .onMessage(Stop.class, m -> onStop())
        .onSignal(PreRestart.class, s -> onPreRestart())
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onNext() {
    if (stopping) {
      return Behaviors.stopped();
    }
    reserving = true;
    pipe(BatchReserver.next(beanstalk, settings()), Reserved::new, Step.RESERVE);
    return this;
  }

  private Behavior<Command> onReserved(Reserved m) {
    reserving = false;
    List<Hit> hits = new ArrayList<>(m.jobs().size());
    for (Job job : m.jobs()) {
      List<Hit> inJob = hitsOf(job);
      if (inJob.isEmpty()) {
        stats.buried();
        getContext().getLog().warn("queue {}: burying job {}: its body is not a list of page ids", queue.id(), job.id());
        beanstalk.bury(job.id(), 0).exceptionally(e -> logLater("bury", e));
      } else {
        hits.addAll(inJob);
      }
    }
    if (hits.isEmpty()) {
      return onNext();
    }
    batch = hits;
    attempts = 0;
    return proceed();
  }

  private Behavior<Command> proceed() {
    if (ledger == null) {
      var counts = consul.kvTree(null, Keys.queueCountPrefix(dc, queue.id()), 0, java.time.Duration.ZERO);
      var applied = consul.kvGet(null, Keys.appliedKey(dc, queue.id()));
      pipe(
          counts.thenCombine(applied, (c, a) -> QueueLedger.read(dc, queue.id(), c.value(), a)),
          LedgerRead::new,
          Step.READ);
      return this;
    }
    return check();
  }

  private Behavior<Command> onLedgerRead(LedgerRead m) {
    ledger = m.ledger();
    return check();
  }

  /** Ids in the applied record whose jobs' fate this worker does not know: peek them. */
  private Behavior<Command> check() {
    Set<Long> unknown = ledger.unknownApplied(batchIds(), gone);
    if (unknown.isEmpty()) {
      return commit();
    }
    List<Long> ids = List.copyOf(unknown);
    pipe(
        beanstalk
            .existing(ids)
            .thenApply(
                existing -> {
                  Set<Long> missing = new HashSet<>(ids);
                  existing.forEach(missing::remove);
                  return missing;
                }),
        Checked::new,
        Step.CHECK);
    return this;
  }

  private Behavior<Command> onChecked(Checked m) {
    gone.addAll(m.gone());
    return commit();
  }

  private Behavior<Command> commit() {
    QueueLedger.Commit plan = ledger.plan(batch, gone, settings().buckets());
    if (plan.counted().isEmpty()) {
      stats.skipped(plan.skipped().size());
      return delete(plan.skipped());
    }
    commitStarted = System.nanoTime();
    pipe(consul.txn(null, plan.ops()), r -> new TxnDone(r, plan), Step.COMMIT);
    return this;
  }

  private Behavior<Command> onTxnDone(TxnDone m) {
    if (!m.result().committed()) {
      stats.conflict();
      getContext().getLog().debug("queue {}: commit conflict {}", queue.id(), m.result().errors());
      ledger = null;
      return retryLater();
    }
    ledger = m.commit().after().withIndexes(m.result().modifyIndexes());
    gone.clear();
    stats.counted(m.commit().countedHits());
    stats.skipped(m.commit().skipped().size());
    stats.committed(System.nanoTime() - commitStarted);
    faults.afterCommit(queue.id());
    List<Long> done = new ArrayList<>(m.commit().counted());
    done.addAll(m.commit().skipped());
    return delete(done);
  }

  private Behavior<Command> delete(List<Long> ids) {
    pipe(beanstalk.delete(ids), Deleted::new, Step.DELETE);
    return this;
  }

  private Behavior<Command> onDeleted(Deleted m) {
    gone.addAll(m.gone());
    batch = List.of();
    return onNext();
  }

  private Behavior<Command> onFailed(Failed m) {
    switch (m.step()) {
      case RESERVE:
        reserving = false;
        getContext().getLog().warn("queue {}: reserve failed: {}", queue.id(), m.cause().toString());
        timers.startSingleTimer(Next.INSTANCE, Backoff.of(3, settings().backoffMin(), settings().backoffMax()));
        return this;
      case DELETE:
        // Committed; the jobs come back after their TTR (or at once, if the connection broke)
        // and are then skipped as already counted.
        getContext().getLog().warn("queue {}: delete failed: {}", queue.id(), m.cause().toString());
        batch = List.of();
        timers.startSingleTimer(Next.INSTANCE, Backoff.of(3, settings().backoffMin(), settings().backoffMax()));
        return this;
      default:
        // The outcome of a commit that failed this way is unknown: read the ledger again.
        if (m.step() == Step.COMMIT) {
          stats.failedCommit();
        }
        getContext().getLog().warn("queue {}: {} failed: {}", queue.id(), m.step(), m.cause().toString());
        ledger = null;
        return retryLater();
    }
  }

  private Behavior<Command> retryLater() {
    attempts++;
    if (attempts > settings().commitAttempts()) {
      getContext().getLog().warn("queue {}: giving back a batch of {} after {} attempts", queue.id(), batch.size(), attempts - 1);
      List<Long> ids = new ArrayList<>(batchIds());
      stats.released(ids.size());
      beanstalk.release(ids, 0, java.time.Duration.ZERO).exceptionally(e -> logLater("release", e));
      batch = List.of();
      timers.startSingleTimer(Next.INSTANCE, Backoff.of(attempts, settings().backoffMin(), settings().backoffMax()));
      return this;
    }
    timers.startSingleTimer(Retry.INSTANCE, Backoff.of(attempts, settings().backoffMin(), settings().backoffMax()));
    return this;
  }

  private Behavior<Command> onStop() {
    if (reserving || batch.isEmpty()) {
      return Behaviors.stopped();
    }
    stopping = true;
    return this;
  }

  private Behavior<Command> onPreRestart() {
    // The restarted worker shares this connection: hand the batch back now rather than after
    // its TTR. Jobs already committed are skipped as counted when they come round again.
    if (!batch.isEmpty()) {
      beanstalk.release(List.copyOf(batchIds()), 0, java.time.Duration.ZERO).exceptionally(e -> logLater("release", e));
    }
    return this;
  }

  private Behavior<Command> onPostStop() {
    // Closing the connection hands every job still reserved by it back to beanstalkd.
    beanstalk.close();
    return this;
  }

  /** The hits of a job, one page id per line; none when any line is not a page id (poison). */
  static List<Hit> hitsOf(Job job) {
    String body = new String(job.body(), StandardCharsets.US_ASCII);
    List<Hit> out = new ArrayList<>();
    int from = 0;
    while (from <= body.length()) {
      int nl = body.indexOf('\n', from);
      String page = body.substring(from, nl < 0 ? body.length() : nl);
      if (!PageId.isValid(page)) {
        return List.of();
      }
      out.add(new Hit(job.id(), page));
      if (nl < 0) {
        break;
      }
      from = nl + 1;
    }
    return out;
  }

  private WorkerSettings settings() {
    return settings.get();
  }

  private Set<Long> batchIds() {
    Set<Long> ids = new HashSet<>();
    batch.forEach(h -> ids.add(h.jobId()));
    return ids;
  }

  private <T> void pipe(CompletionStage<T> stage, java.util.function.Function<T, Command> ok, Step step) {
    getContext().pipeToSelf(stage, (value, failure) -> failure == null ? ok.apply(value) : new Failed(step, failure));
  }

  private <T> T logLater(String what, Throwable e) {
    ASYNC_LOG.warn("queue {}: {} failed: {}", queue.id(), what, e.toString());
    return null;
  }
}
