package hitcounter.count;

import com.typesafe.config.Config;
import java.time.Duration;

/** How workers drain a queue: `hitcounter.worker` in application.conf, checked when read. */
public record WorkerSettings(
    int batchSize,
    Duration linger,
    Duration reserveWait,
    Duration ttr,
    int entryBudget,
    Duration minCommitInterval,
    Duration retryBudget,
    Duration backoffMin,
    Duration backoffMax,
    boolean epochs) {

  /** Settings that write entries in epochs (store-format 2). */
  public WorkerSettings(
      int batchSize, Duration linger, Duration reserveWait, Duration ttr, int entryBudget, Duration minCommitInterval, Duration retryBudget,
      Duration backoffMin, Duration backoffMax) {
    this(batchSize, linger, reserveWait, ttr, entryBudget, minCommitInterval, retryBudget, backoffMin, backoffMax, true);
  }

  public WorkerSettings {
    require(batchSize >= 1 && batchSize <= 10_000, "batch-size must be 1 to 10000, not " + batchSize);
    require(!linger.isNegative() && linger.toMillis() <= 1000, "linger must be 0 to 1 s");
    require(reserveWait.toSeconds() >= 1 && reserveWait.toSeconds() <= 60, "reserve-wait must be 1 s to 60 s (beanstalkd counts whole seconds)");
    require(ttr.toSeconds() >= 10, "ttr must be at least 10 s");
    require(entryBudget >= 4096 && entryBudget <= 256 * 1024, "entry-budget must be 4 KiB to 256 KiB (a commit must stay well under Consul's 512 KiB)");
    require(!minCommitInterval.isNegative() && minCommitInterval.toMillis() <= 10_000, "min-commit-interval must be 0 to 10 s");
    require(retryBudget.compareTo(ttr.dividedBy(2)) <= 0 && !retryBudget.isNegative() && !retryBudget.isZero(),
        "retry-budget must be positive and at most half the ttr, so a batch is never redelivered while its worker still retries");
    require(!backoffMin.isNegative() && backoffMin.compareTo(backoffMax) <= 0, "backoff-min must be at most backoff-max");
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("hitcounter.worker: " + problem);
    }
  }

  public static WorkerSettings create(Config root) {
    Config c = root.getConfig("hitcounter.worker");
    return new WorkerSettings(
        c.getInt("batch-size"),
        c.getDuration("linger"),
        c.getDuration("reserve-wait"),
        c.getDuration("ttr"),
        (int) c.getMemorySize("entry-budget").toBytes(),
        c.getDuration("min-commit-interval"),
        c.getDuration("retry-budget"),
        c.getDuration("backoff-min"),
        c.getDuration("backoff-max"));
  }

  /** These settings with the live batch size, linger and store format (2: entries in epochs). */
  public WorkerSettings with(int batchSize, Duration linger, int storeFormat) {
    return new WorkerSettings(batchSize, linger, reserveWait, ttr, entryBudget, minCommitInterval, retryBudget, backoffMin, backoffMax, storeFormat >= 2);
  }
}
