package hitcounter.ingest;

import hitcounter.infra.http.JsonReplies;
import hitcounter.page.PageId;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** The HTTP answers every audience gives a hit it cannot count: a bad page id (400), a hit that was not acknowledged (503/504). */
public final class HitRejections {
  private HitRejections() {}

  /** {@code inner} when {@code page} is a page id; a 400 with the reason otherwise. (A path is made a page by its site's rules, never taken as it comes.) */
  public static Route validPage(String page, Supplier<Route> inner) {
    Optional<String> problem = PageId.problem(page);
    return problem.isPresent() ? JsonReplies.error(StatusCodes.BAD_REQUEST, "bad-page-id", problem.get()) : inner.get();
  }

  /** The answer to a hit the gate refused: 400, 403 or 429 (with Retry-After), and its reason. */
  public static Route refused(HitGate.Refuse r) {
    Route body = JsonReplies.error(StatusCodes.get(r.status()), r.status() == 403 ? r.reason() : r.error(), r.detail());
    if (r.status() == 429) {
      return org.apache.pekko.http.javadsl.server.Directives.respondWithHeader(
          org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Retry-After", Long.toString(r.retryAfterSeconds())), () -> body);
    }
    return body;
  }

  /**
   * The answer to a hit that was not acknowledged: 503 when it was certainly not queued (a
   * client may retry), 504 {@code outcome-unknown} when it may have been (a client that retries
   * may count it twice).
   */
  public static Route notQueued(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof HitQueue.OutcomeUnknown) {
      return JsonReplies.error(StatusCodes.GATEWAY_TIMEOUT, "outcome-unknown", "the hit may or may not have been queued: " + cause.getMessage());
    }
    return JsonReplies.error(StatusCodes.SERVICE_UNAVAILABLE, "queue-unavailable", "the hit was not queued: " + cause.getMessage());
  }

  /** Whether a failed hit's outcome is unknown (504) rather than a certain refusal (503). */
  public static boolean unknown(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof HitQueue.OutcomeUnknown;
  }
}
