package hitcounter.page;

import java.util.Optional;

/**
 * What a hit is counted under: a page of a site, at the site's generation. The default site
 * keeps bare page ids (what was counted before sites existed); a page of any other site is
 * {@code <site>~<generation>:<page>}. A colon is never part of a page id, so no page of the
 * default site can pass for a page of another site. Deleting a site and creating it again
 * starts a new generation: the old one's pages are never shown again.
 */
public record PageKey(String site, long generation, String page) {
  public static final String DEFAULT_SITE = "default";
  public static final int MAX_SITE_LENGTH = 40;

  /** The key of {@code page} of the default site. */
  public static PageKey ofDefault(String page) {
    return new PageKey(DEFAULT_SITE, 0, page);
  }

  public boolean isDefaultSite() {
    return site.equals(DEFAULT_SITE);
  }

  /** The counted id: the page id itself for the default site, {@code site~gen:page} otherwise. */
  public String key() {
    return isDefaultSite() ? page : sitePrefix(site, generation) + page;
  }

  /** What every counted id of {@code site} at {@code generation} starts with ("" for the default site). */
  public static String sitePrefix(String site, long generation) {
    return site.equals(DEFAULT_SITE) ? "" : site + "~" + generation + ":";
  }

  /** The site and page of a counted id, or empty when it is not one. */
  public static Optional<PageKey> parse(String key) {
    if (key == null) {
      return Optional.empty();
    }
    int colon = key.indexOf(':');
    if (colon < 0) {
      return PageId.isValid(key) ? Optional.of(ofDefault(key)) : Optional.empty();
    }
    int tilde = key.lastIndexOf('~', colon);
    if (tilde <= 0) {
      return Optional.empty();
    }
    String site = key.substring(0, tilde);
    String page = key.substring(colon + 1);
    long gen;
    try {
      gen = Long.parseLong(key.substring(tilde + 1, colon));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (gen < 1 || siteProblem(site).isPresent() || site.equals(DEFAULT_SITE) || !PageId.isValid(page)) {
      return Optional.empty();
    }
    return Optional.of(new PageKey(site, gen, page));
  }

  /** Whether {@code key} is a counted id (a page id, or a page of a site at a generation). */
  public static boolean isValid(String key) {
    return key != null && (key.indexOf(':') < 0 ? PageId.isValid(key) : parse(key).isPresent());
  }

  /** Why {@code site} is not a site name ({@code [a-z0-9-]}, 1-40, starting with a letter or digit), or empty. */
  public static Optional<String> siteProblem(String site) {
    if (site == null || site.isEmpty() || site.length() > MAX_SITE_LENGTH) {
      return Optional.of("a site name has 1 to " + MAX_SITE_LENGTH + " characters");
    }
    for (int i = 0; i < site.length(); i++) {
      char c = site.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
      if (!ok) {
        return Optional.of("a site name may only hold a-z 0-9 - (not first)");
      }
    }
    return Optional.empty();
  }
}
