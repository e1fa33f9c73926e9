package hitcounter.ingest;

import hitcounter.infra.metrics.HttpMetrics;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.infra.Json;
import hitcounter.page.PageId;
import hitcounter.health.Freshness;
import hitcounter.store.CountTable;
import java.util.Map;
import java.util.Optional;
import hitcounter.replicate.DatacenterStates;
import java.util.TreeMap;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /api/hits/{page}} registers a hit (200 once beanstalkd acknowledged it, 503 when
 * it could not be queued); {@code GET /api/hits/{page}} shows the counts; {@code GET /api/ping}
 * touches nothing. A bad page id is a 400 and queues nothing.
 */
public final class HitRoutes {
  private static final org.apache.pekko.http.javadsl.marshalling.Marshaller<Object, org.apache.pekko.http.javadsl.model.RequestEntity> JSON =
      Jackson.marshaller(Json.mapper());

  private final String datacenter;
  private final HitQueue queue;
  private final CountTable counts;
  private final DatacenterStates datacenters;
  private final Freshness freshness;

  public HitRoutes(String datacenter, HitQueue queue, CountTable counts, DatacenterStates datacenters, Freshness freshness) {
    this.datacenter = datacenter;
    this.queue = queue;
    this.counts = counts;
    this.datacenters = datacenters;
    this.freshness = freshness;
  }

  public Route routes() {
    return concat(
        path(PathMatchers.segment("api").slash("ping"), () -> HttpMetrics.template("/api/ping", () -> get(() -> complete("pong")))),
        pathPrefix(
            PathMatchers.segment("api").slash("hits"),
            () ->
                extractUnmatchedPath(
                    rest -> HttpMetrics.template("/api/hits/{page}", () -> {
                      String page = rest.startsWith("/") ? rest.substring(1) : rest;
                      Optional<String> problem = PageId.problem(page);
                      if (problem.isPresent()) {
                        return complete(StatusCodes.BAD_REQUEST, new ErrorReply("bad-page-id", problem.get()), JSON);
                      }
                      return concat(post(() -> hit(page)), get(() -> show(page)));
                    }))));
  }

  private Route hit(String page) {
    return onComplete(queue.enqueue(page), done -> done.isSuccess() ? complete(StatusCodes.OK, reply(page), JSON) : notQueued(done.failed().get()));
  }

  /**
   * The answer to a hit that was not acknowledged: 503 when it was certainly not queued (a
   * client may retry), 504 {@code outcome-unknown} when it may have been (a client that retries
   * may count it twice).
   */
  public static Route notQueued(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof HitQueue.OutcomeUnknown) {
      return complete(StatusCodes.GATEWAY_TIMEOUT, new ErrorReply("outcome-unknown", "the hit may or may not have been queued: " + cause.getMessage()), JSON);
    }
    return complete(StatusCodes.SERVICE_UNAVAILABLE, new ErrorReply("queue-unavailable", "the hit was not queued: " + cause.getMessage()), JSON);
  }

  private Route show(String page) {
    return complete(StatusCodes.OK, reply(page), JSON);
  }

  /** The counts of a page as this node sees them now, with how fresh they are. */
  public HitReply reply(String page) {
    Map<String, Long> byDc = new TreeMap<>();
    byDc.put(datacenter, 0L);
    datacenters.agesSeconds().keySet().forEach(dc -> byDc.put(dc, 0L));
    byDc.putAll(counts.countsOf(page));
    long total = byDc.values().stream().mapToLong(Long::longValue).sum();
    Freshness.Report f = freshness.of(byDc.keySet());
    return new HitReply(page, datacenter, total, byDc, f.stale(), f.ageSeconds(), new HitReply.Counting(f.countingLagSeconds()),
        f.late().stream().map(HitReply.Late::of).toList());
  }
}
