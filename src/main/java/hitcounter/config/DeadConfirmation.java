package hitcounter.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * When a deleted site's generations are taken as dead (decision 0019): once every datacenter's
 * Consul has shown them dead ({@link DeadGenerations#seenByAll}) for {@code after}, each
 * generation timed on its own (a site deleted and created again often still has its older
 * generations collected), and never beyond what every datacenter shows now (a restore that
 * brought a site back pauses its collection).
 */
public final class DeadConfirmation {
  private final Map<String, TreeMap<Long, Long>> firstSeen = new HashMap<>();

  /** The generations dead at {@code now}, given what every datacenter shows now. */
  public DeadGenerations confirmed(DeadGenerations seen, long now, Duration after) {
    Map<String, Long> out = new HashMap<>();
    seen.through().forEach((site, through) -> {
      TreeMap<Long, Long> times = firstSeen.computeIfAbsent(site, s -> new TreeMap<>());
      times.putIfAbsent(through, now);
      long confirmed = 0;
      for (var t : times.headMap(through, true).entrySet()) {
        if (now - t.getValue() >= after.toMillis()) {
          confirmed = t.getKey();
        }
      }
      if (confirmed > 0) {
        out.put(site, confirmed);
      }
    });
    return new DeadGenerations(out);
  }
}
