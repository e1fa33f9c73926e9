package hitcounter.health;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * When a late figure becomes a stall: `hitcounter.health` in application.conf. A queue whose
 * oldest job waits longer than {@code stallAfter}, or whose commits keep failing that long, or
 * copies to a datacenter that keep failing that long, make every answer {@code "stale": true}.
 */
public record HealthSettings(Duration stallAfter, Duration republish, Duration expireAfter, Duration check) {
  public HealthSettings {
    if (republish.compareTo(expireAfter) >= 0) {
      throw new IllegalArgumentException("hitcounter.health: republish must be shorter than expire-after");
    }
  }

  public static HealthSettings create(Config root) {
    Config c = root.getConfig("hitcounter.health");
    return new HealthSettings(c.getDuration("stall-after"), c.getDuration("republish"), c.getDuration("expire-after"), c.getDuration("check-interval"));
  }
}
