package hitcounter.replicate;

import com.typesafe.config.Config;
import java.time.Duration;

/** `hitcounter.replication` in application.conf. */
public record ReplicationSettings(Duration datacenterRefresh, Duration heartbeat, Duration staleAfter) {
  public static ReplicationSettings create(Config root) {
    Config c = root.getConfig("hitcounter.replication");
    return new ReplicationSettings(c.getDuration("datacenter-refresh"), c.getDuration("heartbeat"), c.getDuration("stale-after"));
  }
}
