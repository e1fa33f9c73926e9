package hitcounter.replicate;

import com.typesafe.config.Config;
import java.time.Duration;

/** `hitcounter.replication` in application.conf. */
public record ReplicationSettings(Duration interval, Duration datacenterRefresh) {
  public static ReplicationSettings create(Config root) {
    Config c = root.getConfig("hitcounter.replication");
    return new ReplicationSettings(c.getDuration("interval"), c.getDuration("datacenter-refresh"));
  }
}
