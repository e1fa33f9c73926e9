package hitcounter.store;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which keys of the table belong to a site's generation that is gone for good (a deleted site's,
 * decision 0019): a generation is gone when it is dead and this node's sites do not show it. The
 * question is asked of each counted-id prefix ({@code site~generation:}) once per {@link #pass},
 * not of each page; the default site's pages (no prefix) are never gone. Immutable: what one
 * pass learns lives in its {@link Pass}.
 */
public final class GonePrefixes {
  /** Nothing is gone. */
  public static final GonePrefixes NONE = new GonePrefixes(p -> false, p -> false);

  private final Predicate<String> dead;
  private final Predicate<String> shown;

  /** {@code dead}, {@code shown}: whether the generation of a site prefix is dead, and shown by this node's sites. */
  public GonePrefixes(Predicate<String> dead, Predicate<String> shown) {
    this.dead = dead;
    this.shown = shown;
  }

  /** One pass over the table (under its lock, on one thread): its own cache of answers. */
  public Pass pass() {
    return new Pass();
  }

  /** One pass: answers per prefix, and whether a dead prefix was kept because the sites still show it. */
  public final class Pass {
    /** Site hash (the dictionary's, no String made) → the prefix and whether it is gone. */
    private final Map<Long, Object[]> bySiteHash = new HashMap<>();
    private final Map<String, Boolean> byPrefix = new HashMap<>();
    private boolean heldBack;

    private Pass() {}

    /** Whether the page of {@code slot} is gone. */
    boolean slot(PageDictionary pages, int slot) {
      if (GonePrefixes.this == NONE || !pages.sited(slot)) {
        return false;
      }
      long h = pages.siteHash(slot);
      Object[] known = bySiteHash.get(h);
      if (known != null && pages.startsWith(slot, (String) known[0])) {
        return (Boolean) known[1];
      }
      String prefix = pages.sitePrefix(slot);
      boolean gone = prefix(prefix);
      bySiteHash.put(h, new Object[] {prefix, gone});
      return gone;
    }

    /** Whether a site's stats key ({@link PageStats#siteKey}) is of a gone prefix. */
    boolean siteKey(String key) {
      return GonePrefixes.this != NONE && PageStats.isSiteKey(key) && prefix(key.substring(PageStats.siteKey("").length()));
    }

    /** Whether a dead prefix met in this pass was kept because this node's sites still show it (its config view behind). */
    public boolean heldBack() {
      return heldBack;
    }

    private boolean prefix(String prefix) {
      if (prefix.isEmpty()) {
        return false;
      }
      return byPrefix.computeIfAbsent(prefix, p -> {
        if (!dead.test(p)) {
          return false;
        }
        if (shown.test(p)) {
          heldBack = true;
          return false;
        }
        return true;
      });
    }
  }
}
