package hitcounter.store;

import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;

/**
 * The analytics of one page (or of a whole site, under {@link #siteKey}) in one datacenter:
 * hits and bot hits per time bucket (day for pages; minute, hour and day for sites), bot hits
 * in all, and the day's unique visitors as an HLL sketch (HLL_4, lgK {@value #LG_K}: 1.15%
 * relative standard error, at most ~4.1 KB, a few bytes per visitor while small). Days past
 * yesterday keep only their united estimate (decision 0011). Counters only grow; two stats
 * merge by sum (a journal entry into a base) or, across datacenters, by sketch union.
 * Not thread-safe: owned by the count table under its lock, or by one builder.
 */
public final class PageStats {
  public static final int LG_K = 13;
  public static final int DAY = 0;
  public static final int HOUR = 1;
  public static final int MINUTE = 2;
  private static final String SITE = "~site/";

  long bots;
  /** {@link #bucket} → {hits, bots}. */
  final TreeMap<Long, long[]> buckets = new TreeMap<>();
  /** Epoch day → HLL sketch, compact form. */
  final TreeMap<Integer, byte[]> sketches = new TreeMap<>();
  /** Epoch day → unique visitors united across datacenters when the day was folded. */
  final TreeMap<Integer, Long> uniques = new TreeMap<>();
  /** Epoch day → where the day's visits came from (a site's stats only; {@link Referrals}). */
  final TreeMap<Integer, Referrals> referrals = new TreeMap<>();

  /** The key of a site's stats: its counted-id prefix ({@code ""} for the default site). Never a page id. */
  public static String siteKey(String sitePrefix) {
    return SITE + sitePrefix;
  }

  public static boolean isSiteKey(String key) {
    return key.startsWith(SITE);
  }

  public static long bucket(int step, long index) {
    return ((long) step << 48) | index;
  }

  public static int stepOf(long bucket) {
    return (int) (bucket >>> 48);
  }

  public static long indexOf(long bucket) {
    return bucket & ((1L << 48) - 1);
  }

  public long bots() {
    return bots;
  }

  /** {hits, bots} of one bucket (zeros when empty). */
  public long[] at(int step, long index) {
    long[] v = buckets.get(bucket(step, index));
    return v == null ? new long[2] : v.clone();
  }

  public Map<Long, long[]> buckets() {
    return java.util.Collections.unmodifiableMap(buckets);
  }

  public byte[] sketch(int day) {
    return sketches.get(day);
  }

  public Long folded(int day) {
    return uniques.get(day);
  }

  public boolean isEmpty() {
    return bots == 0 && buckets.isEmpty() && sketches.isEmpty() && uniques.isEmpty() && referrals.isEmpty();
  }

  /** Where {@code day}'s visits came from (null: nothing known). */
  public Referrals referrals(int day) {
    return referrals.get(day);
  }

  public Map<Integer, Referrals> referrals() {
    return java.util.Collections.unmodifiableMap(referrals);
  }

  public PageStats copy() {
    PageStats c = new PageStats();
    c.bots = bots;
    buckets.forEach((k, v) -> c.buckets.put(k, v.clone()));
    c.sketches.putAll(sketches);
    c.uniques.putAll(uniques);
    referrals.forEach((d, r) -> c.referrals.put(d, r.copy()));
    return c;
  }

  /** Adds {@code o} into this: buckets and bots summed, sketches united, folded estimates the larger. */
  public void add(PageStats o) {
    bots += o.bots;
    o.buckets.forEach((k, v) -> {
      long[] mine = buckets.computeIfAbsent(k, x -> new long[2]);
      mine[0] += v[0];
      mine[1] += v[1];
    });
    o.sketches.forEach((day, s) -> sketches.merge(day, s, PageStats::union));
    o.uniques.forEach((day, n) -> uniques.merge(day, n, Math::max));
    o.referrals.forEach((day, r) -> referrals.computeIfAbsent(day, x -> new Referrals()).add(r));
  }

  public void count(int step, long index, boolean bot) {
    long[] v = buckets.computeIfAbsent(bucket(step, index), x -> new long[2]);
    v[bot ? 1 : 0]++;
  }

