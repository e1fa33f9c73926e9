package hitcounter.infra.consul;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Values under {@code hitcounter/} that do not parse: every reader skips them and goes on, and
 * reports them here: logged once per key at WARN (not once per read), counted in
 * {@code hitcounter_consul_bad_values_total{reader}}.
 */
public final class BadValues {
  private static final Logger LOG = LoggerFactory.getLogger(BadValues.class);
  private final MeterRegistry registry;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  public BadValues(MeterRegistry registry) {
    this.registry = registry;
  }

  public BadValues() {
    this(new SimpleMeterRegistry());
  }

  /** {@code reader} skipped the value of {@code key} because of {@code problem}. */
  public void skipped(String reader, String key, String problem) {
    counters
        .computeIfAbsent(reader, r -> Counter.builder("hitcounter.consul.bad.values")
            .description("Values in Consul that did not parse and were skipped, by reader")
            .tag("reader", r)
            .register(registry))
        .increment();
    if (logged.add(reader + "|" + key) && logged.size() < 100_000) {
      LOG.warn("{}: skipping the value of {}: {} (counting and copying go on without it)", reader, key, problem);
    }
  }

  /** A key that parses again may be logged again if it goes bad later. */
  public void good(String reader, String key) {
    if (!logged.isEmpty()) {
      logged.remove(reader + "|" + key);
    }
  }
}
