package hitcounter.discovery;

import com.typesafe.config.Config;
import java.time.Duration;

/** `hitcounter.discovery` in application.conf. */
public record DiscoverySettings(int workersPerQueue, Duration checkInterval, Duration deregisterCriticalAfter) {
  public static DiscoverySettings create(Config root) {
    Config c = root.getConfig("hitcounter.discovery");
    return new DiscoverySettings(
        c.getInt("workers-per-queue"), c.getDuration("check-interval"), c.getDuration("deregister-critical-after"));
  }
}
