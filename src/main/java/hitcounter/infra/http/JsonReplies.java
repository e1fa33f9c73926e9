package hitcounter.infra.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;

import hitcounter.infra.Json;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.marshalling.Marshaller;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * JSON answers, in one place for every route: the one marshaller (on the one configured
 * {@link Json#mapper()}), and the error body of every 4xx/5xx: {@code {"error": code, "reason": sentence}}.
 */
public final class JsonReplies {
  /** Renders any object as JSON with the project's mapper. */
  public static final Marshaller<Object, RequestEntity> JSON = Jackson.marshaller(Json.mapper());

  private JsonReplies() {}

  public static Route json(StatusCode status, Object body) {
    return complete(status, body, JSON);
  }

  /** An answer already rendered as JSON with {@link Json#mapper()} (e.g. kept from an earlier request). */
  public static Route rendered(StatusCode status, byte[] json) {
    return complete(org.apache.pekko.http.javadsl.model.HttpResponse.create().withStatus(status)
        .withEntity(org.apache.pekko.http.javadsl.model.HttpEntities.create(org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, json)));
  }

  public static Route error(StatusCode status, String code, String reason) {
    return complete(status, new ErrorReply(code, reason), JSON);
  }
}
