package hitcounter.count;

import com.typesafe.config.Config;
import java.time.Duration;

/** How workers drain a queue: `hitcounter.worker` in application.conf. */
public record WorkerSettings(
    int batchSize,
    Duration linger,
    Duration reserveWait,
    Duration ttr,
    int buckets,
    int commitAttempts,
    Duration backoffMin,
    Duration backoffMax) {

  public static WorkerSettings create(Config root) {
    Config c = root.getConfig("hitcounter.worker");
    return new WorkerSettings(
        c.getInt("batch-size"),
        c.getDuration("linger"),
        c.getDuration("reserve-wait"),
        c.getDuration("ttr"),
        c.getInt("buckets"),
        c.getInt("commit-attempts"),
        c.getDuration("backoff-min"),
        c.getDuration("backoff-max"));
  }

  /** These settings with the live batch size and linger. */
  public WorkerSettings with(int batchSize, Duration linger) {
    return new WorkerSettings(batchSize, linger, reserveWait, ttr, buckets, commitAttempts, backoffMin, backoffMax);
  }
}
