package hitcounter.infra.consul;

import com.typesafe.config.Config;
import java.time.Duration;

/** How a node reaches its local Consul agent: `hitcounter.consul` in application.conf. */
public record ConsulSettings(
    String url, String datacenter, Duration requestTimeout, Duration blockingWait, Duration retryMin, Duration retryMax, ConsulToken token,
    ConsulHttpClient.RemotePool remotePool) {
  public static ConsulSettings create(Config root) {
    Config c = root.getConfig("hitcounter.consul");
    return new ConsulSettings(
        c.getString("url"),
        root.getString("hitcounter.datacenter"),
        c.getDuration("request-timeout"),
        c.getDuration("blocking-wait"),
        c.getDuration("retry-min"),
        c.getDuration("retry-max"),
        ConsulToken.create(c.getString("token"), c.getString("token-file")),
        new ConsulHttpClient.RemotePool(
            c.getInt("remote-pool.max-connections"), c.getInt("remote-pool.max-open-requests"), c.getDuration("remote-pool.idle-timeout")));
  }
}
