package hitcounter.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests that fail to parse (before routing) with a JSON reason, like every other
 * refusal. An unknown method is the client's mistake: 405, not Pekko's default 501 (the surface
 * never answers 5xx for bad input). Set in `pekko.http.server.parsing.error-handler`.
 */
public final class ParsingErrors extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue() == 501 ? 405 : status.intValue();
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("error", code == 405 ? "method-not-allowed" : "bad-request");
    String summary = info.summary();
    body.put("reason", summary.length() > 200 ? summary.substring(0, 200) : summary);
    return HttpResponse.create()
        .withStatus(code == 405 ? StatusCodes.METHOD_NOT_ALLOWED : StatusCodes.get(code))
        .withEntity(ContentTypes.APPLICATION_JSON, body.toString());
  }
}
