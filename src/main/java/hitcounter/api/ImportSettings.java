package hitcounter.api;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code hitcounter.imports}: the largest file (as sent, and once gunzipped), the most pages of one
 * file, how long a stalled upload is waited for, how long one import may take in all.
 */
public record ImportSettings(long maxBytes, long maxUnzippedBytes, int maxPages, Duration readTimeout, Duration requestTimeout) {
  public static ImportSettings create(Config root) {
    Config c = root.getConfig("hitcounter.imports");
    return new ImportSettings(c.getBytes("max-bytes"), c.getBytes("max-unzipped-bytes"), c.getInt("max-pages"), c.getDuration("read-timeout"),
        c.getDuration("request-timeout"));
  }
}
