package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.infra.metrics.NodeMetrics;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the node's registry in the Prometheus text format: JVM and process
 * figures, HTTP requests per route template, Consul and beanstalkd calls, and the project's own
 * figures (hits, workers, queues, datacenter ages), each computed once where it happens.
 */
public final class MetricsRoutes {
  private static final ContentType PROMETHEUS_TEXT = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final NodeMetrics metrics;

  public MetricsRoutes(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  public Route routes() {
    return path(
        "metrics",
        () -> HttpMetrics.template(
            "/metrics",
            () -> get(() -> complete(HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT, metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8)))))));
  }
}
