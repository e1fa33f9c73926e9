package hitcounter.replicate;

import com.typesafe.config.Config;
import java.time.Duration;

/** `hitcounter.replication` in application.conf. */
public record ReplicationSettings(
    Duration datacenterRefresh, Duration heartbeat, Duration staleAfter, Duration garbageGrace, Duration sweepInterval) {
  public ReplicationSettings(Duration datacenterRefresh, Duration heartbeat, Duration staleAfter) {
    this(datacenterRefresh, heartbeat, staleAfter, Duration.ofSeconds(5), Duration.ofMinutes(10));
  }

  public static ReplicationSettings create(Config root) {
    Config c = root.getConfig("hitcounter.replication");
    return new ReplicationSettings(c.getDuration("datacenter-refresh"), c.getDuration("heartbeat"), c.getDuration("stale-after"),
        c.getDuration("garbage-grace"), c.getDuration("sweep-interval"));
  }
}
