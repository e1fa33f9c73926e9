package hitcounter.ingest;

import hitcounter.infra.beanstalk.Beanstalk;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Reads this node's own beanstalkd ({@code stats}: one local round trip) every {@code interval}
 * while hits are put, every {@code idleInterval} while none are, and keeps the figures the node
 * reports about its queue: jobs ready, reserved and buried; and makes the hit queue refuse hits
 * while beanstalkd's binlog fails.
 */
public final class QueueMonitor {
  public sealed interface Command {}

  private enum Poll implements Command {
    INSTANCE
  }

  /** Between idle readings: was a job put since the last reading? */
  private enum Peek implements Command {
    INSTANCE
  }

  private record Polled(Map<String, String> stats) implements Command {}

  /** The queue's figures as last read; {@code ok} false when beanstalkd did not answer. */
  public record QueueFigures(boolean ok, long ready, long reserved, long buried) {
    static final QueueFigures UNKNOWN = new QueueFigures(false, 0, 0, 0);
  }

  /**
   * The latest figures, read by gauges and answers without asking beanstalkd; also whether the
   * queue moves ({@link hitcounter.health.OwnQueue}): jobs waiting while beanstalkd's count of
   * deletes stays where it was.
   */
  public static final class Figures implements hitcounter.health.OwnQueue {
    private final AtomicReference<QueueFigures> current = new AtomicReference<>(QueueFigures.UNKNOWN);
    private volatile long answeredAt = System.nanoTime() - Long.MAX_VALUE / 2;
    private final String queue;
    private long deletes = -1;
    private volatile long stuckSinceMillis;
    private volatile String waiting = "";

    /** The figures of queue {@code queue} (the node's name). */
    public Figures(String queue) {
      this.queue = queue;
    }

    @Override
    public String id() {
      return queue;
    }

    @Override
    public double stuckSeconds(long nowMillis) {
      long since = stuckSinceMillis;
      return since == 0 ? 0 : Math.max(0, nowMillis - since) / 1000.0;
    }

    @Override
    public String detail() {
      return waiting;
    }

    /**
     * A reading of beanstalkd's {@code stats}, or null when it did not answer. The queue is stuck
     * from the first reading with jobs waiting and no new delete.
     */
    synchronized void read(Map<String, String> stats, long nowMillis) {
      if (stats == null) {
        current.set(QueueFigures.UNKNOWN);
        return;
      }
      answeredAt = System.nanoTime();
      long ready = num(stats, "current-jobs-ready");
      long reserved = num(stats, "current-jobs-reserved");
      long delayed = num(stats, "current-jobs-delayed");
      long deleted = num(stats, "cmd-delete");
      current.set(new QueueFigures(true, ready, reserved, num(stats, "current-jobs-buried")));
      boolean moved = deleted != deletes;
      deletes = deleted;
      if (ready + reserved + delayed == 0 || moved) {
        stuckSinceMillis = 0;
      } else if (stuckSinceMillis == 0) {
        stuckSinceMillis = nowMillis;
      }
      waiting = (ready + reserved + delayed) + " jobs in queue " + queue + " (" + ready + " ready, " + reserved + " reserved, "
          + delayed + " delayed) and none deleted";
    }

    public QueueFigures get() {
      return current.get();
    }

    /** Whether beanstalkd answered a reading within {@code d} (readiness need not ask it again). */
    public boolean answeredWithin(java.time.Duration d) {
      return System.nanoTime() - answeredAt <= d.toNanos();
    }

    /** Binds the queue gauges ({@code hitcounter_queue_jobs{queue, state}}, {@code hitcounter_queue_stuck_seconds{queue}}) to {@code registry}. */
    public Figures bindTo(MeterRegistry registry) {
      gauge(registry, queue, "ready", f -> f.ready());
      gauge(registry, queue, "reserved", f -> f.reserved());
      gauge(registry, queue, "buried", f -> f.buried());
      Gauge.builder("hitcounter.queue.stuck.seconds", this, f -> f.stuckSeconds(System.currentTimeMillis()))
          .description("How long jobs have waited in this node's beanstalkd with none deleted, whoever drains it (0: empty or moving)")
          .tags("queue", queue)
          .register(registry);
      return this;
    }

