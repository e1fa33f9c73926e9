package hitcounter.infra.consul;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Pekko HTTP's pool backs off from a host it cannot reach up to 2 minutes by default; after a
 * 30 s Consul outage that kept eu-west from counting for ~20 s after the heal (ops/partition.sh).
 */
class ConsulClientSettingsTest {
  @Test
  void aConsulThatComesBackIsReconnectedWithinASecond() {
    var c = ConfigFactory.load();
    assertTrue(c.getDuration("pekko.http.host-connection-pool.max-connection-backoff").compareTo(Duration.ofSeconds(1)) <= 0);
  }
}
