package hitcounter.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Unique visitors per key and day as last united, per version of the table: the answers of a
 * hot page unite its sketches once per change, not once per hit. Bounded (cleared at 10,000
 * keys).
 */
final class UniquesCache {
  private record Cached(long version, int day, StatsQuery.Uniques value) {}

  private final ConcurrentHashMap<String, Cached> byKey = new ConcurrentHashMap<>();

  StatsQuery.Uniques get(String key, int day, long version, Supplier<StatsQuery.Uniques> unite) {
    Cached c = byKey.get(key);
    if (c != null && c.version() == version && c.day() == day) {
      return c.value();
    }
    StatsQuery.Uniques u = unite.get();
    if (byKey.size() >= 10_000) {
      byKey.clear();
    }
    byKey.put(key, new Cached(version, day, u));
    return u;
  }
}
