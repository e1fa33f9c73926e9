package hitcounter.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The analytics half of the count table ({@link PageStats} per key and datacenter), kept the
 * way the counts are: a base from the datacenter's snapshot shards and a pending part from its
 * journal entries after the snapshot; a new snapshot is staged and installed at once. Only keys
 * with analytics take room. Not thread-safe: the count table calls it under its lock.
 */
final class Insights {
  private final Map<String, Cols> dcs = new HashMap<>();

  private static final class Cols {
    final Map<String, PageStats> base = new HashMap<>();
    final Map<String, PageStats> pending = new HashMap<>();
    Map<String, PageStats> staged;
  }

  private Cols cols(String dc) {
    return dcs.computeIfAbsent(dc, d -> new Cols());
  }

  void addEntry(String dc, Map<String, PageStats> delta, LongConsumer touched) {
    Map<String, PageStats> pending = cols(dc).pending;
    delta.forEach((key, stats) -> {
      pending.computeIfAbsent(key, k -> new PageStats()).add(stats);
      touched.accept(PageHash.of(key));
    });
  }

  void clearStaged(String dc) {
    cols(dc).staged = new HashMap<>();
  }

  void stage(String dc, Map<String, PageStats> stats) {
    Cols c = cols(dc);
    if (c.staged == null) {
      c.staged = new HashMap<>();
    }
    c.staged.putAll(stats);
  }

  /** Keys in {@code inReplaced} ranges take their staged stats as base; pending starts again from {@code entries}. */
  void commit(String dc, java.util.function.LongPredicate inReplaced, List<Map<String, PageStats>> entries, LongConsumer touched) {
    Cols c = cols(dc);
    Map<String, PageStats> staged = c.staged == null ? Map.of() : c.staged;
    c.base.keySet().removeIf(k -> inReplaced.test(PageHash.of(k)));
    staged.forEach((k, v) -> {
      if (inReplaced.test(PageHash.of(k))) {
        c.base.put(k, v);
      }
    });
    c.staged = null;
    c.pending.clear();
    for (Map<String, PageStats> e : entries) {
      addEntry(dc, e, touched);
    }
  }

  void clear(String dc) {
    dcs.remove(dc);
  }

  /** Base + pending of {@code key} in {@code dc} (a copy; null when it has none). */
  PageStats of(String dc, String key) {
    Cols c = dcs.get(dc);
    if (c == null) {
      return null;
    }
    PageStats b = c.base.get(key);
    PageStats p = c.pending.get(key);
    if (b == null && p == null) {
      return null;
    }
    PageStats out = b == null ? new PageStats() : b.copy();
    if (p != null) {
      out.add(p);
    }
    return out;
  }

  /** Per datacenter, only what {@code key} holds of {@code day}'s visitors (its sketch, its folded estimate): no copy of the rest. */
  Map<String, PageStats> day(String key, int day) {
    Map<String, PageStats> out = new java.util.TreeMap<>();
    dcs.forEach((dc, c) -> {
      PageStats b = c.base.get(key);
      PageStats p = c.pending.get(key);
      if (b == null && p == null) {
        return;
      }
      PageStats d = new PageStats();
      for (PageStats s : new PageStats[] {b, p}) {
        if (s != null) {
          if (s.sketch(day) != null) {
            d.sketches.merge(day, s.sketch(day), PageStats::union);
          }
          if (s.folded(day) != null) {
            d.uniques.merge(day, s.folded(day), Math::max);
          }
        }
      }
      out.put(dc, d);
    });
    return out;
  }

  /** Bot hits of {@code key} in every datacenter. */
  long bots(String key) {
    long n = 0;
    for (Cols c : dcs.values()) {
      PageStats b = c.base.get(key);
      PageStats p = c.pending.get(key);
      n += (b == null ? 0 : b.bots()) + (p == null ? 0 : p.bots());
    }
    return n;
  }

  /** Every datacenter's stats of {@code key}. */
  Map<String, PageStats> all(String key) {
    Map<String, PageStats> out = new java.util.TreeMap<>();
    for (String dc : dcs.keySet()) {
      PageStats s = of(dc, key);
      if (s != null) {
        out.put(dc, s);
      }
    }
    return out;
  }

  /**
   * For a fold of {@code dc}: the stats of keys whose hash {@code rangeOf} places in a range
   * (its index; -1: none), pruned to the retention; days before yesterday keep the estimate of
   * the union of every datacenter's sketches of that day instead of the sketch.
   */
  List<Map<String, PageStats>> collect(String dc, int ranges, java.util.function.LongToIntFunction rangeOf, StatsRetention r) {
    List<Map<String, PageStats>> out = new ArrayList<>(ranges);
    for (int i = 0; i < ranges; i++) {
      out.add(new HashMap<>());
    }
    Cols c = dcs.get(dc);
    if (c == null) {
      return out;
    }
    java.util.Set<String> keys = new java.util.HashSet<>(c.base.keySet());
    keys.addAll(c.pending.keySet());
    for (String key : keys) {
      int i = rangeOf.applyAsInt(PageHash.of(key));
      if (i < 0) {
        continue;
      }
      PageStats s = of(dc, key);
      s.prune(r.today(), r.nowMinute(), r.days(), r.hours(), day -> {
        try {
          return united(key, day);
        } catch (RuntimeException e) {
          return 0; // a sketch that will not unite: the day keeps no estimate rather than stop every fold
        }
      });
      if (!s.isEmpty()) {
        out.get(i).put(key, s);
      }
    }
    return out;
  }

  /** Unique visitors of {@code key} on {@code day} across datacenters: sketches united, or the largest folded estimate. */
  long united(String key, int day) {
    byte[] u = null;
    long folded = 0;
    for (String dc : dcs.keySet()) {
      PageStats s = of(dc, key);
      if (s == null) {
        continue;
      }
      byte[] sk = s.sketch(day);
      if (sk != null) {
        u = u == null ? sk : PageStats.union(u, sk);
      }
      Long f = s.folded(day);
      if (f != null) {
        folded = Math.max(folded, f);
      }
    }
    return Math.max(folded, u == null ? 0 : PageStats.estimate(u));
  }

  long bytes() {
    long b = 0;
    for (Cols c : dcs.values()) {
      for (PageStats s : c.base.values()) {
        b += s.bytes() + 64;
      }
      for (PageStats s : c.pending.values()) {
        b += s.bytes() + 64;
      }
    }
    return b;
  }
}
