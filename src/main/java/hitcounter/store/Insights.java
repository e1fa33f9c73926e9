package hitcounter.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.ToIntFunction;

/**
 * The analytics half of the count table ({@link PageStats} per key and datacenter), kept the
 * way the counts are: a base from the datacenter's snapshot shards and a pending part from its
 * journal entries after the snapshot; a new snapshot is staged and installed at once. Compact:
 * a page's stats are one small byte array (its encoded form, tens of bytes) in arrays indexed
 * by the page's slot in the table's dictionary; decoded only to be read, added to or folded.
 * A site's stats ({@link PageStats#siteKey}) are kept by key. Not thread-safe: the count table
 * calls it under its lock.
 */
final class Insights {
  private final PageDictionary pages;
  private final Map<String, Cols> dcs = new HashMap<>();

  Insights(PageDictionary pages) {
    this.pages = pages;
  }

  /** One datacenter's stats: base and staged share an arena (a commit moves refs, copies nothing); pending has its own, dropped whole at a commit. */
  private static final class Cols {
    final SlotBytes base = new SlotBytes(new ByteArena());
    SlotBytes pending = new SlotBytes(new ByteArena());
    SlotBytes staged;
    final Map<String, byte[]> siteBase = new HashMap<>();
    final Map<String, byte[]> sitePending = new HashMap<>();
    Map<String, byte[]> siteStaged;

    /** Compacts an arena whose garbage passed half of what it holds ({@link ByteArena#wantsCompaction}). */
    void tidy() {
      if (pending.arena().wantsCompaction()) {
        pending.arena().compact(List.of(pending));
      }
      if (base.arena().wantsCompaction()) {
        base.arena().compact(staged == null ? List.of(base) : List.of(base, staged));
      }
    }
  }

  private Cols cols(String dc) {
    return dcs.computeIfAbsent(dc, d -> new Cols());
  }

  /** Adds an entry's stats to {@code dc}'s pending part; {@code slotOf} gives (and makes) a page's slot. */
  void addEntry(String dc, Map<String, byte[]> delta, LongConsumer touched, ToIntFunction<String> slotOf) {
    Cols c = cols(dc);
    delta.forEach((key, stats) -> {
      if (PageStats.isSiteKey(key)) {
        c.sitePending.put(key, PageStats.sum(key, c.sitePending.get(key), stats));
        touched.accept(PageHash.of(key));
        return;
      }
      int slot = slotOf.applyAsInt(key);
      c.pending.put(slot, PageStats.sum(key, c.pending.get(slot), stats));
      touched.accept(pages.hash(slot));
    });
    c.tidy();
  }

  void clearStaged(String dc) {
    Cols c = cols(dc);
    if (c.staged != null) {
      c.staged.clearAll();
    }
    c.staged = new SlotBytes(c.base.arena());
    c.siteStaged = new HashMap<>();
  }

  void stage(String dc, Map<String, byte[]> stats, ToIntFunction<String> slotOf) {
    Cols c = cols(dc);
    if (c.staged == null) {
      clearStaged(dc);
    }
    stats.forEach((key, s) -> {
      if (PageStats.isSiteKey(key)) {
        c.siteStaged.put(key, s);
      } else {
        c.staged.put(slotOf.applyAsInt(key), s);
      }
    });
    c.tidy();
  }

  /** Keys in {@code inReplaced} ranges take their staged stats as base; pending starts again from {@code entries}. */
  void commit(String dc, java.util.function.LongPredicate inReplaced, List<Map<String, byte[]>> entries, LongConsumer touched, ToIntFunction<String> slotOf) {
    Cols c = cols(dc);
    SlotBytes staged = c.staged == null ? new SlotBytes(c.base.arena()) : c.staged;
    int n = Math.min(pages.size(), Math.max(c.base.capacity(), staged.capacity()));
    for (int slot = 0; slot < n; slot++) {
      if ((c.base.has(slot) || staged.has(slot)) && inReplaced.test(pages.hash(slot))) {
        c.base.take(slot, staged);
      }
    }
    staged.clearAll();
    c.siteBase.keySet().removeIf(k -> inReplaced.test(PageHash.of(k)));
    if (c.siteStaged != null) {
      c.siteStaged.forEach((k, v) -> {
        if (inReplaced.test(PageHash.of(k))) {
          c.siteBase.put(k, v);
        }
      });
    }
    c.staged = null;
    c.siteStaged = null;
    c.pending = new SlotBytes(new ByteArena());
    c.sitePending.clear();
    c.tidy();
    for (Map<String, byte[]> e : entries) {
      addEntry(dc, e, touched, slotOf);
    }
  }

  void clear(String dc) {
    dcs.remove(dc);
  }

