package hitcounter.tools;

import java.util.SplittableRandom;

/**
 * Page ids for load runs: {@code n} distinct ids of 20 to 60 characters that look like a site's
 * URLs (section, date, slug words, a number), a pure function of their index, so every load
 * generator and checker agrees. Distributions: one page, uniform, a walk (every id once, in a
 * shuffled order: each hit a new page), and Zipf (s = 1.0 by default).
 */
public final class PageIds {
  private static final String[] SECTIONS = {"news", "blog", "shop", "docs", "sport", "tech", "travel", "food", "music", "help"};
  private static final String[] WORDS = {
    "the", "best", "way", "to", "count", "page", "hits", "across", "data", "centers", "with", "exactly", "once", "and", "no",
    "loss", "guide", "review", "how", "why", "new", "old", "city", "river", "green", "blue", "fast", "slow", "big", "small",
    "winter", "summer", "recipe", "travel", "phone", "laptop", "shoes", "coffee", "garden", "story"};

  private PageIds() {}

  /** The i-th page id (0-based), 20 to 60 characters of [a-z0-9-]. */
  public static String id(long i) {
    long h = i * 0x9E3779B97F4A7C15L + 12345;
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
    SplittableRandom r = new SplittableRandom(h ^ (h >>> 33));
    int target = 20 + r.nextInt(41);
    StringBuilder b = new StringBuilder(64);
    b.append(SECTIONS[r.nextInt(SECTIONS.length)]).append('-').append(2020 + r.nextInt(7)).append('-');
    String tail = "-" + Long.toString(i, 36);
    while (b.length() + tail.length() < target) {
      b.append(WORDS[r.nextInt(WORDS.length)]).append('-');
    }
    b.setLength(Math.min(b.length(), Math.max(target - tail.length(), 1)));
    if (b.charAt(b.length() - 1) == '-') {
      b.setLength(b.length() - 1);
    }
    return b.append(tail).toString();
  }

  private static final String[] WIDE = {"café", "münchen", "straße", "niño", "東京", "привет", "ελλάδα", "crème-brûlée", "façade", "日本語"};

  /**
   * The i-th URL path (0-based), as a browser has it before percent-encoding: {@code /section/
   * year/month/slug-words-<i in base 36>}, half of them with a trailing slash; about 60 bytes
   * on average, one in ten with non-ASCII words, one in a hundred long (200 bytes to 1 KiB).
   * Distinct for distinct i once normalised (the index is in the last segment).
   */
  public static String path(long i) {
    long h = i * 0xC2B2AE3D27D4EB4FL + 777;
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    SplittableRandom r = new SplittableRandom(h ^ (h >>> 29));
    boolean wide = r.nextInt(10) == 0;
    int target = r.nextInt(100) == 0 ? 200 + r.nextInt(825) : 40 + r.nextInt(41);
    StringBuilder b = new StringBuilder(target + 16);
    b.append('/').append(SECTIONS[r.nextInt(SECTIONS.length)]).append('/').append(2020 + r.nextInt(7)).append('/').append(1 + r.nextInt(12)).append('/');
    String tail = "-" + Long.toString(i, 36);
    int bytes = b.length();
    while (bytes + tail.length() < target) {
      String w = wide && r.nextInt(3) == 0 ? WIDE[r.nextInt(WIDE.length)] : WORDS[r.nextInt(WORDS.length)];
      b.append(w).append('-');
      bytes += w.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
    }
    b.setLength(b.length() - 1);
    b.append(tail);
    if (r.nextBoolean()) {
      b.append('/');
    }
    String p = b.toString();
    while (p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1025 - tail.length() - 1) {
      p = p.substring(0, p.length() - tail.length() - 2) + tail;
    }
    return p;
  }

  /** Picks page indexes from a distribution. Not thread-safe: one per thread. */
  public interface Picker {
    long next();
  }

  public static Picker uniform(long n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return () -> r.nextLong(n);
  }

  /** Every index of [0, n) once, in a pseudo-random order (a bijection i → (a·i + c) mod n with a coprime to n); then again. */
  public static Picker walk(long n, long seed, long start, long step) {
    long a = coprime(n, 0x9E3779B97F4A7C15L ^ seed);
    long[] i = {start};
    return () -> {
      long x = Math.floorMod(a * (i[0] % n) + seed, n);
      i[0] += step;
      return x;
    };
  }

  private static long coprime(long n, long seed) {
    long a = Math.floorMod(seed, n - 1) + 1;
    while (gcd(a, n) != 1) {
      a++;
    }
    return a;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** Zipf over [0, n) with exponent s: index k has weight 1/(k+1)^s (inverse CDF by binary search). */
  public static Picker zipf(int n, double s, long seed) {
    double[] cdf = ZIPF_CACHE.computeIfAbsent(n + ":" + s, k -> {
      double[] c = new double[n];
      double sum = 0;
      for (int k2 = 0; k2 < n; k2++) {
        sum += 1.0 / Math.pow(k2 + 1, s);
        c[k2] = sum;
      }
      for (int k2 = 0; k2 < n; k2++) {
        c[k2] /= sum;
      }
      return c;
    });
    SplittableRandom r = new SplittableRandom(seed);
    return () -> {
      double u = r.nextDouble();
      int lo = 0;
      int hi = n - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cdf[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    };
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, double[]> ZIPF_CACHE = new java.util.concurrent.ConcurrentHashMap<>();
}
