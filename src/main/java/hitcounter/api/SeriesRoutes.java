package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.config.Sites;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.HitAnswers;
import hitcounter.page.PageKey;
import hitcounter.store.PageStats;
import hitcounter.store.StatsQuery;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Hits over time, as columns a chart reads directly: {@code GET /api/series/{page}?step=day&days=30}
 * (also {@code /api/series/{site}/{page}}): hits, bot hits and unique visitors per UTC day of a
 * page; {@code GET /api/series?step=minute|hour|day[&site=][&points=]}: the same for a whole
 * site per minute (last 24 h), hour or day. Every datacenter's figures summed; unique
 * visitors united across datacenters per day, and over several days only as "visitor-days" (a
 * visitor is not followed from one day to the next).
 */
public final class SeriesRoutes {
  private final HitAnswers answers;
  private final Supplier<Sites> sites;

  public SeriesRoutes(HitAnswers answers, Supplier<Sites> sites) {
    this.answers = answers;
    this.sites = sites;
  }

  /**
   * The JSON answer: bucket start times (epoch seconds) and one column per figure, summed over
   * datacenters; {@code datacenters}: each datacenter's own hits and bots (exact: counted once,
   * in the datacenter that took them).
   */
  public record Series(
      String step, String site, String page, List<Long> t, List<Long> hits, List<Long> bots, List<Long> uniques, long visitorDays,
      Map<String, Columns> datacenters, String note) {}

  /** One datacenter's hits and bots per bucket. */
  public record Columns(List<Long> hits, List<Long> bots) {}

  public Route routes() {
    return pathPrefix(PathMatchers.segment("api").slash("series"), () -> concat(
        pathEnd(() -> HttpMetrics.template("/api/series", () -> get(() -> parameterOptional("step", step -> parameterOptional("site", site ->
            parameterOptional("points", points -> siteSeries(step.orElse("minute"), site.orElse(PageKey.DEFAULT_SITE), points))))))),
        extractUnmatchedPath(rest -> {
          String[] parts = (rest.startsWith("/") ? rest.substring(1) : rest).split("/", -1);
          if (parts.length < 1 || parts.length > 2) {
            return JsonReplies.error(StatusCodes.NOT_FOUND, "not-found", "use /api/series/{page} or /api/series/{site}/{page}");
          }
          String site = parts.length == 2 ? parts[0] : null;
          String page = parts[parts.length - 1];
          return HttpMetrics.template(parts.length == 2 ? "/api/series/{site}/{page}" : "/api/series/{page}",
              () -> get(() -> parameterOptional("step", step -> parameterOptional("days", days ->
                  HitRoutes.shown(sites, site, page, key -> pageSeries(key, step.orElse("day"), days))))));
        })));
  }

  private Route pageSeries(PageKey key, String step, Optional<String> days) {
    if (!step.equals("day")) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-step", "a page has a series per day only: step=day");
    }
    Optional<Integer> n = number(days.orElse("30"), 1, 3660);
    if (n.isEmpty()) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-days", "days must be a whole number from 1 to 3660");
    }
    return JsonReplies.json(StatusCodes.OK, series(answers.stats(key.key()), PageStats.DAY, n.get(), key.isDefaultSite() ? null : key.site(), key.page()));
  }

  private Route siteSeries(String step, String site, Optional<String> points) {
    int s;
    int max;
    int dflt;
    switch (step) {
      case "minute" -> {
        s = PageStats.MINUTE;
        max = 1440;
        dflt = 60;
      }
      case "hour" -> {
        s = PageStats.HOUR;
        max = 87_840;
        dflt = 48;
      }
      case "day" -> {
        s = PageStats.DAY;
        max = 3660;
        dflt = 30;
      }
      default -> {
        return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-step", "step is minute, hour or day");
      }
    }
    Optional<Integer> n = number(points.orElse(Integer.toString(dflt)), 1, max);
    if (n.isEmpty()) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-points", "points must be a whole number from 1 to " + max);
    }
    String prefix;
    if (site.equals(PageKey.DEFAULT_SITE)) {
      prefix = "";
    } else {
      var known = PageKey.siteProblem(site).isPresent() ? null : sites.get().all().get(site);
      if (known == null) {
        return JsonReplies.error(StatusCodes.NOT_FOUND, "unknown-site", "no site called " + site.substring(0, Math.min(site.length(), 40)));
      }
      prefix = PageKey.sitePrefix(site, known.generation());
    }
    return JsonReplies.json(StatusCodes.OK, series(answers.stats(PageStats.siteKey(prefix)), s, n.get(), site.equals(PageKey.DEFAULT_SITE) ? null : site, null));
  }

  private Series series(Map<String, PageStats> byDc, int step, int points, String site, String page) {
    long nowMinute = answers.clock().millis() / 60_000;
    long last = switch (step) {
      case PageStats.MINUTE -> nowMinute;
      case PageStats.HOUR -> nowMinute / 60;
      default -> nowMinute / 1440;
    };
    long seconds = step == PageStats.MINUTE ? 60 : step == PageStats.HOUR ? 3600 : 86_400;
    List<StatsQuery.Point> pts = StatsQuery.series(byDc, step, last - points + 1, last);
    boolean day = step == PageStats.DAY;
    long visitorDays = day ? pts.stream().mapToLong(StatsQuery.Point::uniques).sum() : 0;
    boolean united = true;
    if (day) {
      for (StatsQuery.Point p : pts) {
        if (p.uniques() > 0 && !answers.salts().united(java.time.LocalDate.ofEpochDay(p.index())) && p.index() >= last - 1) {
          united = false;
        }
      }
    }
    Map<String, Columns> perDc = new java.util.TreeMap<>();
    byDc.forEach((dc, stats) -> {
      List<StatsQuery.Point> own = StatsQuery.series(Map.of(dc, stats), step, last - points + 1, last, false);
      perDc.put(dc, new Columns(own.stream().map(StatsQuery.Point::hits).toList(), own.stream().map(StatsQuery.Point::bots).toList()));
    });
    return new Series(day ? "day" : step == PageStats.HOUR ? "hour" : "minute", site, page,
        pts.stream().map(p -> p.index() * seconds).toList(),
        pts.stream().map(StatsQuery.Point::hits).toList(),
        pts.stream().map(StatsQuery.Point::bots).toList(),
        day ? pts.stream().map(StatsQuery.Point::uniques).toList() : null,
        visitorDays,
        perDc,
        !day ? null : "uniques are per UTC day, united across datacenters; visitorDays is their sum (a visitor is not followed from one day to the next)"
            + (united ? "" : "; the datacenters did not all use the same visitor salt lately: a visitor seen in two may count twice"));
  }

  private static Optional<Integer> number(String s, int min, int max) {
    try {
      int n = Integer.parseInt(s);
      return n >= min && n <= max ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
