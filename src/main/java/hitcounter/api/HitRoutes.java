package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.config.LiveSettings;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.HitAnswers;
import hitcounter.config.Site;
import hitcounter.config.Sites;
import hitcounter.ingest.HitIntake;
import hitcounter.ingest.PageLookup;
import java.util.Optional;
import hitcounter.page.PageKey;
import java.util.function.Function;
import java.util.function.Supplier;
import hitcounter.ingest.HitRejections;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The hit counter API: {@code POST /api/hits/{site}/{page}} registers a hit of a page of a site
 * ({@code POST /api/hits/{page}}: of the default site) once the site's rules let it (403 with a
 * reason, 429 with Retry-After: see {@link hitcounter.ingest.HitGate}): 200 once beanstalkd
 * acknowledged it, 503 when it certainly could not be queued, 504 when its outcome is unknown.
 * {@code GET} of the same paths shows the counts (404 for a site that does not exist);
 * {@code …/events} streams them (server-sent events, for the live page); {@code GET /api/ping}
 * touches nothing. A bad page id is a 400 and queues nothing.
 */
public final class HitRoutes {
  private static final String EVENTS = "events";
  private final HitIntake intake;
  private final hitcounter.ingest.RenderedAnswers rendered;
  private final HitEvents events;
  private final Supplier<Sites> sites;
  private final PathHitRoutes paths;

  public HitRoutes(HitIntake intake, HitAnswers answers, LiveSettings live, Supplier<Sites> sites) {
    this.intake = intake;
    this.rendered = new hitcounter.ingest.RenderedAnswers(answers);
    this.sites = sites;
    this.events = new HitEvents(answers, live);
    this.paths = new PathHitRoutes(intake, sites, this::answer);
  }

  public Route routes() {
    return concat(
        path(PathMatchers.segment("api").slash("ping"), () -> HttpMetrics.template("/api/ping", () -> get(() -> complete("pong")))),
        path(PathMatchers.segment("api").slash("hits"), () -> HttpMetrics.template("/api/hits?path", paths::routes)),
        pathPrefix(PathMatchers.segment("api").slash("hits"), () -> extractUnmatchedPath(rest -> {
          String[] parts = (rest.startsWith("/") ? rest.substring(1) : rest).split("/", -1);
          if (parts.length == 3 && parts[2].equals(EVENTS)) {
            return HttpMetrics.template("/api/hits/{site}/{page}/events", () -> get(() -> shown(parts[0], parts[1], this::eventsOf)));
          }
          if (parts.length == 2 && parts[1].equals(EVENTS)) {
            // GET: the events of default-site page parts[0]; POST: a hit of page "events" of site parts[0].
            return HttpMetrics.template("/api/hits/{page}/events",
                () -> concat(get(() -> shown(null, parts[0], this::eventsOf)), post(() -> intake.hit(parts[0], parts[1], this::answer))));
          }
          if (parts.length == 2) {
            return HttpMetrics.template("/api/hits/{site}/{page}",
                () -> concat(post(() -> intake.hit(parts[0], parts[1], this::answer)), get(() -> shown(parts[0], parts[1], this::answer))));
          }
          if (parts.length == 1) {
            return HttpMetrics.template("/api/hits/{page}",
                () -> concat(post(() -> intake.hit(null, parts[0], this::answer)), get(() -> shown(null, parts[0], this::answer))));
          }
          return HttpMetrics.template("/api/hits/{page}", () -> JsonReplies.error(StatusCodes.NOT_FOUND, "not-found", "use /api/hits/{page} or /api/hits/{site}/{page}"));
        })));
  }

  /** The page's answer (rendered once per change and tenth of a second for a page hit often: {@link hitcounter.ingest.RenderedAnswers}). */
  private Route answer(PageKey key) {
    return JsonReplies.rendered(StatusCodes.OK, rendered.json(key));
  }

  private Route eventsOf(PageKey key) {
    return completeOK(events.of(key), EventStreamMarshalling.toEventStream());
  }

  private Route shown(String site, String page, Function<PageKey, Route> inner) {
    return shown(sites, site, page, inner);
  }

  /** {@code inner} for a page of a site that exists (deleted or disabled sites included, their pages show 0); 400/404 otherwise. */
  static Route shown(Supplier<Sites> sites, String site, String page, Function<PageKey, Route> inner) {
    return HitRejections.validPage(page, () -> PageLookup.of(sites.get(), site, Optional.empty(), Optional.of(page)).answer(inner));
  }
}
