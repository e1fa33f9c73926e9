package hitcounter.store;

import java.util.ArrayList;
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
  /**
   * The column of imported counts (decision 0015): summed into every total and masked by resets
   * like a datacenter's, but not one ({@link #datacenters}, {@link #countsOf} leave it out).
   */
  public static final String IMPORTED = "~imported";

  private final StampedLock lock = new StampedLock();
  final PageDictionary pages = new PageDictionary();
  final Map<String, CountColumn> columns = new ConcurrentHashMap<>();
  final Baselines baselines = new Baselines();
  private final TableListings listings = new TableListings(this);
  /** Analytics per key and datacenter, under the same lock. */
  final Insights insights = new Insights(pages);
  private final TableTotals totals = new TableTotals();
  private final UniquesCache uniques = new UniquesCache();
  /** Imported counts being staged ({@link TableImports}), null otherwise. */
  ImportStaging importing;
  private final TableImports imports = new TableImports(this);
  private final ShardStaging shards = new ShardStaging(this);
  private volatile Supplier<StatsRetention> retention = () -> StatsRetention.now(90, 90 * 24);

  /** What folds keep of analytics (the distributed settings say). */
  public void retention(Supplier<StatsRetention> retention) {
    this.retention = retention;
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

  /** Starts staging a snapshot of {@code dc} (what an earlier, unfinished one staged is dropped; {@link ShardStaging}). */
  public void clearStaged(String dc) {
    shards.clear(dc);
  }

  /** Stages a snapshot shard of {@code dc}; returns the pages it holds ({@link ShardStaging#stage}). */
  public int stageShard(String dc, byte[] shard) {
    return shards.stage(dc, shard);
  }

  /** Installs the snapshot of {@code dc} staged, atomically for readers ({@link ShardStaging#commit}). */
  public void commitSnapshot(String dc, List<long[]> replaced, List<CountsCodec.Decoded> entries, LongConsumer touched) {
    shards.commit(dc, replaced, entries, touched);
  }

  void addPending(CountColumn c, CountsCodec.Decoded entry, LongConsumer touched) {
    for (var e : entry.counts().entrySet()) {
      int slot = slotFor(e.getKey());
      c.pending.add(slot, e.getValue());
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
    return collect(dc, ranges, GonePrefixes.NONE);
  }

  /** As {@link #collect(String, List)}, leaving out the pages and stats of {@code gone} prefixes. */
  public List<Collected> collect(String dc, List<long[]> ranges, GonePrefixes gone) {
    return FoldCollection.collect(this, insights, dc, ranges, retention.get(), gone);
  }

  /**
   * Calls {@code hash} with the hash of each key of {@code dc}'s snapshot (a page's base count or
   * stats, a site's base stats) whose prefix {@code gone} says is gone (where the shards that hold
   * them lie); returns how many. One pass over the table: for a fold after a generation died, not
   * for every fold.
   */
  public int goneIn(String dc, GonePrefixes.Pass gone, LongConsumer hash) {
    return FoldCollection.gone(this, insights, dc, gone, hash);
  }

  CountColumn column(String dc) {
    return columns.computeIfAbsent(dc, d -> new CountColumn(Math.max(1024, pages.size())));
  }

  int slotFor(String page) {
    int slot = pages.slotFor(page);
    grow(slot + 1);
    return slot;
  }

  /** Every column grows with the dictionary (doubling), so every slot has a cell everywhere. */
  private void grow(int needed) {
    baselines.grow(needed);
    if (importing != null) {
      importing.grow(needed);
    }
    for (CountColumn c : columns.values()) {
      c.grow(needed);
    }
  }

  long write() {
    long stamp = lock.writeLock();
    totals.changed();
    return stamp;
  }

  // ---- reader side (any thread) ----

  /** Whether {@code page} has a slot (it was counted, copied or reset somewhere). */
  public boolean knows(String page) {
    return read(() -> pages.find(page) >= 0);
  }

  /** The counts of one page by datacenter, as shown (less any reset): every known datacenter, 0 where it has none; imports apart ({@link #importedOf}). */
  public Map<String, Long> countsOf(String page) {
    Map<String, Long> out = counts(page, true);
    out.remove(IMPORTED);
    return out;
  }

  /** As {@link #countsOf}, in the same read the imported count under {@link #IMPORTED} (when there are imports). */
  public Map<String, Long> countsWithImportedOf(String page) {
    return counts(page, true);
  }

  /** What of one page's total was imported, as shown (less what resets took of it). */
  public long importedOf(String page) {
    return counts(page, true).getOrDefault(IMPORTED, 0L);
  }

  /**
   * The counts of one page by datacenter as counted, before any reset (what a reset records as
   * its baselines), with the imported count under {@link #IMPORTED} when there are imports.
   */
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

  /** The datacenters with counts here (the imported column is not one). */
  public Set<String> datacenters() {
    TreeSet<String> out = new TreeSet<>(columns.keySet());
    out.remove(IMPORTED);
    return out;
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
    return bytesByOwner().values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * {@link #bytes} by owner: the page dictionary (names and index), the analytics (arenas and
   * slot refs), the count columns (every datacenter's and the imported), the reset baselines
   * and the cached totals; where a node's memory goes at scale (docs/benchmarks.md).
   */
  public Map<String, Long> bytesByOwner() {
    return read(() -> {
      Map<String, Long> out = new java.util.LinkedHashMap<>();
      out.put("dictionary", pages.bytes());
      out.put("analytics", insights.bytes());
      out.put("counts", columns.values().stream().mapToLong(CountColumn::bytes).sum());
      out.put("baselines", baselines.bytes());
      out.put("totals", totals.bytes());
      return out;
    });
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

  /** Staging and showing imported counts (decision 0015). */
  public TableImports imports() {
    return imports;
  }

  void unlockWrite(long stamp) {
    lock.unlockWrite(stamp);
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
