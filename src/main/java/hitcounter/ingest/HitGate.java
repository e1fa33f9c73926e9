package hitcounter.ingest;

import hitcounter.config.Site;
import hitcounter.config.Sites;
import hitcounter.page.PageId;
import hitcounter.page.PageKey;
import hitcounter.page.PathNormaliser;
import hitcounter.page.PathRules;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Who may count: every hit passes here before it is queued. In order: the page id is well
 * formed (400), the site is known and live (403 {@code unknown-site}), the page matches the
 * site's pattern (403 {@code page-pattern}), the {@code Origin} (or, without one, the
 * {@code Referer}) when sent is one of the site's origins (403 {@code origin}), the client and
 * the site are within their rate limits (429 with Retry-After), and a new page fits under the
 * site's cap (403 {@code page-cap}). A refused hit touches nothing and is counted in
 * {@code hitcounter_hits_refused_total{site, reason}} (site "unknown" for names not defined).
 */
public final class HitGate {
  /** The outcome of the checks. */
  public sealed interface Verdict permits Pass, Refuse {}

  /** Count it under {@code key}; a path's query may have named its {@code campaign}. */
  public record Pass(PageKey key, Site site, PathNormaliser.Campaign campaign) implements Verdict {
    public Pass(PageKey key, Site site) {
      this(key, site, PathNormaliser.Campaign.NONE);
    }
  }

  /** Refused: the status, the error code and reason of the JSON body, and Retry-After (429 only). */
  public record Refuse(int status, String error, String reason, String detail, long retryAfterSeconds) implements Verdict {}

  private final Supplier<Sites> sites;
  private final RateLimits limits;
  private final PageCaps caps;
  private final MeterRegistry registry;
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> skipped = new ConcurrentHashMap<>();
  private final Counter takenHuman;
  private final Counter takenBot;

  public HitGate(Supplier<Sites> sites, RateLimits limits, PageCaps caps, MeterRegistry registry) {
    this.sites = sites;
    this.limits = limits;
    this.caps = caps;
    this.registry = registry;
    this.takenHuman = Counter.builder("hitcounter.hits.taken").description("hits passed to the queue, by who took them (bots counted apart)").tag("kind", "human").register(registry);
    this.takenBot = Counter.builder("hitcounter.hits.taken").description("hits passed to the queue, by who took them (bots counted apart)").tag("kind", "bot").register(registry);
  }

  /**
   * Checks a hit of {@code page} on {@code siteName} (the default site when null) from
   * {@code client}, with the request's {@code Origin} and {@code Referer} headers when sent.
   */
  public Verdict check(String siteName, String page, Optional<String> origin, Optional<String> referer, String client) {
    return check(siteName, page, origin, referer, client, false);
  }

  /** As above; a {@code bot}'s hit takes no room under the cap (it never makes a page: {@link HitLines}). */
  public Verdict check(String siteName, String page, Optional<String> origin, Optional<String> referer, String client, boolean bot) {
    Optional<String> badPage = PageId.problem(page);
    if (badPage.isPresent()) {
      return new Refuse(400, "bad-page-id", "bad-page-id", badPage.get(), 0);
    }
    String name = siteName == null ? PageKey.DEFAULT_SITE : siteName;
    return admit(name, live(name), page, origin, referer, client, bot, PathNormaliser.Campaign.NONE);
  }

  /**
   * Checks a hit of URL path {@code rawPath} (as the browser has it) on {@code siteName}: the
   * path is made a page by the site's rules ({@link PathNormaliser}; 400 {@code bad-path} when it
   * cannot be), then checked as a page id is. A site with {@code pathsAsIds} counts
   * {@code /my-post} as page id {@code my-post}.
   */
  public Verdict checkPath(String siteName, String rawPath, Optional<String> origin, Optional<String> referer, String client, boolean bot) {
    String name = siteName == null ? PageKey.DEFAULT_SITE : siteName;
    Optional<Site> found = live(name);
    PathRules rules = found.map(Site::paths).orElse(PathRules.DEFAULT);
    PathNormaliser.Outcome outcome = PathNormaliser.normalise(rawPath, rules);
    if (outcome instanceof PathNormaliser.Refused r) {
      return new Refuse(400, "bad-path", "bad-path", r.reason(), 0);
    }
    PathNormaliser.Page p = (PathNormaliser.Page) outcome;
    return admit(name, found, rules.pageOf(p.path()), origin, referer, client, bot, p.campaign());
  }

