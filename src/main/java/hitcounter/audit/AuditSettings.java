package hitcounter.audit;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * `hitcounter.audit` in application.conf: how often a node writes its figures, and when the
 * keeper folds a run key that stopped changing into the archive (decision 0018).
 */
public record AuditSettings(Duration interval, Duration foldAfter, Duration foldInterval) {
  public static AuditSettings create(Config root) {
    Config c = root.getConfig("hitcounter.audit");
    return new AuditSettings(c.getDuration("interval"), c.getDuration("fold-after"), c.getDuration("fold-interval"));
  }
}
