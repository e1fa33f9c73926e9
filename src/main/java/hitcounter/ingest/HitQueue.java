package hitcounter.ingest;

import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.page.JobCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts hits on this node's beanstalkd with group commit: while {@code maxInFlight} puts are on
 * their way, new hits wait, and the next put carries all of them (at most {@code maxPerJob}) as
 * one job, one page id per line. A hit's future completes once beanstalkd answered INSERTED for
 * the job that holds it (the hit is then acknowledged), and fails with it.
 *
 * <p>Puts follow time, not hits ({@link PutLinger}, decision 0013): while hits keep coming, a put
 * goes out when its oldest hit has waited the linger (or the job is full), so beanstalkd writes
 * and fsyncs a binlog record per linger, not per hit or two. A hit that comes alone (none in the
 * linger before it) is put at once: light load waits for nothing
 * (docs/decisions/0006-group-commit-of-hits.md).
 */
public final class HitQueue implements hitcounter.audit.HitTally {
  private final Beanstalk beanstalk;
  private final java.util.function.IntSupplier jobFormat;
  private final Duration timeout;
  private final Duration ttr;
  private final int maxInFlight;
  private final int maxPerJob;
  private final int maxWaiting;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private volatile String refusing;

  /** The hit was certainly not queued: answer 503, a client may safely retry. */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }

  /** The hit may or may not be queued (a timeout, a connection broken after the put was sent): answer 504. */
  public static final class OutcomeUnknown extends RuntimeException {
    public OutcomeUnknown(String message) {
      super(message);
    }
  }
  private final AtomicLong jobs = new AtomicLong();
  private final Object lock = new Object();
  private List<Pending> waiting = new ArrayList<>();
  /** Bytes of the lines waiting (a line is ASCII: one byte a character, plus its line break). */
  private long waitingBytes;
  /**
   * Bytes of hit lines a job carries at most, whatever its count: beanstalkd refuses a job over
   * its max-job-size (65,535 bytes by default) with JOB_TOO_BIG, which would fail every hit of
   * the job. A format-4 line of a long non-ASCII path and a referral is up to about 8 KB.
   */
  static final int MAX_JOB_BYTES = 60_000;
  private int inFlight;
  private final PutLinger linger;

  private record Pending(String page, CompletableFuture<Long> done) {}

  public HitQueue(Beanstalk beanstalk, Duration timeout, Duration ttr) {
    this(beanstalk, timeout, ttr, 4, 256, () -> JobCodec.CURRENT_FORMAT);
  }

  /**
   * {@code jobFormat} is asked for every job: 2 normally, 1 while a rolling upgrade from a
   * version that reads only format 1 is under way (docs/operations.md).
   */
  public HitQueue(Beanstalk beanstalk, Duration timeout, Duration ttr, int maxInFlight, int maxPerJob, java.util.function.IntSupplier jobFormat) {
    this(beanstalk, timeout, ttr, maxInFlight, maxPerJob, jobFormat, PutLinger.none());
  }

  /** As above, with puts that linger while hits keep coming ({@link PutLinger}). */
  public HitQueue(Beanstalk beanstalk, Duration timeout, Duration ttr, int maxInFlight, int maxPerJob, java.util.function.IntSupplier jobFormat, PutLinger linger) {
    this.linger = linger;
    this.jobFormat = jobFormat;
    this.beanstalk = beanstalk;
    this.timeout = timeout;
    this.ttr = ttr;
    this.maxInFlight = maxInFlight;
    this.maxPerJob = maxPerJob;
    // At most 32 full jobs' worth of hits wait (8,192 with 256 a job), however many puts may be
    // in flight: a slow fsync fills the room for a moment, it does not refuse hits.
    this.maxWaiting = 32 * maxPerJob;
  }

  /**
   * Completes with the id of the job that holds the hit, once beanstalkd took it; fails at once
   * when {@code maxWaiting} hits already wait (overload), or when its job's put failed or took
   * longer than the timeout (one timer per job, not per hit).
   */
  public CompletionStage<Long> enqueue(String page) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    String refusal = refusing;
    if (refusal == null && !carried(jobFormat.getAsInt(), page)) {
      refusal = PATHS_NEED_FORMAT_4;
    }
    if (refusal != null) {
      done.completeExceptionally(new Refused(refusal));
      return done.whenComplete((id, e) -> rejected.incrementAndGet());
    }
    List<Pending> batch = null;
    boolean full;
    synchronized (lock) {
      full = waiting.size() >= maxWaiting;
      if (!full) {
        waiting.add(new Pending(page, done));
        waitingBytes += page.length() + 1;
        boolean due = linger.arrived(waiting.size() == 1, fullJob());
        if (inFlight < maxInFlight) {
          if (due) {
            batch = take();
          } else {
            linger.arm(this::lingered);
          }
        }
      }
    }
    if (full) {
      done.completeExceptionally(new Refused("too many hits waiting for beanstalkd"));
    }
    if (batch != null) {
      send(batch);
    }
    return done.whenComplete((id, e) -> (e == null ? accepted : e instanceof Refused ? rejected : unknown).incrementAndGet());
  }

  /** Whether the hits waiting fill a job (by count or by bytes). Under the lock. */
  private boolean fullJob() {
    return waiting.size() >= maxPerJob || waitingBytes >= MAX_JOB_BYTES;
  }

  /** Whether a URL path can be queued now (job-format 4): the intake asks before any check takes room for the hit. */
  public boolean takesPaths() {
    return jobFormat.getAsInt() >= JobCodec.PATHS_FORMAT;
  }

  static final String PATHS_NEED_FORMAT_4 = "URL paths are queued only in job format 4: set job-format to 4 once every node reads it (docs/operations.md)";

  /** Whether a job of {@code format} carries hit line {@code line} (a URL path needs format 4: {@link JobCodec#carries}). */
  private static boolean carried(int format, String line) {
    if (format >= JobCodec.PATHS_FORMAT) {
      return true;
    }
    int sp = line.indexOf(' ');
    return JobCodec.carries(format, sp < 0 ? line : line.substring(0, sp));
  }

  private List<Pending> take() {
    if (waiting.isEmpty()) {
      return null;
    }
    List<Pending> batch;
    // As many as a job carries: maxPerJob hits, MAX_JOB_BYTES of lines (always at least one).
    int n = 0;
    long bytes = 0;
    while (n < waiting.size() && n < maxPerJob && (n == 0 || bytes + waiting.get(n).page().length() + 1 <= MAX_JOB_BYTES)) {
      bytes += waiting.get(n).page().length() + 1;
      n++;
    }
    if (n == waiting.size()) {
      batch = waiting;
      waiting = new ArrayList<>();
    } else {
      batch = new ArrayList<>(waiting.subList(0, n));
      waiting = new ArrayList<>(waiting.subList(n, waiting.size()));
    }
    waitingBytes -= bytes;
    inFlight++;
    return batch;
  }

  private void send(List<Pending> all) {
    int format = jobFormat.getAsInt();
    List<Pending> batch = new ArrayList<>(all.size());
    List<String> pages = new ArrayList<>(all.size());
    for (Pending p : all) {
      if (carried(format, p.page())) {
        batch.add(p);
        pages.add(p.page());
      } else {
        // job-format was set back below 4 while this path waited: its job could not carry it.
        p.done().completeExceptionally(new Refused(PATHS_NEED_FORMAT_4));
      }
    }
    jobs.incrementAndGet();
    CompletableFuture<Long> put;
    try {
      if (pages.isEmpty()) {
        throw new IllegalStateException("no hit of the job can be carried in format " + format);
      }
      put = beanstalk.put(session -> JobCodec.encode(format, session, pages), 1024, Duration.ZERO, ttr).toCompletableFuture();
    } catch (RuntimeException e) {
      // A put that throws before it has a future (a connection that cannot even be started)
      // fails its hits like a failed put, and frees its slot: nothing waits behind it for ever.
      put = CompletableFuture.failedFuture(e);
    }
    put
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (id, e) -> {
              for (Pending p : batch) {
                if (e == null) {
                  p.done().complete(id);
                } else {
                  p.done().completeExceptionally(classify(e));
                }
              }
              List<Pending> next;
              synchronized (lock) {
                inFlight--;
                next = dueBatch();
              }
              if (next != null) {
                send(next);
              }
            });
  }

  /** The oldest waiting hit has lingered long enough: put what waits, unless puts are full. */
  private void lingered() {
    List<Pending> batch = null;
    synchronized (lock) {
      linger.fired();
      if (inFlight < maxInFlight) {
        batch = dueBatch();
      }
    }
    if (batch != null) {
      send(batch);
    }
  }

  /** Under the lock, with a put free: the waiting hits to put now, or null (the timer is then armed). */
  private List<Pending> dueBatch() {
    if (waiting.isEmpty()) {
      return null;
    }
    if (linger.due(fullJob())) {
      return take();
    }
    linger.arm(this::lingered);
    return null;
  }

  /**
   * Binds this queue's figures to {@code registry}: {@code hitcounter_hits_total{outcome}}
   * (accepted: answered 200; rejected: answered 503, certainly not queued; unknown: answered
   * 504, the put's outcome is unknown) and the jobs put
   * ({@code hitcounter_queue_puts_total}; hits per job is the group-commit factor).
   */
  public HitQueue bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
    hits(registry, "accepted", accepted);
    hits(registry, "rejected", rejected);
    hits(registry, "unknown", unknown);
    io.micrometer.core.instrument.FunctionCounter.builder("hitcounter.queue.puts", jobs, AtomicLong::get)
        .description("Jobs put on this node's beanstalkd (each holds one or more hits)")
        .register(registry);
    return this;
  }

  private static void hits(io.micrometer.core.instrument.MeterRegistry registry, String outcome, AtomicLong n) {
    io.micrometer.core.instrument.FunctionCounter.builder("hitcounter.hits", n, AtomicLong::get)
        .description("Hits taken by this node, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Hits acknowledged (INSERTED) by this node since it started. */
  @Override
  public long accepted() {
    return accepted.get();
  }

  /** Hits answered 503 because they could not be queued. */
  @Override
  public long rejected() {
    return rejected.get();
  }

  /** Hits answered 504: their put may or may not have queued them. */
  @Override
  public long unknown() {
    return unknown.get();
  }

  /**
   * From now on (until {@link #accept}), every hit is refused at once with {@code reason}: the
   * queue cannot keep what it acknowledges (its binlog stopped).
   */
  public void refuse(String reason) {
    refusing = reason;
  }

  public void accept() {
    refusing = null;
  }

  /** Why hits are refused now, or null. */
  public String refusing() {
    return refusing;
  }

  private static Throwable classify(Throwable e) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof hitcounter.infra.beanstalk.NotQueued) {
      return new Refused(cause.getMessage());
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return new OutcomeUnknown("beanstalkd did not answer the put in time; it may have queued the hit");
    }
    return new OutcomeUnknown(String.valueOf(cause.getMessage()));
  }

  /** Jobs put: accepted / jobs is the group-commit factor. */
  public long jobs() {
    return jobs.get();
  }
}
