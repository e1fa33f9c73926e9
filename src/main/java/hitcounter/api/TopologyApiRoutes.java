package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.discovery.TopologyView;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/topology} on the HTTP port, for the dashboard: the same view as the
 * management route {@code /topology} (loopback only, for operators), from the same
 * {@link TopologyView}.
 */
public final class TopologyApiRoutes {
  private final TopologyView topology;

  public TopologyApiRoutes(TopologyView topology) {
    this.topology = topology;
  }

  public Route routes() {
    return path(PathMatchers.segment("api").slash("topology"), () -> HttpMetrics.template("/api/topology", () -> get(() -> onComplete(topology.get(),
        t -> t.isSuccess() ? JsonReplies.json(StatusCodes.OK, t.get()) : JsonReplies.error(StatusCodes.SERVICE_UNAVAILABLE, "topology-unavailable", "try again")))));
  }
}
