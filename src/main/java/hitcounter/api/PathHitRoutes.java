package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.config.Site;
import hitcounter.config.Sites;
import hitcounter.infra.Json;
import hitcounter.infra.http.JsonReplies;
import hitcounter.ingest.PageLookup;
import hitcounter.ingest.HitIntake;
import hitcounter.ingest.HitRejections;
import hitcounter.page.PageKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * URL paths as pages, for the snippet ({@code count.js}) and scripts: query parameters, since a
 * path holds slashes.
 *
 * <ul>
 *   <li>{@code POST /api/hits?site=S&path=P[&ref=R]} counts. The path (and referrer) may come
 *       instead in a {@code text/plain} body {@code {"path": …, "referrer": …}}: what
 *       {@code navigator.sendBeacon} and {@code fetch(…, {keepalive: true})} send cross-origin
 *       without a preflight.
 *   <li>{@code GET /api/hits?site=S&path=P} reads without counting.
 *   <li>{@code OPTIONS} answers a preflight.
 * </ul>
 *
 * Answers carry CORS headers for the request's Origin when the site counts hits from it (any
 * origin for a site without a list), so a page on the site can read them.
 */
final class PathHitRoutes {
  private static final String METHODS = "GET, POST, OPTIONS";
  private final HitIntake intake;
  private final Supplier<Sites> sites;
  private final Function<PageKey, Route> answer;

  PathHitRoutes(HitIntake intake, Supplier<Sites> sites, Function<PageKey, Route> answer) {
    this.intake = intake;
    this.sites = sites;
    this.answer = answer;
  }

  Route routes() {
    return parameterOptional("site", site -> cors(site.orElse(null), () -> concat(
        options(() -> complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
            .addHeaders(List.of(RawHeader.create("Access-Control-Allow-Methods", METHODS), RawHeader.create("Access-Control-Allow-Headers", "Content-Type"),
                RawHeader.create("Access-Control-Max-Age", "86400"))))),
        get(() -> parameterOptional("path", path -> read(site.orElse(null), path.orElse(null)))),
        post(() -> parameterOptional("path", path -> parameterOptional("ref", ref -> entity(Unmarshaller.entityToString(),
            body -> body.isBlank() && path.isPresent() ? count(site.orElse(null), path.get(), ref) : fromBody(site.orElse(null), body, path, ref))))))));
  }

  /** A hit sent with a body (a beacon's): the body's path and referrer, else the query's. */
  private Route fromBody(String site, String body, Optional<String> queryPath, Optional<String> queryRef) {
    JsonNode n;
    try {
      n = Json.mapper().readTree(body);
    } catch (Exception e) {
      n = null;
    }
    if (n == null || !n.isObject() || !(n.path("path").isTextual() || queryPath.isPresent())) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-path", "give the path as ?path=… or a body {\"path\": \"/…\", \"referrer\": \"…\"}");
    }
    String s = site != null ? site : n.path("site").isTextual() ? n.path("site").asText() : null;
    Optional<String> ref = n.path("referrer").isTextual() ? Optional.of(n.path("referrer").asText()) : queryRef;
    return count(s, n.path("path").isTextual() ? n.path("path").asText() : queryPath.get(), ref);
  }

  private Route count(String site, String path, Optional<String> referrer) {
    return intake.hitPath(site, path, referrer.filter(r -> !r.isEmpty()), answer, HitRejections::notQueued);
  }

  /** The answer for a path, read without counting: 400 for a path that is no page, 404 for a site that does not exist. */
  private Route read(String site, String raw) {
    return PageLookup.of(sites.get(), site, Optional.ofNullable(raw).or(() -> Optional.of("")), Optional.empty()).answer(answer);
  }

  /** {@code inner} with the CORS headers a page on one of the site's origins needs to read the answer. */
  private Route cors(String site, Supplier<Route> inner) {
    return optionalHeaderValueByName("Origin", origin -> {
      if (origin.isEmpty() || origin.get().equals("null")) {
        return inner.get();
      }
      Site s = site == null || PageKey.siteProblem(site).isPresent() ? sites.get().all().get(PageKey.DEFAULT_SITE) : sites.get().all().get(site);
      if (s == null || !s.allowsOrigin(origin.get())) {
        return respondWithHeader(RawHeader.create("Vary", "Origin"), inner);
      }
      List<org.apache.pekko.http.javadsl.model.HttpHeader> h = new ArrayList<>();
      h.add(RawHeader.create("Access-Control-Allow-Origin", origin.get()));
      h.add(RawHeader.create("Vary", "Origin"));
      return respondWithHeaders(h, inner);
    });
  }
}
