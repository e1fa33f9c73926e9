package hitcounter.ingest;

import hitcounter.config.Site;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The host a visit was referred from: the host of an http(s) referrer, lower case, without a
 * leading {@code www.}; none when the referrer is not such a URL, or is the site itself (the
 * host of the request's Origin or Referer, or of one of the site's origins): a click inside the
 * site is not a referral.
 */
final class ReferrerHost {
  private ReferrerHost() {}

  static String of(Optional<String> referrer, Site site, Optional<String> origin, Optional<String> requestReferer) {
    String host = host(referrer.orElse(null));
    if (host == null) {
      return null;
    }
    if (host.equals(host(origin.orElse(null))) || host.equals(host(requestReferer.orElse(null)))) {
      return null;
    }
    for (String o : site.origins()) {
      if (host.equals(host(o))) {
        return null;
      }
    }
    return host;
  }

  /** The host of an http(s) URL, lower case and without {@code www.}, or null. */
  static String host(String url) {
    if (url == null || url.isEmpty() || url.length() > 2048) {
      return null;
    }
    try {
      URI u = URI.create(url.strip());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      String h = u.getHost();
      if (!(scheme.equals("http") || scheme.equals("https")) || h == null || h.isEmpty()) {
        return null;
      }
      h = h.toLowerCase(Locale.ROOT);
      return h.startsWith("www.") ? h.substring(4) : h;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
