package hitcounter.audit;

import com.typesafe.config.Config;
import java.time.Duration;

/** `hitcounter.audit` in application.conf. */
public record AuditSettings(Duration interval) {
  public static AuditSettings create(Config root) {
    return new AuditSettings(root.getConfig("hitcounter.audit").getDuration("interval"));
  }
}
