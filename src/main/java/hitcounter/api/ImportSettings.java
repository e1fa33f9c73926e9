package hitcounter.api;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code hitcounter.imports}: the largest file, the most pages of one file, how long a stalled upload is waited for. */
public record ImportSettings(long maxBytes, int maxPages, Duration readTimeout) {
  public static ImportSettings create(Config root) {
    Config c = root.getConfig("hitcounter.imports");
    return new ImportSettings(c.getBytes("max-bytes"), c.getInt("max-pages"), c.getDuration("read-timeout"));
  }
}
