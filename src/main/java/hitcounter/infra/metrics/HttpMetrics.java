package hitcounter.infra.metrics;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code http_server_requests_seconds}: a timer with a histogram per route template (never per
 * page id), method and status. {@link #measured} wraps the node's whole route (sealed, so refused
 * and failed requests are measured too); each route names its template with {@link #template}.
 */
public final class HttpMetrics {
  private static final AttributeKey<Template> KEY = AttributeKey.create("hitcounter-route-template", Template.class);
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH");

  private final MeterRegistry registry;
  private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

  public HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Where the inner route writes which template matched; one per request. */
  private static final class Template {
    volatile String value;
  }

  /** Measures every request {@code inner} answers, rejections and failures included. */
  public Route measured(Route inner) {
    Route sealed = inner.seal();
    return extractRequest(
        request -> {
          long start = System.nanoTime();
          Template template = new Template();
          String method = METHODS.contains(request.method().name()) ? request.method().name() : "OTHER";
          return mapRequest(
              r -> r.addAttribute(KEY, template),
              () -> mapResponse(response -> record(method, template, response, start), () -> sealed));
        });
  }

  /** Names the template of the route {@code inner} builds, e.g. {@code /api/hits/{page}}. */
  public static Route template(String name, Supplier<Route> inner) {
    return extractRequest(
        request -> {
          request.getAttribute(KEY).ifPresent(t -> t.value = name);
          return inner.get();
        });
  }

  private HttpResponse record(String method, Template template, HttpResponse response, long start) {
    int status = response.status().intValue();
    String uri = template.value != null ? template.value : status == 404 ? "NOT_FOUND" : "UNKNOWN";
    timers
        .computeIfAbsent(method + ' ' + uri + ' ' + status, k -> timer(method, uri, status))
        .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    return response;
  }

  private Timer timer(String method, String uri, int status) {
    return Timer.builder("http.server.requests")
        .description("HTTP requests answered by this node, by route template")
        .tags("method", method, "uri", uri, "status", Integer.toString(status), "outcome", outcome(status))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  private static String outcome(int status) {
    if (status < 200) {
      return "INFORMATIONAL";
    } else if (status < 300) {
      return "SUCCESS";
    } else if (status < 400) {
      return "REDIRECTION";
    } else if (status < 500) {
      return "CLIENT_ERROR";
    }
    return "SERVER_ERROR";
  }
}
