package hitcounter.page;

import java.util.Optional;

/**
 * What a hit is counted under: a page of a site, at the site's generation. A page is a page id
 * ({@link PageId}) or a URL path ({@link PathNormaliser}: it starts with {@code /}, which no page
 * id does). The default site keeps bare pages (what was counted before sites existed); a page of
 * any other site is {@code <site>~<generation>:<page>}. A page of the default site is a page id
 * (no colon) or starts with a slash, so none can pass for a page of another site. Deleting a site and creating it again
 * starts a new generation: the old one's pages are never shown again.
 */
public record PageKey(String site, long generation, String page) {
  public static final String DEFAULT_SITE = "default";
  public static final int MAX_SITE_LENGTH = 40;
  /** Bytes of UTF-8 a counted id may have: a site's prefix ({@code site~generation:}) and a path of 1,025 bytes. */
  public static final int MAX_KEY_BYTES = 1100;

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
    if (key.startsWith("/")) {
      return isPath(key) ? Optional.of(ofDefault(key)) : Optional.empty();
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
    if (gen < 1 || siteProblem(site).isPresent() || site.equals(DEFAULT_SITE) || !isPage(page)) {
      return Optional.empty();
    }
    return Optional.of(new PageKey(site, gen, page));
  }

  /** Whether {@code key} is a counted id (a page, or a page of a site at a generation). */
  public static boolean isValid(String key) {
    return key != null && (key.indexOf(':') < 0 && !key.startsWith("/") ? PageId.isValid(key) : parse(key).isPresent());
  }

  /** Whether {@code page} is a page: a page id or a normalised URL path. */
  public static boolean isPage(String page) {
    return page != null && (page.startsWith("/") ? isPath(page) : PageId.isValid(page));
  }

  /**
   * Whether {@code page} is a URL path as {@link PathNormaliser} makes them: {@code /}, then at
   * most {@value PathNormaliser#MAX_BYTES} bytes of UTF-8 without control characters.
   */
  public static boolean isPath(String page) {
    if (page == null || page.isEmpty() || page.charAt(0) != '/' || page.length() > PathNormaliser.MAX_BYTES + 1 || PathNormaliser.hasControl(page)
        || page.indexOf('\uFFFD') >= 0) {
      return false;
    }
    return utf8Length(page) <= PathNormaliser.MAX_BYTES + 1;
  }

  /** Bytes of {@code s} in UTF-8. */
  public static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Whether the counted id {@code key} names a page of a site other than the default. */
  public static boolean isSited(String key) {
    return !key.startsWith("/") && key.indexOf(':') >= 0;
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