  /** Base + pending of {@code key} in {@code dc} (decoded; null when it has none). */
  PageStats of(String dc, String key) {
    Cols c = dcs.get(dc);
    if (c == null) {
      return null;
    }
    byte[] b;
    byte[] p;
    if (PageStats.isSiteKey(key)) {
      b = c.siteBase.get(key);
      p = c.sitePending.get(key);
    } else {
      int slot = pages.find(key);
      b = c.base.get(slot);
      p = c.pending.get(slot);
    }
    if (b == null && p == null) {
      return null;
    }
    PageStats out = b == null ? new PageStats() : PageStats.decodeFor(key, b);
    if (p != null) {
      out.add(PageStats.decodeFor(key, p));
    }
    return out;
  }

  /** Per datacenter, what {@code key} holds of {@code day}'s visitors (its sketch, its folded estimate). */
  Map<String, PageStats> day(String key, int day) {
    Map<String, PageStats> out = new java.util.TreeMap<>();
    for (String dc : dcs.keySet()) {
      PageStats s = of(dc, key);
      if (s == null) {
        continue;
      }
      PageStats d = new PageStats();
      if (s.sketch(day) != null) {
        d.sketches.put(day, s.sketch(day));
      }
      if (s.folded(day) != null) {
        d.uniques.put(day, s.folded(day));
      }
      out.put(dc, d);
    }
    return out;
  }

  /** Bot hits of {@code key} in every datacenter. */
  long bots(String key) {
    long n = 0;
    for (String dc : dcs.keySet()) {
      PageStats s = of(dc, key);
      n += s == null ? 0 : s.bots();
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
   * the union of every datacenter's sketches of that day instead of the sketch; keys of
   * {@code gone} prefixes are left out.
   */
  List<RangeStats> collect(String dc, int ranges, java.util.function.LongToIntFunction rangeOf, StatsRetention r, GonePrefixes.Pass gone) {
    List<RangeStats.Builder> builders = new ArrayList<>(ranges);
    ByteArena arena = new ByteArena(); // the fold's copy: a million pages' stats in chunks, not a million arrays
    for (int i = 0; i < ranges; i++) {
      builders.add(new RangeStats.Builder(arena));
    }
    Cols c = dcs.get(dc);
    if (c == null) {
      return builders.stream().map(RangeStats.Builder::done).toList();
    }
    int n = Math.max(c.base.capacity(), c.pending.capacity());
    for (int slot = 0; slot < n && slot < pages.size(); slot++) {
      if (!c.base.has(slot) && !c.pending.has(slot)) {
        continue;
      }
      int i = rangeOf.applyAsInt(pages.hash(slot));
      if (i >= 0 && !gone.slot(pages, slot)) {
        String key = pages.page(slot);
        byte[] kept = kept(key, of(dc, key), r);
        if (kept != null) {
          builders.get(i).page(slot, kept);
        }
      }
    }
    java.util.Set<String> sites = new java.util.HashSet<>(c.siteBase.keySet());
    sites.addAll(c.sitePending.keySet());
    for (String key : sites) {
      int i = rangeOf.applyAsInt(PageHash.of(key));
      if (i >= 0 && !gone.siteKey(key)) {
        byte[] kept = kept(key, of(dc, key), r);
        if (kept != null) {
          builders.get(i).sites.put(key, kept);
        }
      }
    }
    return builders.stream().map(RangeStats.Builder::done).toList();
  }

  /** Calls {@code hash} with the hash of each key of {@code dc} with base stats (the snapshot's) whose prefix {@code gone} says is gone; returns how many. */
  int gone(String dc, GonePrefixes.Pass gone, LongConsumer hash) {
    Cols c = dcs.get(dc);
    if (c == null) {
      return 0;
    }
    int found = 0;
    int n = Math.min(pages.size(), c.base.capacity());
    for (int slot = 0; slot < n; slot++) {
      if (c.base.has(slot) && gone.slot(pages, slot)) {
        hash.accept(pages.hash(slot));
        found++;
      }
    }
    for (String key : c.siteBase.keySet()) {
      if (gone.siteKey(key)) {
        hash.accept(PageHash.of(key));
        found++;
      }
    }
    return found;
  }

  /** The stats of {@code key} as a fold keeps them (pruned to the retention), or null when nothing is left. */
  private byte[] kept(String key, PageStats s, StatsRetention r) {
    s.prune(r.today(), r.nowMinute(), r.days(), r.hours(), day -> {
      try {
        return united(key, day);
      } catch (RuntimeException e) {
        return 0; // a sketch that will not unite: the day keeps no estimate rather than stop every fold
      }
    });
    return s.isEmpty() ? null : s.toBytesFor(key);
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
      b += c.base.bytes() + c.base.arena().bytes() + c.pending.bytes() + c.pending.arena().bytes();
      if (c.staged != null) {
        b += c.staged.bytes();
      }
      for (Map<String, byte[]> m : List.of(c.siteBase, c.sitePending)) {
        for (byte[] x : m.values()) {
          b += x.length + 96;
        }
      }
    }
    return b;
  }
}
