package hitcounter.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The gauges an alert needs to tell a node's failures apart, read at scrape time without I/O:
 * {@code hitcounter_binlog_writing} (0 once beanstalkd's binlog stopped taking every job: hits
 * are refused with 503), {@code hitcounter_beanstalk_answering} (0 when the node's beanstalkd
 * gave no reading for 2 s: a 503 for another reason), and {@code hitcounter_ready} (what the
 * readiness check answers: beanstalkd and Consul answer and the binlog writes).
 */
public final class IngestGauges {
  /** beanstalkd silent this long (the queue monitor reads at least once a second): not answering. */
  public static final Duration BEANSTALK_SILENCE = Duration.ofSeconds(2);
  /** Consul silent this long (the heartbeat watch returns every second): not answering. */
  public static final Duration CONSUL_SILENCE = Duration.ofSeconds(5);

  private IngestGauges() {}

  /** {@code consulAnswering}: Consul answered this node lately (its own traffic says so). */
  public static void bind(MeterRegistry registry, HitQueue queue, QueueMonitor.Figures figures, BooleanSupplier consulAnswering) {
    Gauge.builder("hitcounter.binlog.writing", queue, q -> q.refusing() == null ? 1 : 0)
        .description("1 while this node's beanstalkd writes every job to its binlog; 0 once it stopped (hits refused with 503)")
        .register(registry);
    Gauge.builder("hitcounter.beanstalk.answering", figures, f -> f.answeredWithin(BEANSTALK_SILENCE) ? 1 : 0)
        .description("1 while this node's beanstalkd answers its queue monitor; 0 after 2 s without a reading")
        .register(registry);
    Gauge.builder("hitcounter.ready", queue, q -> q.refusing() == null && figures.answeredWithin(BEANSTALK_SILENCE) && consulAnswering.getAsBoolean() ? 1 : 0)
        .description("1 while this node takes hits: its beanstalkd and Consul answer and its binlog writes (what /health/ready answers)")
        .register(registry);
  }
}
