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
  /** One datacenter as last heard of. */
  public record State(long seq, long seenAtMillis, Map<String, Long> configVersions) {}

  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final long startedAt = System.currentTimeMillis();

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
    states.compute(dc, (k, old) -> old != null && old.seq() == seq
        ? new State(seq, old.seenAtMillis(), configVersions)
        : new State(seq, now, configVersions));
  }
}
