package hitcounter.ingest;

import com.typesafe.config.Config;
import java.time.Duration;

/** How hits are queued: `hitcounter.beanstalk` in application.conf (job format is a live setting). */
public record IngestSettings(Duration putTimeout, Duration monitorInterval, Duration monitorIdleInterval, int putsInFlight, int hitsPerJob, Duration putLinger) {
  public IngestSettings {
    if (putsInFlight < 1 || hitsPerJob < 1 || hitsPerJob > 1000) {
      throw new IllegalArgumentException("hitcounter.beanstalk: puts-in-flight must be at least 1, hits-per-job 1 to 1000");
    }
    if (putLinger.isNegative() || putLinger.compareTo(Duration.ofMillis(50)) > 0) {
      throw new IllegalArgumentException("hitcounter.beanstalk: put-linger must be 0 to 50ms");
    }
    if (monitorIdleInterval.compareTo(monitorInterval) < 0) {
      throw new IllegalArgumentException("hitcounter.beanstalk: monitor-idle-interval must be at least monitor-interval");
    }
  }

  public static IngestSettings create(Config root) {
    Config c = root.getConfig("hitcounter.beanstalk");
    return new IngestSettings(c.getDuration("put-timeout"), c.getDuration("monitor-interval"), c.getDuration("monitor-idle-interval"), c.getInt("puts-in-flight"), c.getInt("hits-per-job"), c.getDuration("put-linger"));
  }
}
