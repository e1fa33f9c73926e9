package hitcounter.embed;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.config.Sites;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.HitAnswers;
import hitcounter.ingest.PageLookup;
import hitcounter.page.PathNormaliser;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Counters for display, that count nothing: any page may show them, so any origin may read
 * them ({@code Access-Control-Allow-Origin: *}), and they are cached for {@value #MAX_AGE} s.
 *
 * <ul>
 *   <li>{@code GET /api/counter?site=S&path=P} (or {@code &page=ID}): {@code {"site", "page",
 *       "total", "datacenters"}}; with {@code &format=shields}, shields.io's endpoint form
 *       ({@code schemaVersion}, {@code label}, {@code message}, {@code color}) for
 *       {@code https://img.shields.io/endpoint?url=…}.
 *   <li>{@code GET /badge.svg?site=S&path=P&label=…&color=…&style=flat|flat-square|for-the-badge}.
 * </ul>
 */
public final class DisplayRoutes {
  static final int MAX_AGE = 5;
  static final int MAX_LABEL = 40;
  private static final List<HttpHeader> HEADERS = List.of(RawHeader.create("Cache-Control", "public, max-age=" + MAX_AGE),
      RawHeader.create("Access-Control-Allow-Origin", "*"));
  private final HitAnswers answers;
  private final Supplier<Sites> sites;

  public DisplayRoutes(HitAnswers answers, Supplier<Sites> sites) {
    this.answers = answers;
    this.sites = sites;
  }

  public Route routes() {
    return concat(
        path(org.apache.pekko.http.javadsl.server.PathMatchers.segment("api").slash("counter"),
            () -> HttpMetrics.template("/api/counter", () -> get(() -> looks(this::counterRoute)))),
        path("badge.svg", () -> HttpMetrics.template("/badge.svg", () -> get(() -> looks(this::badgeRoute)))));
  }

  private Route counterRoute(hitcounter.page.PageKey key, Look look) {
    return parameterOptional("format", format -> format.orElse("").equals("shields")
        ? JsonReplies.json(StatusCodes.OK, shields(look.label(), answers.reply(key).total(), Badge.named(look.colour())))
        : JsonReplies.json(StatusCodes.OK, counter(key)));
  }

  private Route badgeRoute(hitcounter.page.PageKey key, Look look) {
    String svg = Badge.svg(look.label(), answers.reply(key).total(), Badge.colour(look.colour()).orElseThrow(), look.style());
    return complete(HttpResponse.create().withEntity(HttpEntities.create(MediaTypes.IMAGE_SVG_XML.toContentType(), svg.getBytes(StandardCharsets.UTF_8))));
  }

  /** How a counter looks: its label, colour (a name or hex) and badge style. */
  record Look(String label, String colour, Badge.Style style) {}

  private Route looks(java.util.function.BiFunction<hitcounter.page.PageKey, Look, Route> inner) {
    return parameterOptional("site", site -> parameterOptional("path", path -> parameterOptional("page", page ->
        parameterOptional("label", label -> parameterOptional("color", color -> parameterOptional("style",
            style -> look(site, path, page, label, color, style, inner)))))));
  }

  /** Every answer, errors too, with {@link #HEADERS}. */
  private Route look(Optional<String> site, Optional<String> path, Optional<String> page, Optional<String> label, Optional<String> color,
      Optional<String> style, java.util.function.BiFunction<hitcounter.page.PageKey, Look, Route> inner) {
    return shown(PageLookup.of(sites.get(), site.orElse(null), path, page).answer(key -> looked(key, label, color, style, inner)));
  }

  private Route looked(hitcounter.page.PageKey key, Optional<String> label, Optional<String> color, Optional<String> style,
      java.util.function.BiFunction<hitcounter.page.PageKey, Look, Route> inner) {
    String l = label.orElse(Badge.DEFAULT_LABEL);
    if (l.length() > MAX_LABEL || PathNormaliser.hasControl(l) || l.indexOf('\uFFFE') >= 0 || l.indexOf('\uFFFF') >= 0) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-label", "label is at most " + MAX_LABEL + " characters, without control characters");
    }
    String c = color.orElse(Badge.DEFAULT_COLOR);
    if (Badge.colour(c).isEmpty()) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-color", "color is a shields.io name (brightgreen, green, yellow, orange, red, blue, grey, …) or hex");
    }
    Optional<Badge.Style> s = Badge.Style.named(style.orElse("flat"));
    if (s.isEmpty()) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-style", "style is flat, flat-square or for-the-badge");
    }
    return inner.apply(key, new Look(l, c, s.get()));
  }

  private static Route shown(Route inner) {
    return respondWithHeaders(HEADERS, () -> inner);
  }

  private Map<String, Object> counter(hitcounter.page.PageKey key) {
    var reply = answers.reply(key);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("site", key.site());
    out.put("page", key.page());
    out.put("total", reply.total());
    out.put("datacenters", reply.datacenters());
    return out;
  }

  /** shields.io's endpoint form: https://shields.io/badges/endpoint-badge. */
  static Map<String, Object> shields(String label, long total, String colour) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("schemaVersion", 1);
    out.put("label", label);
    out.put("message", Badge.message(total));
    out.put("color", colour.startsWith("#") ? colour.substring(1) : colour);
    return out;
  }
}
