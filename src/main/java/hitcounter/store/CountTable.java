package hitcounter.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;

/**
 * Every page's count per datacenter as this node knows them, in memory and compact: a page
 * dictionary (id → slot) and, per datacenter, two arrays over the slots: {@code base} (from the
 * datacenter's snapshot shards) and {@code pending} (from its journal entries not yet folded).
 * A page's count in a datacenter is base + pending. Written by one actor (the store view);
 * read by any thread: single pages and scans take a read lock, so a reader never sees a half
 * applied fold.
 */
public final class CountTable {
  private final StampedLock lock = new StampedLock();
  private final ConcurrentHashMap<String, Integer> slots = new ConcurrentHashMap<>();
  private String[] pages = new String[1024];
  private long[] hashes = new long[1024];
  private int size;
  private final Map<String, Column> columns = new ConcurrentHashMap<>();

  private static final class Column {
    long[] base;
    long[] pending;
    long[] staged;

    Column(int capacity) {
      base = new long[capacity];
      pending = new long[capacity];
      staged = new long[capacity];
    }

    long at(int slot) {
      return slot < base.length ? base[slot] + pending[slot] : 0;
    }
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
  public long addEntry(String dc, byte[] entry, java.util.function.LongConsumer touched) {
    TreeMap<String, Long> increments = CountsCodec.decode(CountsCodec.ENTRY, entry);
    long stamp = lock.writeLock();
    try {
      Column c = column(dc);
      long hits = 0;
      for (var e : increments.entrySet()) {
        int slot = slotFor(e.getKey());
        ensure(c);
        c.pending[slot] += e.getValue();
        hits += e.getValue();
        touched.accept(hashes[slot]);
      }
      return hits;
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
    TreeMap<String, Long> counts = CountsCodec.decode(CountsCodec.SHARD, shard);
    long stamp = lock.writeLock();
    try {
      Column c = column(dc);
      for (var e : counts.entrySet()) {
        int slot = slotFor(e.getKey());
        ensure(c);
        c.staged[slot] = e.getValue();
      }
      return counts.size();
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Installs a snapshot of {@code dc} staged by {@link #stageShard}: pages whose hash lies in one
   * of the {@code replaced} ranges take their staged count as base; every pending count is
   * dropped, then {@code entries} (the journal entries after the snapshot, decoded) are added
   * again. Atomic for readers. Returns the hash of every page the entries touched.
   */
  public void commitSnapshot(String dc, List<long[]> replaced, List<Map<String, Long>> entries, java.util.function.LongConsumer touched) {
    long stamp = lock.writeLock();
    try {
      Column c = column(dc);
      ensure(c);
      for (int slot = 0; slot < size; slot++) {
        long h = hashes[slot];
        for (long[] r : replaced) {
          if (inRange(h, r[0], r[1])) {
            c.base[slot] = c.staged[slot];
            break;
          }
        }
        c.staged[slot] = 0;
      }
      Arrays.fill(c.pending, 0);
      for (Map<String, Long> entry : entries) {
        for (var e : entry.entrySet()) {
          int slot = slotFor(e.getKey());
          ensure(c);
          c.pending[slot] += e.getValue();
          touched.accept(hashes[slot]);
        }
      }
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Drops whatever was staged for {@code dc} (before staging a new snapshot). */
  public void clearStaged(String dc) {
    long stamp = lock.writeLock();
    try {
      Column c = columns.get(dc);
      if (c != null) {
        Arrays.fill(c.staged, 0);
      }
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Forgets every count of {@code dc} (before loading it again from scratch). */
  public void clear(String dc) {
    long stamp = lock.writeLock();
    try {
      columns.remove(dc);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Hash range [lo, hi) in unsigned order; hi == 0 means up to the end. */
  public static boolean inRange(long h, long lo, long hi) {
    return Long.compareUnsigned(h, lo) >= 0 && (hi == 0 || Long.compareUnsigned(h, hi) < 0);
  }

  /** The pages of one hash range with their counts, as {@link #collect} gathers them (unsorted). */
  public record Collected(long lo, long hi, List<String> pages, List<Long> counts) {}

  /**
   * For a fold: in one pass, the pages of {@code dc} with a non-zero count (base + pending) whose
   * hash lies in one of {@code ranges} (sorted by lo, disjoint; hi 0 = to the end), per range.
   */
  public List<Collected> collect(String dc, List<long[]> ranges) {
    List<Collected> out = new ArrayList<>(ranges.size());
    for (long[] r : ranges) {
      out.add(new Collected(r[0], r[1], new ArrayList<>(), new ArrayList<>()));
    }
    long stamp = lock.readLock();
    try {
      Column c = columns.get(dc);
      if (c == null || ranges.isEmpty()) {
        return out;
      }
      for (int slot = 0; slot < size; slot++) {
        long n = c.at(slot);
        if (n == 0) {
          continue;
        }
        long h = hashes[slot];
        int lo = 0;
        int hi = ranges.size() - 1;
        while (lo < hi) {
          int mid = (lo + hi + 1) >>> 1;
          if (Long.compareUnsigned(ranges.get(mid)[0], h) <= 0) {
            lo = mid;
          } else {
            hi = mid - 1;
          }
        }
        long[] r = ranges.get(lo);
        if (inRange(h, r[0], r[1])) {
          out.get(lo).pages().add(pages[slot]);
          out.get(lo).counts().add(n);
        }
      }
      return out;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private Column column(String dc) {
    return columns.computeIfAbsent(dc, d -> new Column(pages.length));
  }

  private int slotFor(String page) {
    Integer slot = slots.get(page);
    if (slot != null) {
      return slot;
    }
    if (size == pages.length) {
      int capacity = pages.length * 2;
      pages = Arrays.copyOf(pages, capacity);
      hashes = Arrays.copyOf(hashes, capacity);
    }
    pages[size] = page;
    hashes[size] = PageHash.of(page);
    slots.put(page, size);
    return size++;
  }

  private void ensure(Column c) {
    if (c.base.length < pages.length) {
      c.base = Arrays.copyOf(c.base, pages.length);
      c.pending = Arrays.copyOf(c.pending, pages.length);
      c.staged = Arrays.copyOf(c.staged, pages.length);
    }
  }

  // ---- reader side (any thread) ----

  /** The counts of one page by datacenter: every known datacenter, 0 where it has none. */
  public Map<String, Long> countsOf(String page) {
    Map<String, Long> out = new TreeMap<>();
    long stamp = lock.readLock();
    try {
      Integer slot = slots.get(page);
      for (var e : columns.entrySet()) {
        out.put(e.getKey(), slot == null ? 0 : e.getValue().at(slot));
      }
    } finally {
      lock.unlockRead(stamp);
    }
    return out;
  }

  public Set<String> datacenters() {
    return new TreeSet<>(columns.keySet());
  }

  /** Pages known (with a count in some datacenter, or once had one). */
  public int size() {
    return size;
  }

  /** Sum of every page's count, per datacenter. */
  public Map<String, Long> sums() {
    Map<String, Long> out = new TreeMap<>();
    long stamp = lock.readLock();
    try {
      for (var e : columns.entrySet()) {
        long s = 0;
        for (int slot = 0; slot < size; slot++) {
          s += e.getValue().at(slot);
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
   * One pass over the table, O(pages · log limit).
   */
  public List<Row> top(String prefix, int limit, Cursor after) {
    long stamp = lock.readLock();
    try {
      List<Map.Entry<String, Column>> cols = new ArrayList<>(columns.entrySet());
      long[] totals = new long[0];
      PriorityQueue<long[]> heap = new PriorityQueue<>(limit + 1, (a, b) -> worse(a, b));
      for (int slot = 0; slot < size; slot++) {
        String page = pages[slot];
        if (!prefix.isEmpty() && !page.startsWith(prefix)) {
          continue;
        }
        long t = 0;
        for (var c : cols) {
          t += c.getValue().at(slot);
        }
        if (t == 0) {
          continue;
        }
        if (after != null && !(t < after.total() || (t == after.total() && page.compareTo(after.page()) > 0))) {
          continue;
        }
        heap.add(new long[] {t, slot});
        if (heap.size() > limit) {
          heap.poll();
        }
      }
      List<Row> out = new ArrayList<>(heap.size());
      while (!heap.isEmpty()) {
        long[] x = heap.poll();
        int slot = (int) x[1];
        Map<String, Long> byDc = new TreeMap<>();
        for (var c : cols) {
          byDc.put(c.getKey(), c.getValue().at(slot));
        }
        out.add(new Row(pages[slot], byDc, x[0]));
      }
      Collections.reverse(out);
      return out;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Ordering for the heap: the "worst" row (lowest total, then highest id) first. */
  private int worse(long[] a, long[] b) {
    int c = Long.compare(a[0], b[0]);
    return c != 0 ? c : pages[(int) b[1]].compareTo(pages[(int) a[1]]);
  }

  /** Where a ranking page ended: the last row's total and id. */
  public record Cursor(long total, String page) {}

  /** How many pages have a non-zero total and start with {@code prefix}. */
  public int count(String prefix) {
    long stamp = lock.readLock();
    try {
      List<Column> cols = new ArrayList<>(columns.values());
      int n = 0;
      for (int slot = 0; slot < size; slot++) {
        if (!prefix.isEmpty() && !pages[slot].startsWith(prefix)) {
          continue;
        }
        for (Column c : cols) {
          if (c.at(slot) != 0) {
            n++;
            break;
          }
        }
      }
      return n;
    } finally {
      lock.unlockRead(stamp);
    }
  }
}
