package hitcounter.count;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How current this node's table is, per datacenter whose counts it shows: since when it has not
 * applied what that datacenter's heads said (absent when it has applied all of it), and why (a
 * missing entry or shard, a value that does not parse, a reload after the store went back, or
 * just the work under way). Written by the count view, read by the stall report, by freshness
 * and by the gauge {@code hitcounter_view_behind_seconds{datacenter}}.
 */
public final class ViewHealth {
  /** Behind since {@code sinceMillis} (this node's clock), for {@code reason}. */
  public record Behind(long sinceMillis, String reason) {}

  private final MeterRegistry registry;
  private final Map<String, Behind> behind = new ConcurrentHashMap<>();
  private final Set<String> gauged = ConcurrentHashMap.newKeySet();

  public ViewHealth(MeterRegistry registry) {
    this.registry = registry;
  }

  public ViewHealth() {
    this(new SimpleMeterRegistry());
  }

  /** The table holds {@code dc}'s heads as of {@code asOfMillis} at best; {@code reason} says what holds it up. */
  void behind(String dc, long asOfMillis, String reason) {
    gauge(dc);
    behind.put(dc, new Behind(asOfMillis, reason));
  }

  /** The table holds everything {@code dc}'s heads said. */
  void current(String dc) {
    behind.remove(dc);
  }

  public Map<String, Behind> behind() {
    return new TreeMap<>(behind);
  }

  private void gauge(String dc) {
    if (gauged.add(dc)) {
      Gauge.builder("hitcounter.view.behind.seconds", behind, m -> {
        Behind b = m.get(dc);
        return b == null ? 0 : (System.currentTimeMillis() - b.sinceMillis()) / 1000.0;
      }).tag("source_datacenter", dc).description("How long this node's table has not held what the datacenter's heads said (0: current)").register(registry);
    }
  }
}