  private Optional<Site> live(String name) {
    return PageKey.siteProblem(name).isPresent() ? Optional.empty() : sites.get().live(name);
  }

  private Verdict admit(String name, Optional<Site> found, String page, Optional<String> origin, Optional<String> referer, String client, boolean bot,
      PathNormaliser.Campaign campaign) {
    if (found.isEmpty()) {
      return refuse("unknown", 403, "unknown-site", "no site called " + clip(name) + " counts here", 0);
    }
    Site site = found.get();
    if (!site.allowsPage(page)) {
      return refuse(site.name(), 403, "page-pattern", "page " + clip(page) + " does not match the " + (page.startsWith("/") ? "pathPattern" : "pattern") + " of site " + site.name(), 0);
    }
    Optional<String> from = origin.filter(o -> !o.isEmpty() && !o.equals("null")).or(() -> referer.flatMap(HitGate::originOf));
    if (from.isPresent() && !site.allowsOrigin(from.get())) {
      return refuse(site.name(), 403, "origin", clip(from.get()) + " may not count for site " + site.name(), 0);
    }
    if (from.isEmpty() && site.requireOrigin()) {
      return refuse(site.name(), 403, "origin", "site " + site.name() + " counts only hits that say where they come from (Origin or Referer)", 0);
    }
    Optional<RateLimits.Over> over = limits.take(site, client);
    if (over.isPresent()) {
      return refuse(site.name(), 429, "rate-" + over.get().limit(),
          (over.get().limit().equals("client") ? "this client sends" : "site " + site.name() + " gets") + " more hits than its limit; retry after "
              + over.get().retryAfterSeconds() + " s",
          over.get().retryAfterSeconds());
    }
    PageKey key = site.name().equals(PageKey.DEFAULT_SITE) ? PageKey.ofDefault(page) : new PageKey(site.name(), site.generation(), page);
    if (!bot && !caps.admits(site, key)) {
      return refuse(site.name(), 403, "page-cap", "site " + site.name() + " has reached its cap of " + site.maxPages() + " pages; existing pages still count", 0);
    }
    return new Pass(key, site, campaign);
  }

  /** A hit passed on to the queue, by who took it: {@code hitcounter_hits_taken_total{kind="human"|"bot"}}. */
  public void taken(boolean bot) {
    (bot ? takenBot : takenHuman).increment();
  }

  /** A request that is not a visit, answered without counting: {@code hitcounter_hits_skipped_total{reason}}. */
  public void skipped(String reason) {
    skipped.computeIfAbsent(reason, r -> Counter.builder("hitcounter.hits.skipped")
        .description("Requests to count a hit that were not visits (prefetch, preview), answered without counting")
        .tag("reason", r).register(registry)).increment();
  }

  /** Hits refused here, for tests and the dashboard: by site and reason. */
  public long refusedCount(String site, String reason) {
    Counter c = refused.get(site + "\t" + reason);
    return c == null ? 0 : (long) c.count();
  }

  private Refuse refuse(String site, int status, String reason, String detail, long retryAfter) {
    refused.computeIfAbsent(site + "\t" + reason, k -> Counter.builder("hitcounter.hits.refused")
        .description("Hits refused before queueing, by site and reason")
        .tag("site", site).tag("reason", reason).register(registry)).increment();
    String error = status == 429 ? "rate-limited" : "forbidden";
    return new Refuse(status, error, reason, detail, retryAfter);
  }

  /** scheme://host[:port] of a Referer, or empty when it is not an absolute http(s) URL. */
  static Optional<String> originOf(String referer) {
    try {
      URI u = URI.create(referer);
      if (u.getScheme() == null || u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
        return Optional.of(clip(referer));
      }
      return Optional.of(u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : ""));
    } catch (IllegalArgumentException e) {
      return Optional.of(clip(referer));
    }
  }

  private static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
