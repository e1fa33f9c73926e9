package hitcounter.store;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per datacenter, what resets took away from each page (decision 0010): a page shows
 * max(0, count - baseline) there. Kept apart from the counts: a fold writes the counts
 * themselves, never what is shown. Set from the merged reset records, so a baseline lowered
 * after a rollback (ResetRepair) is lowered here too. Guarded by the table's lock.
 */
final class Baselines {
  private final Map<String, long[]> byDatacenter = new ConcurrentHashMap<>();

  /** What a reader sees of a count {@code raw} of {@code slot} in {@code dc}: less its baseline, never below 0. */
  long shown(String dc, int slot, long raw) {
    long[] b = byDatacenter.get(dc);
    return b == null || slot >= b.length ? raw : Math.max(0, raw - b[slot]);
  }

  /** The baselines of {@code dc} by slot (null when it has none); callers only read it. */
  long[] of(String dc) {
    return byDatacenter.get(dc);
  }

  void set(String dc, int slot, long baseline, int capacity) {
    long[] b = byDatacenter.computeIfAbsent(dc, d -> new long[Math.max(capacity, slot + 1)]);
    if (b.length <= slot) {
      b = Arrays.copyOf(b, Math.max(slot + 1, b.length * 2));
      byDatacenter.put(dc, b);
    }
    b[slot] = baseline;
  }

  long bytes() {
    return byDatacenter.values().stream().mapToLong(b -> 16L + 8L * b.length).sum();
  }

  /** Every datacenter's array grows with the dictionary (doubling). */
  void grow(int needed) {
    for (var e : byDatacenter.entrySet()) {
      if (e.getValue().length < needed) {
        e.setValue(Arrays.copyOf(e.getValue(), Math.max(needed, e.getValue().length * 2)));
      }
    }
  }
}
