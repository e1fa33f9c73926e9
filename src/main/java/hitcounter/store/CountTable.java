package hitcounter.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongConsumer;

/**
 * Every page's count per datacenter as this node knows them, in memory and compact: a page
 * dictionary (id → slot, {@link PageDictionary}) and, per datacenter, two arrays over the
 * slots: {@code base} (from the datacenter's snapshot shards) and {@code pending} (from its
 * journal entries not yet folded). A page's count in a datacenter is base + pending. Written by
 * one actor (the count view); read by any thread under a read lock, so a reader never sees a
 * half-applied fold. A few large arrays, not objects per page: a million pages cost the
 * garbage collector nothing to trace.
 */
public final class CountTable {
  private final StampedLock lock = new StampedLock();
  private final PageDictionary pages = new PageDictionary();
  private final Map<String, Column> columns = new ConcurrentHashMap<>();
  /**
   * Per datacenter, what resets took away from each page (decision 0010): a page shows
   * max(0, count - baseline) there. Kept apart from the columns: a fold writes the counts
   * themselves, never what is shown.
   */
  private final Map<String, long[]> baselines = new ConcurrentHashMap<>();
  /** Analytics per key and datacenter, under the same lock. */
  private final Insights insights = new Insights(pages);
  private volatile java.util.function.Supplier<StatsRetention> retention = () -> StatsRetention.now(90, 90 * 24);

  /** What folds keep of analytics (the distributed settings say). */
  public void retention(java.util.function.Supplier<StatsRetention> retention) {
    this.retention = retention;
  }

  private static final class Column {
    long[] base;
    long[] pending;
    /** A snapshot being installed (null otherwise). */
    long[] staged;

    Column(int capacity) {
      base = new long[capacity];
      pending = new long[capacity];
    }

    long at(int slot) {
      return slot < base.length ? base[slot] + pending[slot] : 0;
    }
  }

  /** What a reader sees of {@code slot} in column {@code dc}: its count less its baseline, never below 0. */
  private long shown(String dc, Column c, int slot) {
    long[] b = baselines.get(dc);
    long raw = c.at(slot);
    return b == null || slot >= b.length ? raw : Math.max(0, raw - b[slot]);
  }

  /** One page's counts, by datacenter (datacenters with 0 included). */
  public record Row(String page, Map<String, Long> byDatacenter, long total) {}

  // ---- writer side (one actor) ----

