package hitcounter.config;

import com.typesafe.config.Config;

/** {@code hitcounter.analytics}: when visitor salts are decided, how often the salt keeper looks at the clock. */
public record AnalyticsSettings(SaltKeeper.Settings salts) {
  public static AnalyticsSettings create(Config root) {
    Config c = root.getConfig("hitcounter.analytics");
    return new AnalyticsSettings(new SaltKeeper.Settings(c.getDuration("salt-decide-before"), c.getDuration("salt-grace"), c.getDuration("salt-tick")));
  }
}
