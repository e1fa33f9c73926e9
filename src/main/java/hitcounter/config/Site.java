package hitcounter.config;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * A site that may count hits: its name and generation (a site deleted and created again starts
 * a new one), the origins allowed to count for it (empty: any), the pattern its page ids must
 * match (null: any page id), its cap of distinct pages (0: none), and its rate limits (a rate of
 * 0: none). A deleted site stays as a tombstone, so its generation is never used again.
 */
public record Site(
    String name,
    long generation,
    boolean deleted,
    Set<String> origins,
    Pattern pattern,
    long maxPages,
    Limit perClient,
    Limit perSite) {

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

  public boolean allowsPage(String page) {
    return pattern == null || pattern.matcher(page).matches();
  }
}
