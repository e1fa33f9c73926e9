package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.config.LiveSettings;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.HitAnswers;
import hitcounter.ingest.HitQueue;
import hitcounter.ingest.HitRejections;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The hit counter API: {@code POST /api/hits/{page}} registers a hit (200 once beanstalkd
 * acknowledged it, 503 when it certainly could not be queued, 504 when its outcome is unknown);
 * {@code GET /api/hits/{page}} shows the counts; {@code GET /api/hits/{page}/events} streams
 * them (server-sent events, for the live page); {@code GET /api/ping} touches nothing. A bad
 * page id is a 400 and queues nothing.
 */
public final class HitRoutes {
  private static final String EVENTS = "/events";
  private final HitQueue queue;
  private final HitAnswers answers;
  private final HitEvents events;

  public HitRoutes(HitQueue queue, HitAnswers answers, LiveSettings live) {
    this.queue = queue;
    this.answers = answers;
    this.events = new HitEvents(answers, live);
  }

  public Route routes() {
    return concat(
        path(PathMatchers.segment("api").slash("ping"), () -> HttpMetrics.template("/api/ping", () -> get(() -> complete("pong")))),
        pathPrefix(PathMatchers.segment("api").slash("hits"), () -> extractUnmatchedPath(rest -> {
          String page = rest.startsWith("/") ? rest.substring(1) : rest;
          if (page.endsWith(EVENTS)) {
            String of = page.substring(0, page.length() - EVENTS.length());
            return HttpMetrics.template("/api/hits/{page}/events",
                () -> HitRejections.validPage(of, () -> get(() -> completeOK(events.of(of), EventStreamMarshalling.toEventStream()))));
          }
          return HttpMetrics.template("/api/hits/{page}",
              () -> HitRejections.validPage(page, () -> concat(post(() -> hit(page)), get(() -> JsonReplies.json(StatusCodes.OK, answers.reply(page))))));
        })));
  }

  private Route hit(String page) {
    return onComplete(queue.enqueue(page),
        done -> done.isSuccess() ? JsonReplies.json(StatusCodes.OK, answers.reply(page)) : HitRejections.notQueued(done.failed().get()));
  }
}
