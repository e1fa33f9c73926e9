package hitcounter.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

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
  final PageDictionary pages = new PageDictionary();
  final Map<String, CountColumn> columns = new ConcurrentHashMap<>();
  final Baselines baselines = new Baselines();
  private final TableListings listings = new TableListings(this);
  /** Analytics per key and datacenter, under the same lock. */
  private final Insights insights = new Insights(pages);
  private final TableTotals totals = new TableTotals();
  private final UniquesCache uniques = new UniquesCache();
  private volatile Supplier<StatsRetention> retention = () -> StatsRetention.now(90, 90 * 24);

  /** What folds keep of analytics (the distributed settings say). */
  public void retention(Supplier<StatsRetention> retention) {
    this.retention = retention;
  }

  /** The name of {@code slot} (slots are never reused: a page keeps its slot for good). */
  private String nameOf(int slot) {
    return read(() -> pages.page(slot));
  }

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
      CountColumn c = column(dc);
      addPending(c, decoded, touched);
      insights.addEntry(dc, decoded.stats(), touched, key -> slotFor(key));
      return decoded.hits();
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Starts staging a snapshot of {@code dc} (what an earlier, unfinished one staged is dropped). */
  public void clearStaged(String dc) {
    long stamp = write();
    try {
      CountColumn c = column(dc);
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
      CountColumn c = column(dc);
      if (c.staged == null) {
        c.staged = new long[c.base.length];
      }
      for (var e : counts.entrySet()) {
        int slot = slotFor(e.getKey()); // first: a new slot may grow (replace) the arrays
        c.staged[slot] = e.getValue();
      }
      insights.stage(dc, decoded.stats(), key -> slotFor(key));
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
    HashRanges ranges = new HashRanges(replaced);
    long stamp = write();
    try {
      CountColumn c = column(dc);
      long[] staged = c.staged == null ? new long[c.base.length] : c.staged;
      int n = pages.size();
      for (int slot = 0; slot < n; slot++) {
        if (ranges.holds(pages.hash(slot))) {
          c.base[slot] = slot < staged.length ? staged[slot] : 0;
        }
      }
      c.staged = null;
      Arrays.fill(c.pending, 0);
      for (CountsCodec.Decoded entry : entries) {
        addPending(c, entry, touched);
      }
      insights.commit(dc, ranges::holds, entries.stream().map(CountsCodec.Decoded::stats).toList(), touched, key -> slotFor(key));
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private void addPending(CountColumn c, CountsCodec.Decoded entry, LongConsumer touched) {
    for (var e : entry.counts().entrySet()) {
      int slot = slotFor(e.getKey());
      c.pending[slot] += e.getValue();
      touched.accept(pages.hash(slot));
    }
  }

  /**
   * Sets what resets took away from {@code page} in each datacenter (the merged reset record's
   * baselines: raised by resets, lowered after a rollback). Pages not known yet get a slot, so
   * hits copied later are masked too.
   */
  public void setBaselines(String page, Map<String, Long> byDatacenter) {
    long stamp = write();
    try {
      int slot = pages.slotFor(page);
      for (var e : byDatacenter.entrySet()) {
        baselines.set(e.getKey(), slot, e.getValue(), Math.max(1024, pages.size()));
      }
      grow(slot + 1);
    } finally {
      lock.unlockWrite(stamp);
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
    return HashRanges.inRange(h, lo, hi);
  }

  /**
   * For a fold: in one pass, the pages of {@code dc} with a non-zero count (base + pending) whose
   * hash lies in one of {@code ranges} (disjoint; hi 0 = to the end), per range, in lo order.
   */
  public List<Collected> collect(String dc, List<long[]> ranges) {
    HashRanges sorted = new HashRanges(ranges);
    List<Collected> out = new ArrayList<>(ranges.size());
    if (ranges.isEmpty()) {
      return out;
    }
    List<SlotCounts> found = new ArrayList<>();
    sorted.ranges().forEach(r -> found.add(new SlotCounts()));
    List<Insights.RangeStats> stats;
    long stamp = lock.readLock();
    try {
      stats = insights.collect(dc, ranges.size(), sorted::indexOf, retention.get());
      CountColumn c = columns.get(dc);
      int n = c == null ? 0 : pages.size();
      for (int slot = 0; slot < n; slot++) {
        long count = c.at(slot);
        int r = count == 0 ? -1 : sorted.indexOf(pages.hash(slot));
        if (r >= 0) {
          found.get(r).add(slot, count);
        }
      }
    } finally {
      lock.unlockRead(stamp);
    }
    for (int i = 0; i < found.size(); i++) {
      long[] r = sorted.ranges().get(i);
      Insights.RangeStats st = stats.get(i);
      out.add(new Collected(r[0], r[1], found.get(i).slots(), found.get(i).counts(), st.slots(), st.bytes(), st.sites(), this::nameOf));
    }
    return out;
  }

  private CountColumn column(String dc) {
    return columns.computeIfAbsent(dc, d -> new CountColumn(Math.max(1024, pages.size())));
  }

  private int slotFor(String page) {
    int slot = pages.slotFor(page);
    grow(slot + 1);
    return slot;
  }

  /** Every column grows with the dictionary (doubling), so every slot has a cell everywhere. */
  private void grow(int needed) {
    baselines.grow(needed);
    for (CountColumn c : columns.values()) {
      c.grow(needed);
    }
  }

  private long write() {
    long stamp = lock.writeLock();
    totals.changed();
    return stamp;
  }

  // ---- reader side (any thread) ----

  /** Whether {@code page} has a slot (it was counted, copied or reset somewhere). */
  public boolean knows(String page) {
    return read(() -> pages.find(page) >= 0);
  }

  /** The counts of one page by datacenter, as shown (less any reset): every known datacenter, 0 where it has none. */
  public Map<String, Long> countsOf(String page) {
    return counts(page, true);
  }

  /** The counts of one page by datacenter as counted, before any reset (what a reset records as its baselines). */
  public Map<String, Long> rawCountsOf(String page) {
    return counts(page, false);
  }

  private Map<String, Long> counts(String page, boolean asShown) {
    return read(() -> {
      Map<String, Long> out = new TreeMap<>();
      int slot = pages.find(page);
      for (var e : columns.entrySet()) {
        long raw = slot < 0 ? 0 : e.getValue().at(slot);
        out.put(e.getKey(), asShown && slot >= 0 ? baselines.shown(e.getKey(), slot, raw) : raw);
      }
      return out;
    });
  }

  /** The total of one page over every datacenter, as shown (0 when unknown); no map made (the hit route asks it per hit). */
  public long totalOf(String page) {
    return read(() -> {
      int slot = pages.find(page);
      long t = 0;
      for (var e : slot < 0 ? java.util.List.<Map.Entry<String, CountColumn>>of() : columns.entrySet()) {
        t += baselines.shown(e.getKey(), slot, e.getValue().at(slot));
      }
      return t;
    });
  }

  public Set<String> datacenters() {
    return new TreeSet<>(columns.keySet());
  }

  /** Pages with a count in {@code dc}. */
  public int pagesIn(String dc) {
    return read(() -> {
      CountColumn c = columns.get(dc);
      int n = 0;
      for (int slot = 0; c != null && slot < pages.size(); slot++) {
        n += c.at(slot) != 0 ? 1 : 0;
      }
      return n;
    });
  }

  /** Pages known (with a count in some datacenter, or once had one). */
  public int size() {
    return read(pages::size);
  }

  /** Bytes of the arrays behind the table (the dictionary and every column). */
  public long bytes() {
    return read(() -> pages.bytes() + insights.bytes() + columns.values().stream().mapToLong(c -> 16L * c.base.length).sum());
  }

  /** The analytics of {@code key} (a counted id or a site's {@link PageStats#siteKey}) in each datacenter that has any (copies). */
  public Map<String, PageStats> stats(String key) {
    return read(() -> insights.all(key));
  }

  /** Unique visitors of {@code key} on {@code day} (epoch day), across datacenters and per datacenter; cached per version of the table. */
  public StatsQuery.Uniques uniques(String key, int day) {
    return read(() -> uniques.get(key, day, totals.version(), () -> StatsQuery.uniques(insights.day(key, day), day)));
  }

  /** Bot hits of {@code key} in every datacenter (over the days kept). */
  public long bots(String key) {
    return read(() -> insights.bots(key));
  }

  /** The table's version: bumped by every write. Read without the lock (a request never waits for a long write to learn it). */
  public long version() {
    return totals.version();
  }

  /** Listings over the whole table: rankings, matching pages, sums. */
  public TableListings listings() {
    return listings;
  }

  long[] totalsNow() {
    return totals.of(pages.size(), new ArrayList<>(columns.entrySet()), baselines);
  }

  <T> T read(Supplier<T> f) {
    long stamp = lock.readLock();
    try {
      return f.get();
    } finally {
      lock.unlockRead(stamp);
    }
  }
}
