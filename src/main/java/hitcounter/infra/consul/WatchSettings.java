package hitcounter.infra.consul;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How a node keeps its views of Consul: `hitcounter.view` and the waits of `hitcounter.consul`
 * in application.conf. {@link #general()} for small prefixes (settings, heartbeats, stalls,
 * discovery), {@link #counts()} for the heads of the count store.
 */
public record WatchSettings(Duration minRefresh, Duration countRefresh, Duration retryMin, Duration retryMax, Duration blockingWait) {
  public static WatchSettings create(Config root) {
    ConsulSettings consul = ConsulSettings.create(root);
    Config view = root.getConfig("hitcounter.view");
    return new WatchSettings(
        view.getDuration("min-refresh-interval"), view.getDuration("count-refresh-interval"), consul.retryMin(), consul.retryMax(), consul.blockingWait());
  }

  public BlockingQueryWatch.Settings general() {
    return new BlockingQueryWatch.Settings(minRefresh, retryMin, retryMax);
  }

  public BlockingQueryWatch.Settings counts() {
    return new BlockingQueryWatch.Settings(countRefresh, retryMin, retryMax);
  }
}
