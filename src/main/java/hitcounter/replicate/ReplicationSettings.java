package hitcounter.replicate;

import com.typesafe.config.Config;
import java.time.Duration;

/** `hitcounter.replication` in application.conf. */
public record ReplicationSettings(
    Duration datacenterRefresh,
    Duration heartbeat,
    Duration staleAfter,
    Duration garbageGrace,
    Duration sweepInterval,
    Duration storeCheck,
    Duration newStoreGrace) {
  public ReplicationSettings(Duration datacenterRefresh, Duration heartbeat, Duration staleAfter) {
    this(datacenterRefresh, heartbeat, staleAfter, Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  public ReplicationSettings(Duration datacenterRefresh, Duration heartbeat, Duration staleAfter, Duration garbageGrace, Duration sweepInterval) {
    this(datacenterRefresh, heartbeat, staleAfter, garbageGrace, sweepInterval, Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  public static ReplicationSettings create(Config root) {
    Config c = root.getConfig("hitcounter.replication");
    return new ReplicationSettings(c.getDuration("datacenter-refresh"), c.getDuration("heartbeat"), c.getDuration("stale-after"),
        c.getDuration("garbage-grace"), c.getDuration("sweep-interval"), c.getDuration("store-check"), c.getDuration("new-store-grace"));
  }
}