    private void gauge(MeterRegistry registry, String queue, String state, java.util.function.ToLongFunction<QueueFigures> f) {
      Gauge.builder("hitcounter.queue.jobs", this, s -> f.applyAsLong(s.get()))
          .description("Jobs in this node's beanstalkd, by state")
          .tags("queue", queue, "state", state)
          .register(registry);
    }
  }

  private QueueMonitor() {}

  /**
   * Also watches the binlog ({@link BinlogWatch}): while it fails, {@code hits} refuses every
   * hit with the reason (503), and the failure is logged at ERROR once. Reads every
   * {@code interval} while hits are being put (a job put since the last reading) or jobs are in
   * the queue. While neither,
   * nothing is at risk: it reads every {@code idleInterval}, and between readings only looks every
   * {@code interval} whether a job was put meanwhile (no I/O), reading at once when one was. A
   * binlog that fails is thus noticed within {@code interval} of the first hit it could lose,
   * busy or not, and an idle node asks beanstalkd once per {@code idleInterval}.
   */
  public static Behavior<Command> create(Beanstalk queue, Figures figures, Duration interval, Duration idleInterval, HitQueue hits) {
    BinlogWatch binlog = new BinlogWatch();
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> {
          long[] jobsAtLastReading = {-1};
          long[] lastReading = {0};
          ctx.getSelf().tell(Poll.INSTANCE);
          return Behaviors.receive(Command.class)
              .onMessage(Poll.class, m -> {
                lastReading[0] = System.nanoTime();
                // A beanstalkd that stopped answering turns the figures unknown (and is asked again).
                ctx.pipeToSelf(queue.stats().toCompletableFuture().orTimeout(Math.max(1000, 4 * interval.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS),
                    (stats, e) -> new Polled(e == null ? stats : null));
                return Behaviors.same();
              })
              .onMessage(Peek.class, m -> {
                boolean put = hits != null && hits.jobs() != jobsAtLastReading[0];
                boolean due = System.nanoTime() - lastReading[0] >= idleInterval.toNanos() - interval.toNanos() / 2;
                if (put || due) {
                  ctx.getSelf().tell(Poll.INSTANCE);
                } else {
                  timers.startSingleTimer(Peek.INSTANCE, interval);
                }
                return Behaviors.same();
              })
              .onMessage(Polled.class, m -> {
                long jobs = hits == null ? 0 : hits.jobs();
                // At rest only when nothing was put and nothing waits in the queue (while a
                // backlog drains, its figures stay as fresh as while hits arrive).
                boolean busy = jobs != jobsAtLastReading[0] || m.stats() == null
                    || num(m.stats(), "current-jobs-ready") + num(m.stats(), "current-jobs-reserved") > 0;
                jobsAtLastReading[0] = jobs;
                timers.startSingleTimer(busy ? Poll.INSTANCE : Peek.INSTANCE, interval);
                if (m.stats() != null && hits != null) {
                  var failure = binlog.observe(m.stats());
                  if (failure.isPresent() && hits.refusing() == null) {
                    ctx.getLog().error("refusing every hit from now on: {}", failure.get());
                    hits.refuse(failure.get());
                  } else if (failure.isEmpty() && hits.refusing() != null) {
                    ctx.getLog().info("the binlog of a restarted beanstalkd works: taking hits again");
                    hits.accept();
                  }
                }
                figures.read(m.stats(), System.currentTimeMillis());
                return Behaviors.same();
              })
              .build();
        }));
  }

  private static long num(Map<String, String> stats, String key) {
    try {
      return Long.parseLong(stats.getOrDefault(key, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
