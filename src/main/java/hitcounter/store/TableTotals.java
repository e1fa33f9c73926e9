package hitcounter.store;

import java.util.Collection;
import java.util.Map;

/**
 * The table's version (bumped by every write, under the write lock) and every slot's total over
 * the datacenters as shown, summed in tight loops over the arrays and cached until the next
 * write: a table at rest is not summed again per request. Callers hold the table's lock and
 * only read the array.
 */
final class TableTotals {
  private volatile long version;

  private record Cached(long version, long[] totals) {}

  private volatile Cached cached;

  long bytes() {
    Cached c = cached;
    return c == null ? 0 : 16L + 8L * c.totals().length;
  }

  void changed() {
    version++;
  }

  long version() {
    return version;
  }

  long[] of(int slots, Collection<Map.Entry<String, CountColumn>> columns, Baselines baselines) {
    Cached c = cached;
    long v = version;
    if (c != null && c.version() == v) {
      return c.totals();
    }
    long[] totals = new long[slots];
    for (var e : columns) {
      CountColumn col = e.getValue();
      long[] b = baselines.of(e.getKey());
      int m = Math.min(slots, col.base.length());
      if (b == null) {
        for (int slot = 0; slot < m; slot++) {
          totals[slot] += col.at(slot);
        }
      } else {
        for (int slot = 0; slot < m; slot++) {
          long raw = col.at(slot);
          totals[slot] += slot < b.length ? Math.max(0, raw - b[slot]) : raw;
        }
      }
    }
    cached = new Cached(v, totals);
    return totals;
  }
}
