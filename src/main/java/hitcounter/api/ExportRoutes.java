package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.config.Site;
import hitcounter.config.Sites;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.page.PageKey;
import hitcounter.store.CountTable;
import hitcounter.store.PageStats;
import hitcounter.store.TableListings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /api/export?site=S}: every page of the site as CSV, {@code path,total,imported,<one
 * column per datacenter>} (a page id in the path column for pages counted by id; imported: what
 * of the total came from imports, decision 0015), streamed {@value #CHUNK} pages at a time from the node's table: bounded
 * memory and short locks at a million pages. {@code &series=day}: one row per page and day
 * ({@code path,day,total,<datacenters>}, the days the analytics keep).
 */
public final class ExportRoutes {
  static final int CHUNK = 1000;
  private final CountTable table;
  private final Supplier<Sites> sites;

  public ExportRoutes(CountTable table, Supplier<Sites> sites) {
    this.table = table;
    this.sites = sites;
  }

  public Route routes() {
    return path(PathMatchers.segment("api").slash("export"), () -> HttpMetrics.template("/api/export", () -> get(() ->
        parameterOptional("site", site -> parameterOptional("series", series -> export(site.orElse(PageKey.DEFAULT_SITE), series))))));
  }

  private Route export(String site, Optional<String> series) {
    if (series.isPresent() && !series.get().equals("day")) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-series", "series is day");
    }
    String prefix = "";
    if (!site.equals(PageKey.DEFAULT_SITE)) {
      Site s = PageKey.siteProblem(site).isPresent() ? null : sites.get().all().get(site);
      if (s == null) {
        return JsonReplies.error(StatusCodes.NOT_FOUND, "unknown-site", "no site called " + site.substring(0, Math.min(site.length(), 40)));
      }
      prefix = PageKey.sitePrefix(site, s.deleted() ? 0 : s.generation()); // a deleted site shows no pages, as /api/pages
    }
    List<String> dcs = List.copyOf(new java.util.TreeSet<>(table.datacenters()));
    boolean days = series.isPresent();
    String head = (days ? "path,day,total" : "path,total,imported") + dcs.stream().map(dc -> "," + dc).reduce("", String::concat) + "\n";
    Source<ByteString, NotUsed> rows = rows(prefix, prefix.isEmpty(), dcs, days);
    return complete(HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.create(org.apache.pekko.http.javadsl.model.MediaTypes.TEXT_CSV, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8),
            Source.single(ByteString.fromString(head, StandardCharsets.UTF_8)).concat(rows)))
        .addHeader(RawHeader.create("Content-Disposition", "attachment; filename=\"" + site + (days ? "-days" : "") + ".csv\"")));
  }

  /** The CSV rows, a chunk of the table at a time, read only when the client takes them. */
  private Source<ByteString, NotUsed> rows(String prefix, boolean bareOnly, List<String> dcs, boolean days) {
    TableListings listings = table.listings();
    return Source.unfold(0, from -> {
      if (from < 0) {
        return Optional.empty();
      }
      TableListings.Chunk c = listings.chunk(prefix, bareOnly, from, CHUNK);
      StringBuilder b = new StringBuilder(c.rows().size() * 64);
      for (TableListings.Row r : c.rows()) {
        String page = csv(r.page().substring(prefix.length()));
        if (days) {
          dayRows(b, page, r.page(), dcs);
        } else {
          b.append(page).append(',').append(r.total()).append(',').append(r.imported());
          for (String dc : dcs) {
            b.append(',').append(r.byDatacenter().getOrDefault(dc, 0L));
          }
          b.append('\n');
        }
      }
      return Optional.of(org.apache.pekko.japi.Pair.create(c.next() < 0 ? -1 : c.next(), ByteString.fromString(b.toString(), StandardCharsets.UTF_8)));
    }).filter(bs -> !bs.isEmpty());
  }

  /** A page's rows per day: its day buckets' human hits, per datacenter and in all. */
  private void dayRows(StringBuilder b, String page, String key, List<String> dcs) {
    Map<Long, long[]> byDay = new TreeMap<>();
    Map<String, PageStats> stats = table.stats(key);
    for (int i = 0; i < dcs.size(); i++) {
      PageStats s = stats.get(dcs.get(i));
      if (s == null) {
        continue;
      }
      for (var e : s.buckets().entrySet()) {
        if (PageStats.stepOf(e.getKey()) == PageStats.DAY) {
          byDay.computeIfAbsent(PageStats.indexOf(e.getKey()), d -> new long[dcs.size()])[i] += e.getValue()[0];
        }
      }
    }
    byDay.forEach((day, n) -> {
      long total = 0;
      for (long x : n) {
        total += x;
      }
      b.append(page).append(',').append(java.time.LocalDate.ofEpochDay(day)).append(',').append(total);
      for (long x : n) {
        b.append(',').append(x);
      }
      b.append('\n');
    });
  }

  /** A CSV field: quoted when it holds a comma, a quote or a line break (a URL path may). */
  static String csv(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
