package hitcounter.ingest;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When the hits waiting in a {@link HitQueue} go out as one put (decision 0013): beanstalkd
 * writes and fsyncs one binlog record per put and one per delete, so records follow puts. While
 * hits keep coming (one arrived within the linger before this one), a put waits until its oldest
 * hit has waited the linger, or until the job is full; a hit that comes alone is put at once.
 * At a steady rate R a put then carries about R × linger hits, and a lone hit waits for nothing.
 * Not thread-safe: the queue calls it under its lock.
 */
public final class PutLinger {
  /** Puts never linger: a put goes out as soon as one may (group commit alone). A new one per queue. */
  public static PutLinger none() {
    return of(Duration.ZERO);
  }

  /** Runs a task after a delay in nanoseconds. */
  @FunctionalInterface
  public interface Timer {
    void after(long delayNanos, Runnable task);
  }

  private final long lingerNanos;
  private final LongSupplier clock;
  private final Timer timer;
  private long lastArrival;
  private long oldestWaiting;
  /** The oldest waiting hit came alone: it goes with the next put that may go, lingering for none. */
  private boolean alone;
  private boolean armed;

  PutLinger(Duration linger, LongSupplier clock, Timer timer) {
    this.lingerNanos = linger.toNanos();
    this.clock = clock;
    this.timer = timer;
    this.lastArrival = clock.getAsLong() - lingerNanos - 1;
  }

  /** Puts that linger up to {@code linger}, timed on a daemon thread of their own. */
  public static PutLinger of(Duration linger) {
    if (linger.isZero()) {
      return new PutLinger(Duration.ZERO, System::nanoTime, (delay, task) -> {});
    }
    return new PutLinger(linger, System::nanoTime, (delay, task) -> Scheduler.INSTANCE.schedule(task, delay, TimeUnit.NANOSECONDS));
  }

  /** One daemon thread per JVM times every queue's linger (several nodes share it in tests). */
  private static final class Scheduler {
    static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hit-put-linger");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A hit arrived; {@code first}: nothing waited before it; {@code full}: a job's worth waits.
   * Returns whether the waiting hits should be put now.
   */
  boolean arrived(boolean first, boolean full) {
    long now = clock.getAsLong();
    boolean quiet = now - lastArrival > lingerNanos;
    lastArrival = now;
    if (first) {
      oldestWaiting = now;
      alone = quiet;
    }
    return lingerNanos == 0 || full || alone || now - oldestWaiting >= lingerNanos;
  }

  /** Whether the waiting hits should be put now (a put just finished, or the timer fired). */
  boolean due(boolean full) {
    return lingerNanos == 0 || full || alone || clock.getAsLong() - oldestWaiting >= lingerNanos;
  }

  /** Calls {@code lingered} once the oldest waiting hit has waited the linger (once per wait). */
  void arm(Runnable lingered) {
    if (!armed && lingerNanos > 0) {
      // Armed only once the timer took the task: a timer that refused it is asked again.
      timer.after(Math.max(0, oldestWaiting + lingerNanos - clock.getAsLong()), lingered);
      armed = true;
    }
  }

  /** The timer armed by {@link #arm} fired. */
  void fired() {
    armed = false;
  }
}