  /** The union of two compact sketches, compact. */
  public static byte[] union(byte[] a, byte[] b) {
    Union u = new Union(LG_K);
    u.update(HllSketch.heapify(a));
    u.update(HllSketch.heapify(b));
    return u.getResult(TgtHllType.HLL_4).toCompactByteArray();
  }

  public static long estimate(byte[] sketch) {
    return Math.round(HllSketch.heapify(sketch).getEstimate());
  }

  /**
   * Drops what is older than the retention (minutes: 24 h before {@code nowMinute}), replaces
   * sketches before yesterday by {@code united} estimates, and keeps as bots those of the days
   * kept (so a key bots alone ever hit goes when its days do).
   */
  void prune(int today, long nowMinute, int days, int hours, java.util.function.IntToLongFunction united) {
    long dayFrom = today - days + 1L;
    long hourFrom = nowMinute / 60 - hours + 1L;
    long minuteFrom = nowMinute - 1439L;
    buckets.keySet().removeIf(k -> {
      long i = indexOf(k);
      return switch (stepOf(k)) {
        case DAY -> i < dayFrom;
        case HOUR -> i < hourFrom;
        default -> i < minuteFrom;
      };
    });
    for (Integer day : sketches.keySet().toArray(new Integer[0])) {
      if (day < today - 1) {
        if (day >= dayFrom) {
          uniques.merge(day, united.applyAsLong(day), Math::max);
        }
        sketches.remove(day);
      }
    }
    uniques.keySet().removeIf(d -> d < dayFrom);
    referrals.keySet().removeIf(d -> d < dayFrom);
    long kept = 0;
    for (var e : buckets.entrySet()) {
      if (stepOf(e.getKey()) == DAY) {
        kept += e.getValue()[1];
      }
    }
    bots = kept;
  }

  /** {@code s} with a folded estimate of {@code estimate} for each day {@code from}..{@code to} (tools: what old days cost). */
  public static PageStats withFolded(PageStats s, int from, int to, long estimate) {
    PageStats out = s.copy();
    for (int d = from; d <= to; d++) {
      out.uniques.put(d, estimate);
    }
    return out;
  }

  /** Bytes this holds, about. */
  public long bytes() {
    long b = 64 + buckets.size() * 64L + uniques.size() * 48L;
    for (byte[] s : sketches.values()) {
      b += s.length + 48;
    }
    for (Referrals r : referrals.values()) {
      b += r.bytes();
    }
    return b;
  }

  /** Builds the stats of a batch of hits (one journal entry): sketches are kept open until {@link #done}. */
  public static final class Builder {
    private final PageStats stats = new PageStats();
    private final TreeMap<Integer, HllSketch> open = new TreeMap<>();

    public void bot(int step, long index) {
      stats.count(step, index, true);
    }

    public void human(int step, long index) {
      stats.count(step, index, false);
    }

    public void bots(long n) {
      stats.bots += n;
    }

    /** A visit of {@code day} referred by {@code r} (a site's stats). */
    public void referral(int day, hitcounter.page.Referral r) {
      if (r.isEmpty()) {
        return;
      }
      Referrals d = stats.referrals.computeIfAbsent(day, x -> new Referrals());
      d.count(0, r.host());
      d.count(1, r.source());
      d.count(2, r.medium());
      d.count(3, r.campaign());
    }

    public void visitor(int day, long visitor) {
      open.computeIfAbsent(day, d -> new HllSketch(LG_K, TgtHllType.HLL_4)).update(visitor);
    }

    public PageStats done() {
      open.forEach((day, s) -> stats.sketches.put(day, s.toCompactByteArray()));
      open.clear();
      return stats;
    }
  }

  // ---- binary form, inside a counts value (CountsCodec), and alone in memory (Insights) ----

  /** This, encoded alone (what the count table keeps per page: tens of bytes, not objects). */
  public byte[] toBytes() {
    return toBytes(false);
  }

