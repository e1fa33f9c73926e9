package hitcounter.ingest;

import hitcounter.config.Site;
import hitcounter.config.Sites;
import hitcounter.page.PageId;
import hitcounter.page.PageKey;
import hitcounter.page.PathNormaliser;
import java.util.Optional;

/**
 * The page a reader names, for routes that show a count without counting: a URL path
 * ({@code path}, made a page by the site's rules as a hit of it is) or a page id ({@code page}),
 * of a site that exists (the default site when none is named; a deleted site's pages show 0).
 */
public final class PageLookup {
  /** The page found, or why not: an HTTP status, an error code and its reason. */
  public sealed interface Found permits Page, Problem {
    /** {@code inner} of the page found; the JSON error otherwise. */
    default org.apache.pekko.http.javadsl.server.Route answer(java.util.function.Function<PageKey, org.apache.pekko.http.javadsl.server.Route> inner) {
      return this instanceof Page p ? inner.apply(p.key())
          : hitcounter.infra.http.JsonReplies.error(org.apache.pekko.http.javadsl.model.StatusCodes.get(((Problem) this).status()), ((Problem) this).error(),
              ((Problem) this).reason());
    }
  }

  public record Page(PageKey key) implements Found {}

  public record Problem(int status, String error, String reason) implements Found {}

  private PageLookup() {}

  public static Found of(Sites sites, String siteName, Optional<String> path, Optional<String> page) {
    String name = siteName == null ? PageKey.DEFAULT_SITE : siteName;
    Site site = PageKey.siteProblem(name).isPresent() ? null : sites.all().get(name);
    if (site == null) {
      return new Problem(404, "unknown-site", "no site called " + name.substring(0, Math.min(name.length(), 40)));
    }
    String p;
    if (path.isPresent()) {
      PathNormaliser.Outcome o = PathNormaliser.normalise(path.get(), site.paths());
      if (o instanceof PathNormaliser.Refused r) {
        return new Problem(400, "bad-path", r.reason());
      }
      p = site.paths().pageOf(((PathNormaliser.Page) o).path());
    } else if (page.isPresent()) {
      Optional<String> bad = PageId.problem(page.get());
      if (bad.isPresent()) {
        return new Problem(400, "bad-page-id", bad.get());
      }
      p = page.get();
    } else {
      return new Problem(400, "bad-path", "name the page: ?path=/… (a URL path) or ?page=… (a page id)");
    }
    if (name.equals(PageKey.DEFAULT_SITE)) {
      return new Page(PageKey.ofDefault(p));
    }
    return new Page(new PageKey(name, site.deleted() ? 0 : site.generation(), p));
  }
}