  /**
   * Decodes a journal entry and adds its increments to {@code dc}'s pending counts, calling
   * {@code touched} with each page's hash; returns the hits it holds.
   *
   * @throws CountsCodec.BadValue when the value is not an entry (nothing is added then)
   */
  public long addEntry(String dc, byte[] entry, LongConsumer touched) {
    CountsCodec.Decoded decoded = CountsCodec.decodeAll(CountsCodec.ENTRY, entry);
    long stamp = write();
    try {
      Column c = column(dc);
      for (var e : decoded.counts().entrySet()) {
        int slot = slotFor(e.getKey(), c);
        c.pending[slot] += e.getValue();
        touched.accept(pages.hash(slot));
      }
      insights.addEntry(dc, decoded.stats(), touched, key -> slotFor(key, c));
      return decoded.hits();
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Starts staging a snapshot of {@code dc} (what an earlier, unfinished one staged is dropped). */
  public void clearStaged(String dc) {
    long stamp = write();
    try {
      Column c = column(dc);
      c.staged = new long[c.base.length];
      insights.clearStaged(dc);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Decodes a snapshot shard of {@code dc} into its staging area (readers do not see it until
   * {@link #commitSnapshot}); returns the pages it holds.
   *
   * @throws CountsCodec.BadValue when the value is not a shard
   */
  public int stageShard(String dc, byte[] shard) {
    CountsCodec.Decoded decoded = CountsCodec.decodeAll(CountsCodec.SHARD, shard);
    TreeMap<String, Long> counts = decoded.counts();
    long stamp = write();
    try {
      Column c = column(dc);
      if (c.staged == null) {
        c.staged = new long[c.base.length];
      }
      for (var e : counts.entrySet()) {
        int slot = slotFor(e.getKey(), c);
        c.staged[slot] = e.getValue();
      }
      insights.stage(dc, decoded.stats(), key -> slotFor(key, c));
      return counts.size();
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Installs a snapshot of {@code dc} staged by {@link #stageShard}: pages whose hash lies in one
   * of the {@code replaced} ranges (disjoint) take their staged count as base; every pending
   * count is dropped, then {@code entries} (the journal entries after the snapshot, decoded) are
   * added again. Atomic for readers.
   */
  public void commitSnapshot(String dc, List<long[]> replaced, List<CountsCodec.Decoded> entries, LongConsumer touched) {
    List<long[]> ranges = new ArrayList<>(replaced);
    ranges.sort((x, y) -> Long.compareUnsigned(x[0], y[0]));
    long[] los = new long[ranges.size()];
    for (int i = 0; i < los.length; i++) {
      los[i] = ranges.get(i)[0];
    }
    long stamp = write();
    try {
      Column c = column(dc);
      long[] staged = c.staged == null ? new long[c.base.length] : c.staged;
      int n = pages.size();
      for (int slot = 0; slot < n; slot++) {
        int r = floor(los, pages.hash(slot));
        if (r >= 0 && inRange(pages.hash(slot), ranges.get(r)[0], ranges.get(r)[1])) {
          c.base[slot] = slot < staged.length ? staged[slot] : 0;
        }
      }
      c.staged = null;
      Arrays.fill(c.pending, 0);
      for (CountsCodec.Decoded entry : entries) {
        for (var e : entry.counts().entrySet()) {
          int slot = slotFor(e.getKey(), c);
          c.pending[slot] += e.getValue();
          touched.accept(pages.hash(slot));
        }
      }
      insights.commit(dc, h -> {
        int r = floor(los, h);
        return r >= 0 && inRange(h, ranges.get(r)[0], ranges.get(r)[1]);
      }, entries.stream().map(CountsCodec.Decoded::stats).toList(), touched, key -> slotFor(key, c));
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** The index of the last lo (unsigned) at or below {@code h}, or -1. */
  private static int floor(long[] los, long h) {
    int lo = 0;
    int hi = los.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(los[mid], h) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Sets what resets took away from {@code page} in each datacenter (only ever raised: a
   * baseline is the largest count a reset saw). Pages not known yet get a slot, so hits copied
   * later are masked too.
   */
  public void raiseBaselines(String page, Map<String, Long> byDatacenter) {
    long stamp = write();
    try {
      int slot = pages.slotFor(page);
      int capacity = Math.max(1024, pages.size());
      for (var e : byDatacenter.entrySet()) {
        long[] b = baselines.computeIfAbsent(e.getKey(), d -> new long[Math.max(capacity, slot + 1)]);
        if (b.length <= slot) {
          b = Arrays.copyOf(b, Math.max(slot + 1, b.length * 2));
          baselines.put(e.getKey(), b);
        }
        b[slot] = Math.max(b[slot], e.getValue());
      }
      grow(slot + 1);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Whether {@code page} has a slot (it was counted, copied or reset somewhere). */
  public boolean knows(String page) {
    long stamp = lock.readLock();
    try {
      return pages.find(page) >= 0;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Pages with a non-zero total, per site prefix (what a counted id holds before its colon,
   * {@code ""} for the default site), in one pass over the table.
   */
  public Map<String, Integer> pagesBySite() {
    long stamp = lock.readLock();
    try {
      long[] totals = totals(new ArrayList<>(columns.entrySet()));
      Map<String, int[]> counts = new java.util.HashMap<>();
      Map<Long, String> names = new java.util.HashMap<>();
      for (int slot = 0; slot < totals.length; slot++) {
        if (totals[slot] == 0) {
          continue;
        }
        long h = pages.sited(slot) ? pages.siteHash(slot) : 0;
        String name = names.get(h);
        if (name == null) {
          name = pages.sitePrefix(slot);
          names.put(h, name);
        }
        counts.computeIfAbsent(name, k -> new int[1])[0]++;
      }
      Map<String, Integer> out = new TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v[0]));
      return out;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Forgets every count of {@code dc}. */
  public void clear(String dc) {
    long stamp = write();
    try {
      columns.remove(dc);
      insights.clear(dc);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Hash range [lo, hi) in unsigned order; hi == 0 means up to the end. */
  public static boolean inRange(long h, long lo, long hi) {
    return Long.compareUnsigned(h, lo) >= 0 && (hi == 0 || Long.compareUnsigned(h, hi) < 0);
  }

  /** The pages of one hash range with their counts, as {@link #collect} gathers them (unsorted), and the analytics of the range's keys. */
  public record Collected(long lo, long hi, List<String> pages, List<Long> counts, Map<String, byte[]> stats) {
    public Collected(long lo, long hi, List<String> pages, List<Long> counts) {
      this(lo, hi, pages, counts, new java.util.HashMap<>());
    }
  }

  /**
   * For a fold: in one pass, the pages of {@code dc} with a non-zero count (base + pending) whose
   * hash lies in one of {@code ranges} (sorted by lo, disjoint; hi 0 = to the end), per range.
   */
  public List<Collected> collect(String dc, List<long[]> ranges) {
    List<Collected> out = new ArrayList<>(ranges.size());
    for (long[] r : ranges) {
      out.add(new Collected(r[0], r[1], new ArrayList<>(), new ArrayList<>()));
    }
    long[] los = new long[ranges.size()];
    for (int i = 0; i < los.length; i++) {
      los[i] = ranges.get(i)[0];
    }
    long stamp = lock.readLock();
    try {
      if (ranges.isEmpty()) {
        return out;
      }
      List<Map<String, byte[]>> stats = insights.collect(dc, ranges.size(), h -> {
        int r = floor(los, h);
        return r >= 0 && inRange(h, ranges.get(r)[0], ranges.get(r)[1]) ? r : -1;
      }, retention.get());
      for (int i = 0; i < out.size(); i++) {
        out.get(i).stats().putAll(stats.get(i));
      }
      Column c = columns.get(dc);
      if (c == null) {
        return out;
      }
      int n = pages.size();
      for (int slot = 0; slot < n; slot++) {
        long count = c.at(slot);
        if (count == 0) {
          continue;
        }
        long h = pages.hash(slot);
        int r = floor(los, h);
        if (r >= 0 && inRange(h, ranges.get(r)[0], ranges.get(r)[1])) {
          out.get(r).pages().add(pages.page(slot));
          out.get(r).counts().add(count);
        }
      }
      return out;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private Column column(String dc) {
    return columns.computeIfAbsent(dc, d -> new Column(Math.max(1024, pages.size())));
  }

  private int slotFor(String page, Column c) {
    int slot = pages.slotFor(page);
    if (slot >= c.base.length) {
      grow(slot + 1);
    }
    return slot;
  }

  /** Every column grows with the dictionary (doubling), so every slot has a cell everywhere. */
  private void grow(int needed) {
    for (var e : baselines.entrySet()) {
      if (e.getValue().length < needed) {
        e.setValue(Arrays.copyOf(e.getValue(), Math.max(needed, e.getValue().length * 2)));
      }
    }
    for (Column c : columns.values()) {
      if (c.base.length < needed) {
        int capacity = Math.max(needed, c.base.length * 2);
        c.base = Arrays.copyOf(c.base, capacity);
        c.pending = Arrays.copyOf(c.pending, capacity);
        if (c.staged != null) {
          c.staged = Arrays.copyOf(c.staged, capacity);
        }
      }
    }
  }

  // ---- reader side (any thread) ----

  /** The counts of one page by datacenter, as shown (less any reset): every known datacenter, 0 where it has none. */
  public Map<String, Long> countsOf(String page) {
    return counts(page, true);
  }

  /** The counts of one page by datacenter as counted, before any reset (what a reset records as its baselines). */
  public Map<String, Long> rawCountsOf(String page) {
    return counts(page, false);
  }

  private Map<String, Long> counts(String page, boolean asShown) {
    Map<String, Long> out = new TreeMap<>();
    long stamp = lock.readLock();
    try {
      int slot = pages.find(page);
      for (var e : columns.entrySet()) {
        out.put(e.getKey(), slot < 0 ? 0 : asShown ? shown(e.getKey(), e.getValue(), slot) : e.getValue().at(slot));
      }
    } finally {
      lock.unlockRead(stamp);
    }
    return out;
  }

  /** The total of one page over every datacenter, as shown (0 when unknown). */
  public long totalOf(String page) {
    long stamp = lock.readLock();
    try {
      int slot = pages.find(page);
      if (slot < 0) {
        return 0;
      }
      long t = 0;
      for (var e : columns.entrySet()) {
        t += shown(e.getKey(), e.getValue(), slot);
      }
      return t;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  public Set<String> datacenters() {
    return new TreeSet<>(columns.keySet());
  }

  /** Pages known (with a count in some datacenter, or once had one). */
  public int size() {
    long stamp = lock.readLock();
    try {
      return pages.size();
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Bytes of the arrays behind the table (the dictionary and every column). */
  public long bytes() {
    long stamp = lock.readLock();
    try {
      long b = pages.bytes() + insights.bytes();
      for (Column c : columns.values()) {
        b += 16L * c.base.length;
      }
      return b;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** The analytics of {@code key} (a counted id or a site's {@link PageStats#siteKey}) in each datacenter that has any (copies). */
  public Map<String, PageStats> stats(String key) {
    long stamp = lock.readLock();
    try {
      return insights.all(key);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private record CachedUniques(long version, int day, StatsQuery.Uniques value) {}

  private final ConcurrentHashMap<String, CachedUniques> uniquesCache = new ConcurrentHashMap<>();

  /**
   * Unique visitors of {@code key} on {@code day} (epoch day), across datacenters and per
   * datacenter; cached per version of the table, so the answers of a hot page unite its
   * sketches once per change, not once per hit.
   */
  public StatsQuery.Uniques uniques(String key, int day) {
    long stamp = lock.readLock();
    try {
      CachedUniques c = uniquesCache.get(key);
      if (c != null && c.version() == version && c.day() == day) {
        return c.value();
      }
      StatsQuery.Uniques u = StatsQuery.uniques(insights.day(key, day), day);
      if (uniquesCache.size() >= 10_000) {
        uniquesCache.clear();
      }
      uniquesCache.put(key, new CachedUniques(version, day, u));
      return u;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Bot hits of {@code key} in every datacenter (over the days kept). */
  public long bots(String key) {
    long stamp = lock.readLock();
    try {
      return insights.bots(key);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Sum of every page's count, per datacenter. */
  public Map<String, Long> sums() {
    Map<String, Long> out = new TreeMap<>();
    long stamp = lock.readLock();
    try {
      int n = pages.size();
      for (var e : columns.entrySet()) {
        long s = 0;
        for (int slot = 0; slot < n; slot++) {
          s += shown(e.getKey(), e.getValue(), slot);
        }
        out.put(e.getKey(), s);
      }
    } finally {
      lock.unlockRead(stamp);
    }
    return out;
  }

  /**
   * A page of the ranking: pages whose id starts with {@code prefix}, by total descending then
   * id ascending, strictly after {@code after} (null: from the top), at most {@code limit}.
   * One pass over the table, O(pages · log limit), no object per page.
   */
  public List<Row> top(String prefix, int limit, Cursor after) {
    return top(prefix, false, limit, after);
  }

  /** As {@link #top(String, int, Cursor)}; {@code bareOnly}: only ids without a site (the default site's pages). */
  public List<Row> top(String prefix, boolean bareOnly, int limit, Cursor after) {
    long stamp = lock.readLock();
    try {
      List<Map.Entry<String, Column>> cols = new ArrayList<>(columns.entrySet());
      long[] totals = totals(cols);
      int n = totals.length;
      // The "worst" row (lowest total, then highest id) on top of the heap.
      Comparator<long[]> worse = (x, y) -> {
        int c = Long.compare(x[0], y[0]);
        return c != 0 ? c : pages.compare((int) y[1], (int) x[1]);
      };
      PriorityQueue<long[]> heap = new PriorityQueue<>(limit + 1, worse);
      long floor = 0; // once the heap is full: rows below its least total cannot enter
      for (int slot = 0; slot < n; slot++) {
        long t = totals[slot];
        if (t == 0 || t < floor) {
          continue;
        }
        if (after != null && (t > after.total() || (t == after.total() && pages.compare(slot, after.page()) <= 0))) {
          continue;
        }
        if (!prefix.isEmpty() && !pages.startsWith(slot, prefix)) {
          continue;
        }
        if (bareOnly && pages.sited(slot)) {
          continue;
        }
        if (heap.size() == limit) {
          long[] least = heap.peek();
          if (t == least[0] && pages.compare(slot, (int) least[1]) > 0) {
            continue;
          }
        }
        heap.add(new long[] {t, slot});
        if (heap.size() > limit) {
          heap.poll();
        }
        if (heap.size() == limit) {
          floor = heap.peek()[0];
        }
      }
      List<Row> out = new ArrayList<>(heap.size());
      while (!heap.isEmpty()) {
        long[] x = heap.poll();
        int slot = (int) x[1];
        Map<String, Long> byDc = new TreeMap<>();
        for (var c : cols) {
          byDc.put(c.getKey(), shown(c.getKey(), c.getValue(), slot));
        }
        out.add(new Row(pages.page(slot), byDc, x[0]));
      }
      Collections.reverse(out);
      return out;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Bumped by every write (under the write lock): the totals cached for readers belong to one version. */
  private volatile long version;

  /**
   * The table's version: bumped by every write, so what was read at one version holds while it
   * is unchanged. Read without the lock (a request never waits for a long write to learn it).
   */
  public long version() {
    return version;
  }

  private record Cached(long version, long[] totals) {}

  /** The totals of the last version read (a ranking, a count): a table at rest is not summed again per request. */
  private volatile Cached cached;

  private long write() {
    long stamp = lock.writeLock();
    version++;
    return stamp;
  }

  /**
   * Every slot's total over the datacenters, in tight loops over the arrays (caller holds the
   * lock), cached until the next write. Callers only read the array.
   */
  private long[] totals(List<Map.Entry<String, Column>> cols) {
    Cached c = cached;
    long v = version;
    if (c != null && c.version() == v) {
      return c.totals();
    }
    long[] t = sumColumns(cols);
    cached = new Cached(v, t);
    return t;
  }

  private long[] sumColumns(List<Map.Entry<String, Column>> cols) {
    int n = pages.size();
    long[] totals = new long[n];
    for (var e : cols) {
      long[] base = e.getValue().base;
      long[] pending = e.getValue().pending;
      long[] b = baselines.get(e.getKey());
      int m = Math.min(n, base.length);
      if (b == null) {
        for (int slot = 0; slot < m; slot++) {
          totals[slot] += base[slot] + pending[slot];
        }
      } else {
        for (int slot = 0; slot < m; slot++) {
          long raw = base[slot] + pending[slot];
          totals[slot] += slot < b.length ? Math.max(0, raw - b[slot]) : raw;
        }
      }
    }
    return totals;
  }

  /** Where a ranking page ended: the last row's total and id. */
  public record Cursor(long total, String page) {}

  /** How many pages have a non-zero total and start with {@code prefix}. */
  public int count(String prefix) {
    return count(prefix, false);
  }

  /** The sum of the totals of the pages that start with {@code prefix} ({@code bareOnly}: only ids without a site). */
  public long sum(String prefix, boolean bareOnly) {
    return matching(prefix, bareOnly)[1];
  }


  /** As {@link #count(String)}; {@code bareOnly}: only ids without a site. */
  public int count(String prefix, boolean bareOnly) {
    return (int) matching(prefix, bareOnly)[0];
  }

  /** {pages, sum of their totals} over the pages with a non-zero total that start with {@code prefix}. */
  private long[] matching(String prefix, boolean bareOnly) {
    long stamp = lock.readLock();
    try {
      long[] totals = totals(new ArrayList<>(columns.entrySet()));
      long count = 0;
      long sum = 0;
      for (int slot = 0; slot < totals.length; slot++) {
        if (totals[slot] != 0 && (prefix.isEmpty() || pages.startsWith(slot, prefix)) && (!bareOnly || !pages.sited(slot))) {
          count++;
          sum += totals[slot];
        }
      }
      return new long[] {count, sum};
    } finally {
      lock.unlockRead(stamp);
    }
  }

}