  /**
   * This, encoded alone; {@code site}: a site's stats, which end with their referrals (one
   * byte when there are none). That is the form a count table keeps, and the form of a
   * counts value of format 3 ({@link CountsCodec}); a value of format 2 has none.
   */
  public byte[] toBytes(boolean site) {
    CountsCodec.Sink out = new CountsCodec.Sink(32 + 16 * buckets.size());
    write(out, site);
    return out.toByteArray();
  }

  /** The encoded form of the stats of {@code key} (a site's with its referrals). */
  public byte[] toBytesFor(String key) {
    return toBytes(isSiteKey(key));
  }

  /** Stats of a page from their encoded form ({@link #toBytes}; as a decoded value holds them, {@link CountsCodec.Decoded#stats}). */
  public static PageStats decode(byte[] b) {
    return read(new CountsCodec.Source(b), false, false);
  }

  /** Stats of {@code key} from the encoded form a count table keeps ({@link #toBytesFor}). */
  public static PageStats decodeFor(String key, byte[] b) {
    return read(new CountsCodec.Source(b), false, isSiteKey(key));
  }

  /** {@code a} + {@code b}, both encoded stats of {@code key} (either may be null). */
  static byte[] sum(String key, byte[] a, byte[] b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    PageStats s = decodeFor(key, a);
    s.add(decodeFor(key, b));
    return s.toBytesFor(key);
  }

  void write(CountsCodec.Sink out) {
    write(out, false);
  }

  void write(CountsCodec.Sink out, boolean site) {
    out.varint(bots);
    out.varint(buckets.size());
    long previous = 0;
    for (var e : buckets.entrySet()) {
      out.varint(e.getKey() - previous);
      out.varint(e.getValue()[0]);
      out.varint(e.getValue()[1]);
      previous = e.getKey();
    }
    out.varint(sketches.size());
    for (var e : sketches.entrySet()) {
      out.varint(e.getKey());
      out.varint(e.getValue().length);
      out.write(e.getValue(), 0, e.getValue().length);
    }
    out.varint(uniques.size());
    for (var e : uniques.entrySet()) {
      out.varint(e.getKey());
      out.varint(e.getValue());
    }
    if (site) {
      out.varint(referrals.size());
      for (var e : referrals.entrySet()) {
        out.varint(e.getKey());
        e.getValue().write(out);
      }
    }
  }

  /** Stats read from a value; {@code site}: with referrals ({@link #toBytes(boolean)}). */
  static PageStats read(CountsCodec.Source in, boolean site) {
    return read(in, true, site);
  }

  /** {@code validate}: a value from Consul (sketches checked here); false for this node's own encodings. */
  private static PageStats read(CountsCodec.Source in, boolean validate, boolean site) {
    PageStats s = new PageStats();
    s.bots = in.count(Long.MAX_VALUE);
    long n = in.count(1 << 17);
    long key = 0;
    for (long i = 0; i < n; i++) {
      key += in.count(Long.MAX_VALUE);
      if (stepOf(key) > MINUTE) {
        throw new CountsCodec.BadValue("bad bucket");
      }
      s.buckets.put(key, new long[] {in.count(Long.MAX_VALUE), in.count(Long.MAX_VALUE)});
    }
    n = in.count(64);
    for (long i = 0; i < n; i++) {
      int day = (int) in.count(Integer.MAX_VALUE);
      byte[] b = in.bytes((int) in.count(64 * 1024));
      if (validate) {
        try {
          HllSketch.heapify(b); // refuse a damaged sketch here, not when a reader unites it
        } catch (RuntimeException e) {
          throw new CountsCodec.BadValue("bad sketch: " + e.getMessage());
        }
      }
      s.sketches.put(day, b);
    }
    n = in.count(1 << 16);
    for (long i = 0; i < n; i++) {
      s.uniques.put((int) in.count(Integer.MAX_VALUE), in.count(Long.MAX_VALUE));
    }
    if (site) {
      n = in.count(1 << 12);
      for (long i = 0; i < n; i++) {
        s.referrals.put((int) in.count(Integer.MAX_VALUE), Referrals.read(in));
      }
    }
    return s;
  }
}
