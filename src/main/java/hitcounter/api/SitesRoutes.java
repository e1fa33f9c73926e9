package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.config.LiveSettings;
import hitcounter.config.ResetRecord;
import hitcounter.config.Setting;
import hitcounter.config.SettingWriter;
import hitcounter.config.Site;
import hitcounter.config.Sites;
import hitcounter.count.PageResetter;
import hitcounter.infra.Json;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.PageCaps;
import hitcounter.page.PageId;
import hitcounter.page.PageKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Who may count, and cleaning up (admin token for every change):
 * <ul>
 *   <li>{@code GET /api/sites}: every site, its rules, and its pages against its cap;
 *   <li>{@code PUT /api/sites/{site}} (a site's definition, JSON): creates or changes it, in the
 *       distributed setting "sites" (a site deleted before comes back with a new generation:
 *       none of its old pages);
 *   <li>{@code DELETE /api/sites/{site}}: deletes it and every page of it;
 *   <li>{@code DELETE /api/pages/{site}/{page}} and {@code POST /api/pages/{site}/{page}/reset}:
 *       deletes a page or sets it back to 0, in every datacenter (decision 0010).
 * </ul>
 */
public final class SitesRoutes {
  private final LiveSettings live;
  private final Supplier<Sites> sites;
  private final SettingWriter writer;
  private final PageResetter resetter;
  private final PageCaps caps;
  private final String adminToken;

  private final java.util.function.Function<JsonNode, Sites> parse;

  public SitesRoutes(LiveSettings live, Supplier<Sites> sites, java.util.function.Function<JsonNode, Sites> parse, SettingWriter writer,
      PageResetter resetter, PageCaps caps, String adminToken) {
    this.parse = parse;
    this.live = live;
    this.sites = sites;
    this.writer = writer;
    this.resetter = resetter;
    this.caps = caps;
    this.adminToken = adminToken;
  }

  public Route routes() {
    return concat(
        path(PathMatchers.segment("api").slash("sites"), () -> HttpMetrics.template("/api/sites", () -> get(() -> JsonReplies.json(StatusCodes.OK, list())))),
        path(PathMatchers.segment("api").slash("sites").slash(PathMatchers.segment()), name -> HttpMetrics.template("/api/sites/{site}", () -> concat(
            put(() -> AdminAuth.authorized(adminToken, () -> entity(Unmarshaller.entityToString(), body -> define(name, body)))),
            delete(() -> AdminAuth.authorized(adminToken, () -> deleteSite(name)))))),
        // URL paths: ?path=… (a path holds slashes), made a page by the site's rules.
        path(PathMatchers.segment("api").slash("pages").slash(PathMatchers.segment()),
            site -> HttpMetrics.template("/api/pages/{site}?path", () -> delete(() -> parameter("path", p -> AdminAuth.authorized(adminToken, () -> resetPath(site, p, true)))))),
        path(PathMatchers.segment("api").slash("pages").slash(PathMatchers.segment()).slash("reset"),
            site -> HttpMetrics.template("/api/pages/{site}/reset?path", () -> post(() -> parameter("path", p -> AdminAuth.authorized(adminToken, () -> resetPath(site, p, false)))))),
        path(PathMatchers.segment("api").slash("pages").slash(PathMatchers.segment()).slash(PathMatchers.segment()),
            (site, page) -> HttpMetrics.template("/api/pages/{site}/{page}", () -> delete(() -> AdminAuth.authorized(adminToken, () -> reset(site, page, true))))),
        path(PathMatchers.segment("api").slash("pages").slash(PathMatchers.segment()).slash(PathMatchers.segment()).slash("reset"),
            (site, page) -> HttpMetrics.template("/api/pages/{site}/{page}/reset", () -> post(() -> AdminAuth.authorized(adminToken, () -> reset(site, page, false))))));
  }

  private Map<String, Object> list() {
    Map<String, Integer> pages = caps.bySite();
    Map<String, Object> out = new LinkedHashMap<>();
    JsonNode doc = live.get(Setting.SITES);
    sites.get().all().forEach((name, s) -> {
      Map<String, Object> one = new LinkedHashMap<>();
      // Which edit is in force (decision 0016): an edit made elsewhere at the same time that lost
      // sees here the version, time and datacenter of the one that won.
      JsonNode written = doc.path(name).path(hitcounter.config.EntryMerge.WRITTEN);
      if (written.isObject()) {
        one.put("written", written);
      }
      one.put("generation", s.generation());
      one.put("deleted", s.deleted());
      one.put("live", sites.get().live(name).isPresent());
      if (!s.deleted()) {
        one.put("origins", s.origins());
        one.put("pattern", s.pattern() == null ? null : s.pattern().pattern());
        one.put("maxPages", s.maxPages());
        one.put("pages", pages.getOrDefault(PageKey.sitePrefix(name, s.generation()), 0));
        one.put("perClient", Map.of("rate", s.perClient().rate(), "burst", s.perClient().burst()));
        one.put("perSite", Map.of("rate", s.perSite().rate(), "burst", s.perSite().burst()));
      }
      out.put(name, one);
    });
    return Map.of("sites", out, "version", Optional.ofNullable(live.applied(Setting.SITES)).map(v -> v.version()).orElse(0L));
  }

  private Route define(String name, String body) {
    JsonNode def;
    try {
      def = Json.mapper().readTree(body);
    } catch (Exception e) {
      def = null;
    }
    if (def == null || !def.isObject()) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-value", "the body must be a JSON object: {\"origins\": [...], \"pattern\": \"...\", \"maxPages\": n, \"perClient\": {...}, \"perSite\": {...}}");
    }
    ObjectNode d = ((ObjectNode) def).deepCopy();
    d.remove("generation");
    d.remove("deleted");
    d.remove(hitcounter.config.EntryMerge.WRITTEN);
    Optional<String> problem = Sites.problemOf(name, d);
    if (problem.isPresent()) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-value", problem.get());
    }
    return store(name, current -> parse.apply(current).with(current, name, d));
  }

  private Route deleteSite(String name) {
    if (PageKey.siteProblem(name).isPresent() || name.equals(PageKey.DEFAULT_SITE)) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-site",
          name.equals(PageKey.DEFAULT_SITE) ? "the default site cannot be deleted: disable it (PUT /api/sites/default {\"enabled\": false}) or delete its pages" : "not a site name");
    }
    Site s = sites.get().all().get(name);
    if (s == null || s.deleted()) {
      return JsonReplies.error(StatusCodes.NOT_FOUND, "unknown-site", "no site called " + name);
    }
    return store(name, current -> parse.apply(current).without(current, name));
  }

  /** Applies {@code change} to the sites in force when written (not to this node's copy, which may be behind). */
  private Route store(String name, java.util.function.UnaryOperator<JsonNode> change) {
    return onComplete(writer.update(Setting.SITES, live.defaultOf(Setting.SITES), change), done -> {
      if (done.isSuccess() && done.get().isPresent()) {
        JsonNode mine = done.get().get().value().get(name);
        // An edit of the same site made elsewhere that this node already knows may win over this
        // one (decision 0016): the answer says which definition is in force and whether this held.
        JsonNode inForce = writer.inForce(Setting.SITES, done.get().get()).get(name);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("site", name);
        out.put("definition", mine);
        out.put("held", mine != null && mine.equals(inForce));
        out.put("inForce", inForce);
        out.put("version", done.get().get().version());
        return JsonReplies.json(StatusCodes.OK, out);
      }
      return JsonReplies.error(StatusCodes.SERVICE_UNAVAILABLE, "consul-unavailable", "the sites could not be written; try again");
    });
  }

  /** A reset of the page a path is by the site's rules (the lookup a read of it makes: {@link hitcounter.ingest.PageLookup}). */
  private Route resetPath(String site, String raw, boolean delete) {
    return hitcounter.ingest.PageLookup.of(sites.get(), site, Optional.of(raw), Optional.empty()).answer(key -> reset(site, key.page(), delete, true));
  }

  private Route reset(String site, String page, boolean delete) {
    return reset(site, page, delete, false);
  }

  /** {@code made}: a page a site's rules made from a path (a page id otherwise, checked here). */
  private Route reset(String site, String page, boolean delete, boolean made) {
    Optional<String> bad = made ? Optional.empty() : PageId.problem(page);
    if (bad.isPresent()) {
      return JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-page-id", bad.get());
    }
    Site s = PageKey.siteProblem(site).isPresent() ? null : sites.get().all().get(site);
    if (s == null || s.deleted()) {
      return JsonReplies.error(StatusCodes.NOT_FOUND, "unknown-site", "no site called " + site.substring(0, Math.min(40, site.length())));
    }
    PageKey key = site.equals(PageKey.DEFAULT_SITE) ? PageKey.ofDefault(page) : new PageKey(site, s.generation(), page);
    return onComplete(resetter.reset(key, delete), done -> {
      if (done.isSuccess() && done.get().isPresent()) {
        ResetRecord r = done.get().get();
        return JsonReplies.json(StatusCodes.OK, Map.of("site", site, "page", page, delete ? "deleted" : "reset", true, "baselines", r.baselines()));
      }
      return JsonReplies.error(StatusCodes.SERVICE_UNAVAILABLE, "consul-unavailable", "the reset could not be written; try again");
    });
  }
}
