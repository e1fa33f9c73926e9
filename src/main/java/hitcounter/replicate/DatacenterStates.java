package hitcounter.replicate;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node last heard from each datacenter through its heartbeat key: when (by this
 * node's clock, so clock skew between datacenters does not matter) and which setting versions
 * it has in force. Written by {@link HeartbeatView}, read by the routes.
 */
public final class DatacenterStates {
  /**
   * One datacenter as last heard of: its heartbeat's seq, when it last changed (this node's
   * clock), the setting versions in force there, and the stalls it reported (JSON, read by the
   * health layer).
   */
  public record State(long seq, long seenAtMillis, Map<String, Long> configVersions, com.fasterxml.jackson.databind.JsonNode stalls) {}

  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();
  private final long startedAt = System.currentTimeMillis();
  private final io.micrometer.core.instrument.MeterRegistry registry;

  /** Each datacenter heard of gets a gauge {@code hitcounter_datacenter_age_seconds{source_datacenter}}. */
  public DatacenterStates(io.micrometer.core.instrument.MeterRegistry registry) {
    this.registry = registry;
  }

  public DatacenterStates() {
    this(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  /** Seconds since {@code dc} was last heard of (since start, if never). */
  public double ageSeconds(String dc) {
    State s = states.get(dc);
    return ((System.currentTimeMillis() - (s == null ? startedAt : s.seenAtMillis()))) / 1000.0;
  }

  public Map<String, State> all() {
    return new TreeMap<>(states);
  }

  /** Seconds since each known datacenter was last heard of (since start, if never). */
  public Map<String, Double> agesSeconds() {
    long now = System.currentTimeMillis();
    Map<String, Double> out = new TreeMap<>();
    states.forEach((dc, s) -> out.put(dc, (now - s.seenAtMillis()) / 1000.0));
    return out;
  }

  public double sinceStartSeconds() {
    return (System.currentTimeMillis() - startedAt) / 1000.0;
  }

  public void heard(String dc, long seq, Map<String, Long> configVersions, long now) {
    heard(dc, seq, configVersions, null, now);
  }

  public void heard(String dc, long seq, Map<String, Long> configVersions, com.fasterxml.jackson.databind.JsonNode stalls, long now) {
    if (!states.containsKey(dc)) {
      io.micrometer.core.instrument.Gauge.builder("hitcounter.datacenter.age", this, s -> s.ageSeconds(dc))
          .description("How long ago this node last heard of each datacenter's figures (its heartbeat)")
          .baseUnit("seconds")
          .tag("source_datacenter", dc)
          .register(registry);
    }
    states.compute(dc, (k, old) -> old != null && old.seq() == seq
        ? new State(seq, old.seenAtMillis(), configVersions, stalls)
        : new State(seq, now, configVersions, stalls));
    version.incrementAndGet();
  }

  /** Bumped by every heartbeat heard (an answer rendered before may be out of date). */
  public long version() {
    return version.get();
  }
}
