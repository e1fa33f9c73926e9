package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hitcounter.fakes.FakeBeanstalk;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The gauges that tell a stopped binlog, a silent beanstalkd and a node not ready apart. */
class IngestGaugesTest {
  @Test
  void eachGaugeFollowsItsOwnCause() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HitQueue queue = new HitQueue(new FakeBeanstalk(), Duration.ofSeconds(1), Duration.ofSeconds(60));
    QueueMonitor.Figures figures = new QueueMonitor.Figures("n");
    AtomicBoolean consul = new AtomicBoolean(true);
    IngestGauges.bind(registry, queue, figures, consul::get);
    assertEquals(0, gauge(registry, "hitcounter.beanstalk.answering"), "no reading yet");
    assertEquals(0, gauge(registry, "hitcounter.ready"));
    assertEquals(1, gauge(registry, "hitcounter.binlog.writing"));

    figures.read(Map.of("current-jobs-ready", "0", "cmd-delete", "0"), System.currentTimeMillis());
    assertEquals(1, gauge(registry, "hitcounter.beanstalk.answering"));
    assertEquals(1, gauge(registry, "hitcounter.ready"));

    queue.refuse("binlog stopped");
    assertEquals(0, gauge(registry, "hitcounter.binlog.writing"));
    assertEquals(1, gauge(registry, "hitcounter.beanstalk.answering"), "beanstalkd still answers: the 503s are the binlog's");
    assertEquals(0, gauge(registry, "hitcounter.ready"));
    queue.accept();
    consul.set(false);
    assertEquals(1, gauge(registry, "hitcounter.binlog.writing"));
    assertEquals(0, gauge(registry, "hitcounter.ready"), "Consul silent: not ready");
  }

  private static double gauge(SimpleMeterRegistry registry, String name) {
    return registry.get(name).gauge().value();
  }
}
