package hitcounter.discovery;

import com.typesafe.config.Config;
import java.time.Duration;

/** Consul health checks of `hitcounter.discovery` in application.conf (workers-per-queue is a live setting). */
public record DiscoverySettings(Duration checkInterval, Duration deregisterCriticalAfter, Duration registerRetry, Duration registerRefresh) {
  public static DiscoverySettings create(Config root) {
    Config c = root.getConfig("hitcounter.discovery");
    return new DiscoverySettings(
        c.getDuration("check-interval"), c.getDuration("deregister-critical-after"), c.getDuration("register-retry"), c.getDuration("register-refresh"));
  }
}
