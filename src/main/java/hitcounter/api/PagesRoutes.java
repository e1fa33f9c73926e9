package hitcounter.api;

import hitcounter.infra.http.JsonReplies;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.health.Freshness;
import hitcounter.infra.Json;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.infra.http.ErrorReply;
import hitcounter.config.Site;
import hitcounter.config.Sites;
import hitcounter.page.PageId;
import hitcounter.page.PageKey;
import hitcounter.replicate.DatacenterStates;
import hitcounter.store.CountTable;
import hitcounter.store.TableListings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/pages}: the pages ranked by total (descending, then id), one page of the
 * ranking at a time: {@code ?limit=} (1-1000, default 100), {@code ?prefix=} (ids starting with
 * it), {@code ?cursor=} (from the previous answer's {@code next}). Nothing ships the whole
 * table: a site has millions of pages. Bad parameters are a 400 with a JSON reason.
 */
public final class PagesRoutes {
  public static final int MAX_LIMIT = 1000;

  private final String datacenter;
  private final CountTable counts;
  private final DatacenterStates datacenters;
  private final Freshness freshness;
  private final double staleAfterSeconds;

  private final java.util.function.Supplier<Sites> sites;

  public PagesRoutes(String datacenter, CountTable counts, DatacenterStates datacenters, Freshness freshness, Duration staleAfter, java.util.function.Supplier<Sites> sites) {
    this.sites = sites;
    this.datacenter = datacenter;
    this.counts = counts;
    this.datacenters = datacenters;
    this.freshness = freshness;
    this.staleAfterSeconds = staleAfter.toMillis() / 1000.0;
  }

  public Route routes() {
    return path(PathMatchers.segment("api").slash("pages"), () -> HttpMetrics.template("/api/pages", () -> get(() ->
        parameterOptional("limit", limit -> parameterOptional("prefix", prefix -> parameterOptional("cursor", cursor -> parameterOptional("site", site -> {
          Optional<String> problem = problem(limit, prefix, cursor);
          if (problem.isPresent()) {
            return complete(StatusCodes.BAD_REQUEST, new ErrorReply("bad-parameter", problem.get()), JsonReplies.JSON);
          }
          String siteName = site.orElse(PageKey.DEFAULT_SITE);
          Site s = PageKey.siteProblem(siteName).isPresent() ? null : sites.get().all().get(siteName);
          if (s == null) {
            return complete(StatusCodes.NOT_FOUND, new ErrorReply("unknown-site", "no site called " + siteName.substring(0, Math.min(40, siteName.length()))), JsonReplies.JSON);
          }
          String sitePrefix = s.deleted() ? PageKey.sitePrefix(siteName, 0) : PageKey.sitePrefix(siteName, s.generation());
          return complete(StatusCodes.OK, page(siteName, sitePrefix, limit.map(Integer::parseInt).orElse(100), prefix.orElse(""),
              cursor.map(PagesRoutes::decode).orElse(null)), JsonReplies.JSON);
        })))))));
  }

  private static Optional<String> problem(Optional<String> limit, Optional<String> prefix, Optional<String> cursor) {
    if (limit.isPresent()) {
      try {
        int n = Integer.parseInt(limit.get());
        if (n < 1 || n > MAX_LIMIT) {
          return Optional.of("limit must be 1 to " + MAX_LIMIT);
        }
      } catch (NumberFormatException e) {
        return Optional.of("limit must be a whole number");
      }
    }
    if (prefix.isPresent() && !prefix.get().isEmpty() && !PageId.isValid(prefix.get()) && !PageKey.isPath(prefix.get())) {
      return Optional.of("prefix must be the start of a page id (A-Z a-z 0-9 . _ ~ -, at most 128) or of a URL path (/…, normalised)");
    }
    if (cursor.isPresent() && decode(cursor.get()) == null) {
      return Optional.of("cursor is not one this server gave");
    }
    return Optional.empty();
  }

  Map<String, Object> page(int limit, String prefix, TableListings.Cursor after) {
    return page(PageKey.DEFAULT_SITE, "", limit, prefix, after);
  }

  /** One page of the ranking of site {@code site}, whose counted ids start with {@code sitePrefix}. */
  Map<String, Object> page(String site, String sitePrefix, int limit, String prefix, TableListings.Cursor after) {
    boolean bare = sitePrefix.isEmpty();
    List<TableListings.Row> rows = counts.listings().top(sitePrefix + prefix, bare, limit, after);
    List<Map<String, Object>> out = new ArrayList<>(rows.size());
    for (TableListings.Row r : rows) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("page", r.page().substring(sitePrefix.length()));
      row.put("total", r.total());
      row.put("datacenters", r.byDatacenter());
      row.put("imported", r.imported());
      out.add(row);
    }
    Map<String, Double> ages = datacenters.agesSeconds();
    TreeSet<String> dcs = new TreeSet<>(counts.datacenters());
    dcs.addAll(ages.keySet());
    dcs.add(datacenter);
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("datacenter", datacenter);
    reply.put("datacenters", List.copyOf(dcs));
    if (!bare) {
      reply.put("site", site);
    }
    reply.put("prefix", prefix);
    reply.put("matching", counts.listings().count(sitePrefix + prefix, bare));
    reply.put("matchingHits", counts.listings().sum(sitePrefix + prefix, bare));
    reply.put("pages", out);
    reply.put("next", rows.size() == limit ? encode(rows.get(rows.size() - 1)) : null);
    reply.put("ages", ages);
    reply.put("staleAfterSeconds", staleAfterSeconds);
    Freshness.Report f = freshness.of(dcs);
    reply.put("stale", f.stale());
    reply.put("late", f.late().stream().map(l -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("datacenter", l.datacenter());
      m.put("why", l.why());
      m.put("subject", l.subject());
      m.put("detail", l.detail());
      m.put("ageSeconds", Math.round(l.ageSeconds() * 10) / 10.0);
      return m;
    }).toList());
    return reply;
  }

  private static String encode(TableListings.Row last) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((last.total() + ":" + last.page()).getBytes(StandardCharsets.UTF_8));
  }

  static TableListings.Cursor decode(String cursor) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int colon = s.indexOf(':');
      long total = Long.parseLong(s.substring(0, colon));
      String page = s.substring(colon + 1);
      return total > 0 && PageKey.isValid(page) ? new TableListings.Cursor(total, page) : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
