package hitcounter.store;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which keys of the table belong to a site's generation that is gone for good (a deleted site's,
 * decision 0019): asked of each counted-id prefix ({@code site~generation:}) once, not of each
 * page. The default site's pages (no prefix) are never gone. Used under the table's lock.
 */
public final class GonePrefixes {
  /** Nothing is gone. */
  public static final GonePrefixes NONE = new GonePrefixes(p -> false);

  private final Predicate<String> gone;
  private final Map<String, Boolean> byPrefix = new HashMap<>();

  /** {@code gone}: whether the pages under a site prefix ({@code site~generation:}) are gone. */
  public GonePrefixes(Predicate<String> gone) {
    this.gone = gone;
  }

  /** A fresh cache over the same question (one per pass: what is gone can change between passes). */
  GonePrefixes fresh() {
    return this == NONE ? NONE : new GonePrefixes(gone);
  }

  boolean slot(PageDictionary pages, int slot) {
    return this != NONE && pages.sited(slot) && prefix(pages.sitePrefix(slot));
  }

  /** Whether a site's stats key ({@link PageStats#siteKey}) is of a gone prefix. */
  boolean siteKey(String key) {
    return this != NONE && PageStats.isSiteKey(key) && prefix(key.substring(PageStats.siteKey("").length()));
  }

  private boolean prefix(String prefix) {
    return !prefix.isEmpty() && byPrefix.computeIfAbsent(prefix, gone::test);
  }
}
