package hitcounter.config;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * A site that may count hits: its name and generation (a site deleted and created again starts
 * a new one), the origins allowed to count for it (empty: any), the pattern its page ids must
 * match (null: any page id), its cap of distinct pages (0: none), its rate limits (a rate of
 * 0: none), and how its URL paths are made into pages ({@link PathRules}; its own pattern for
 * paths, so a pattern written for page ids keeps its meaning). A deleted site stays as a
 * tombstone, so its generation is never used again.
 */
public record Site(
    String name,
    long generation,
    boolean deleted,
    Set<String> origins,
    Pattern pattern,
    long maxPages,
    Limit perClient,
    Limit perSite,
    boolean requireOrigin,
    hitcounter.page.PathRules paths) {

  public Site(String name, long generation, boolean deleted, Set<String> origins, Pattern pattern, long maxPages, Limit perClient, Limit perSite,
      boolean requireOrigin) {
    this(name, generation, deleted, origins, pattern, maxPages, perClient, perSite, requireOrigin, hitcounter.page.PathRules.DEFAULT);
  }

  /** Steps a pattern may take on one page id: an admin's pattern that backtracks without end refuses the hit instead of taking a thread. */
  static final int PATTERN_BUDGET = 20_000;

  /** A token bucket: {@code rate} tokens a second, at most {@code burst} at once; rate 0 is no limit. */
  public record Limit(double rate, long burst) {
    public static final Limit NONE = new Limit(0, 0);

    public boolean limits() {
      return rate > 0;
    }
  }

  public boolean allowsOrigin(String origin) {
    return origins.isEmpty() || origins.contains(origin);
  }

  /** Whether {@code page} (a page id, or a normalised path: matched by the path pattern) may count here. */
  public boolean allowsPage(String page) {
    Pattern p = page.startsWith("/") ? paths.pattern() : pattern;
    if (p == null) {
      return true;
    }
    try {
      return p.matcher(new Budgeted(page, PATTERN_BUDGET)).matches();
    } catch (Budgeted.Exhausted e) {
      return false;
    }
  }

  /** A string that counts the characters a matcher reads, and stops it past a budget. */
  private static final class Budgeted implements CharSequence {
    static final class Exhausted extends RuntimeException {
      Exhausted() {
        super("pattern budget exhausted", null, false, false);
      }
    }

    private final String s;
    private final int[] left;

    Budgeted(String s, int budget) {
      this(s, new int[] {budget});
    }

    private Budgeted(String s, int[] left) {
      this.s = s;
      this.left = left;
    }

    @Override
    public char charAt(int i) {
      if (--left[0] < 0) {
        throw new Exhausted();
      }
      return s.charAt(i);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int from, int to) {
      return new Budgeted(s.substring(from, to), left);
    }

    @Override
    public String toString() {
      return s;
    }
  }
}
