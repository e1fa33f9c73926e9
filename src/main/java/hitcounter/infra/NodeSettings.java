package hitcounter.infra;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Who this node is and where it listens, and how long it takes to leave: the `hitcounter` block
 * of application.conf.
 */
public record NodeSettings(
    String datacenter,
    String nodeName,
    String host,
    int httpPort,
    int managementPort,
    String consulUrl,
    Duration consulRequestTimeout,
    Duration blockingWait,
    Duration retryMin,
    Duration retryMax,
    String beanstalkHost,
    int beanstalkPort,
    Duration beanstalkConnectTimeout,
    int beanstalkMaxInFlight,
    Duration askTimeout,
    Duration unbindTimeout,
    Duration drainTimeout) {

  public static NodeSettings create(Config root) {
    Config c = root.getConfig("hitcounter");
    return new NodeSettings(
        c.getString("datacenter"),
        c.getString("node-name"),
        c.getString("http.host"),
        c.getInt("http.port"),
        root.getInt("pekko.management.http.port"),
        c.getString("consul.url"),
        c.getDuration("consul.request-timeout"),
        c.getDuration("consul.blocking-wait"),
        c.getDuration("consul.retry-min"),
        c.getDuration("consul.retry-max"),
        c.getString("beanstalk.host"),
        c.getInt("beanstalk.port"),
        c.getDuration("beanstalk.connect-timeout"),
        c.getInt("beanstalk.max-in-flight"),
        c.getDuration("http.ask-timeout"),
        c.getDuration("shutdown.unbind"),
        c.getDuration("shutdown.drain-workers"));
  }
}
