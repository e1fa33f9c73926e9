package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.config.Sites;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.HitAnswers;
import hitcounter.page.PageKey;
import hitcounter.store.PageStats;
import hitcounter.store.Referrals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/referrers?site=S&days=N}: where a site's visits of the last N days (today
 * included; 1 to the days kept) came from, united across datacenters: per dimension (referring
 * host, campaign source, medium, campaign) the top values with their visits, then "other" for
 * the rest. Each datacenter keeps the top {@value Referrals#TOP} a day; the figures are exact
 * for values that stayed in every datacenter's top, and "other" holds the rest.
 */
public final class ReferrerRoutes {
  static final int SHOWN = 20;
  private final HitAnswers answers;
  private final Supplier<Sites> sites;
  private final int maxDays;

  public ReferrerRoutes(HitAnswers answers, Supplier<Sites> sites, int maxDays) {
    this.answers = answers;
    this.sites = sites;
    this.maxDays = maxDays;
  }

  public record Row(String value, long visits) {}

  public record Answer(String site, int days, Map<String, List<Row>> top, Map<String, Long> other) {}

  public Route routes() {
    return path(PathMatchers.segment("api").slash("referrers"), () -> HttpMetrics.template("/api/referrers", () -> get(() ->
        parameterOptional("site", site -> parameterOptional("days", days -> answer(site.orElse(PageKey.DEFAULT_SITE), days.orElse("7")))))));
  }

  private Route answer(String site, String daysText) {
    int days;
    try {
      days = Integer.parseInt(daysText);
    } catch (NumberFormatException e) {
      days = -1;
    }
    if (days < 1 || days > maxDays) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-days", "days must be a whole number from 1 to " + maxDays);
    }
    String prefix = "";
    if (!site.equals(PageKey.DEFAULT_SITE)) {
      var known = PageKey.siteProblem(site).isPresent() ? null : sites.get().all().get(site);
      if (known == null || known.deleted()) {
        return JsonReplies.error(StatusCodes.NOT_FOUND, "unknown-site", "no site called " + site.substring(0, Math.min(site.length(), 40)));
      }
      prefix = PageKey.sitePrefix(site, known.generation());
    }
    return JsonReplies.json(StatusCodes.OK, of(site, days, answers.stats(PageStats.siteKey(prefix)), (int) (answers.clock().millis() / 86_400_000L)));
  }

  /** The answer from every datacenter's stats of the site, for the {@code days} days up to {@code today}. */
  static Answer of(String site, int days, Map<String, PageStats> byDc, int today) {
    Map<String, List<Row>> top = new LinkedHashMap<>();
    Map<String, Long> other = new LinkedHashMap<>();
    for (int d = 0; d < Referrals.DIMENSIONS.length; d++) {
      Map<String, Long> sum = new HashMap<>();
      long rest = 0;
      for (PageStats s : byDc.values()) {
        for (int day = today - days + 1; day <= today; day++) {
          Referrals r = s.referrals(day);
          if (r != null) {
            r.of(d).forEach((v, n) -> sum.merge(v, n, Long::sum));
            rest += r.other(d);
          }
        }
      }
      List<Row> rows = new ArrayList<>();
      sum.forEach((v, n) -> rows.add(new Row(v, n)));
      rows.sort((a, b) -> a.visits() == b.visits() ? a.value().compareTo(b.value()) : Long.compare(b.visits(), a.visits()));
      for (Row r : rows.subList(Math.min(SHOWN, rows.size()), rows.size())) {
        rest += r.visits();
      }
      top.put(Referrals.DIMENSIONS[d], List.copyOf(rows.subList(0, Math.min(SHOWN, rows.size()))));
      other.put(Referrals.DIMENSIONS[d], rest);
    }
    return new Answer(site, days, top, other);
  }
}
