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
 * the job that holds it (the hit is then acknowledged), and fails with it. Under light load a
 * job holds one hit and nothing waits; under heavy load beanstalkd and the workers see a job per
 * many hits instead of one per hit (docs/decisions/0006-group-commit-of-hits.md).
 */
public final class HitQueue {
  private final Beanstalk beanstalk;
  private final java.util.function.IntSupplier jobFormat;
  private final Duration timeout;
  private final Duration ttr;
  private final int maxInFlight;
  private final int maxPerJob;
  private final int maxWaiting;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong jobs = new AtomicLong();
  private final Object lock = new Object();
  private List<Pending> waiting = new ArrayList<>();
  private int inFlight;

  private record Pending(String page, CompletableFuture<Long> done) {}

  public HitQueue(Beanstalk beanstalk, Duration timeout, Duration ttr) {
    this(beanstalk, timeout, ttr, 4, 256, () -> JobCodec.CURRENT_FORMAT);
  }

  /**
   * {@code jobFormat} is asked for every job: 2 normally, 1 while a rolling upgrade from a
   * version that reads only format 1 is under way (docs/operations.md).
   */
  public HitQueue(Beanstalk beanstalk, Duration timeout, Duration ttr, int maxInFlight, int maxPerJob, java.util.function.IntSupplier jobFormat) {
    this.jobFormat = jobFormat;
    this.beanstalk = beanstalk;
    this.timeout = timeout;
    this.ttr = ttr;
    this.maxInFlight = maxInFlight;
    this.maxPerJob = maxPerJob;
    this.maxWaiting = maxInFlight * maxPerJob * 8;
  }

  /**
   * Completes with the id of the job that holds the hit, once beanstalkd took it; fails at once
   * when {@code maxWaiting} hits already wait (overload), or when its job's put failed or took
   * longer than the timeout (one timer per job, not per hit).
   */
  public CompletionStage<Long> enqueue(String page) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    List<Pending> batch = null;
    boolean full;
    synchronized (lock) {
      full = waiting.size() >= maxWaiting;
      if (!full) {
        waiting.add(new Pending(page, done));
        if (inFlight < maxInFlight) {
          batch = take();
        }
      }
    }
    if (full) {
      done.completeExceptionally(new IllegalStateException("too many hits waiting for beanstalkd"));
    }
    if (batch != null) {
      send(batch);
    }
    return done.whenComplete((id, e) -> (e == null ? accepted : rejected).incrementAndGet());
  }

  private List<Pending> take() {
    if (waiting.isEmpty()) {
      return null;
    }
    List<Pending> batch;
    if (waiting.size() <= maxPerJob) {
      batch = waiting;
      waiting = new ArrayList<>();
    } else {
      batch = new ArrayList<>(waiting.subList(0, maxPerJob));
      waiting = new ArrayList<>(waiting.subList(maxPerJob, waiting.size()));
    }
    inFlight++;
    return batch;
  }

  private void send(List<Pending> batch) {
    List<String> pages = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      pages.add(p.page());
    }
    jobs.incrementAndGet();
    int format = jobFormat.getAsInt();
    beanstalk
        .put(session -> JobCodec.encode(format, session, pages), 1024, Duration.ZERO, ttr)
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (id, e) -> {
              for (Pending p : batch) {
                if (e == null) {
                  p.done().complete(id);
                } else {
                  p.done().completeExceptionally(e);
                }
              }
              List<Pending> next;
              synchronized (lock) {
                inFlight--;
                next = take();
              }
              if (next != null) {
                send(next);
              }
            });
  }

  /**
   * Binds this queue's figures to {@code registry}: {@code hitcounter_hits_total{outcome}}
   * (accepted: answered 200; rejected: answered 503, not queued) and the jobs put
   * ({@code hitcounter_queue_puts_total}; hits per job is the group-commit factor).
   */
  public HitQueue bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
    hits(registry, "accepted", accepted);
    hits(registry, "rejected", rejected);
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
  public long accepted() {
    return accepted.get();
  }

  /** Hits answered 503 because they could not be queued. */
  public long rejected() {
    return rejected.get();
  }

  /** Jobs put: accepted / jobs is the group-commit factor. */
  public long jobs() {
    return jobs.get();
  }
}
