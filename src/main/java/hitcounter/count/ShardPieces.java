package hitcounter.count;

import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.Manifest;
import hitcounter.store.PageHash;
import hitcounter.store.StoreKeys;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fold's rewritten ranges encoded as shards: adjacent small ranges merged into one shard (the
 * shards a delete emptied do not stay at their high-water count), a range over the budget
 * halved by hash until every piece fits. Pure: the folder writes what it returns.
 */
final class ShardPieces {
  private ShardPieces() {}

  /** Encodes {@code ranges} (in hash order) into {@code written} (key → value) and {@code out} (their manifest entries). */
  static void encode(List<hitcounter.store.Collected> ranges, int budget, String dc, String version, Map<String, byte[]> written, List<Manifest.Shard> out) {
    ShardGroup group = null;
    for (hitcounter.store.Collected c : ranges) {
      TreeMap<String, Long> counts = c.byPage(); // one range's names at a time (and those of a group of small ones)
      Map<String, byte[]> stats = c.stats();
      byte[] encoded = CountsCodec.encodeEncoded(CountsCodec.SHARD, counts, stats);
      if (group != null && group.takes(c.lo(), encoded.length, budget)) {
        group.add(c.hi(), counts, stats, encoded.length);
        continue;
      }
      if (group != null) {
        group.write(budget, dc, version, written, out);
      }
      group = new ShardGroup(c.lo(), c.hi(), counts, stats, encoded);
    }
    if (group != null) {
      group.write(budget, dc, version, written, out);
    }
  }

  /**
   * Adjacent rewritten ranges encoded as one shard: a range joins the group before it when both
   * encode to at most a quarter of the budget and together to at most half (so the merged shard
   * never needs splitting, and is not small enough to pull a neighbour again).
   */
  private static final class ShardGroup {
    private final long lo;
    private long hi;
    private final TreeMap<String, Long> counts;
    private final Map<String, byte[]> stats;
    private byte[] encoded;
    private long bytes;

    ShardGroup(long lo, long hi, TreeMap<String, Long> counts, Map<String, byte[]> stats, byte[] encoded) {
      this.lo = lo;
      this.hi = hi;
      this.counts = counts;
      this.stats = new TreeMap<>(stats);
      this.encoded = encoded;
      this.bytes = encoded.length;
    }

    boolean takes(long nextLo, int nextBytes, int budget) {
      return hi != 0 && hi == nextLo && bytes <= budget / 4 && nextBytes <= budget / 4 && bytes + nextBytes <= budget / 2;
    }

    void add(long nextHi, TreeMap<String, Long> moreCounts, Map<String, byte[]> moreStats, int nextBytes) {
      hi = nextHi;
      counts.putAll(moreCounts);
      stats.putAll(moreStats);
      bytes += nextBytes;
      encoded = null; // encoded again as one
    }

    void write(int budget, String dc, String version, Map<String, byte[]> written, List<Manifest.Shard> out) {
      split(lo, hi, counts, stats, encoded, budget, dc, version, written, out);
    }
  }

  /** Encodes [lo, hi) as one shard ({@code value}: already encoded, or null), or halves the range until every piece fits the budget. */
  private static void split(long lo, long hi, TreeMap<String, Long> counts, Map<String, byte[]> stats, byte[] encoded, int budget, String dc, String version,
      Map<String, byte[]> written, List<Manifest.Shard> out) {
    byte[] value = encoded != null ? encoded : CountsCodec.encodeEncoded(CountsCodec.SHARD, counts, stats);
    long width = hi - lo; // unsigned; 0 means the whole space
    java.util.Set<String> keys = new java.util.HashSet<>(counts.keySet());
    keys.addAll(stats.keySet());
    if (value.length <= budget || keys.size() <= 1 || (width != 0 && Long.compareUnsigned(width, 2) < 0)) {
      String key = StoreKeys.shard(dc, version, written.size());
      written.put(key, value);
      out.add(new Manifest.Shard(lo, key, value.length, counts.size()));
      return;
    }
    long mid = width == 0 ? lo + Long.MIN_VALUE : lo + Long.divideUnsigned(width, 2);
    TreeMap<String, Long> low = new TreeMap<>();
    TreeMap<String, Long> high = new TreeMap<>();
    counts.forEach((page, n) -> (CountTable.inRange(PageHash.of(page), lo, mid) ? low : high).put(page, n));
    Map<String, byte[]> lowStats = new TreeMap<>();
    Map<String, byte[]> highStats = new TreeMap<>();
    stats.forEach((key, st) -> (CountTable.inRange(PageHash.of(key), lo, mid) ? lowStats : highStats).put(key, st));
    split(lo, mid, low, lowStats, null, budget, dc, version, written, out);
    split(mid, hi, high, highStats, null, budget, dc, version, written, out);
  }
}
