package hitcounter.discovery;

import hitcounter.infra.http.JsonReplies;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.infra.Json;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /topology} on the management port: this datacenter's nodes and queues as this node
 * sees them, which node drains which queue, and each queue's ready/reserved/buried jobs.
 * Registered in `pekko.management.http.routes`; the node installs the view at start.
 */
public final class TopologyRoutes implements Extension, ManagementRouteProvider {
  private volatile Supplier<CompletionStage<Map<String, Object>>> view =
      () -> CompletableFuture.completedFuture(Map.of("starting", true));

  public static final class Id extends AbstractExtensionId<TopologyRoutes> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    @Override
    public TopologyRoutes createExtension(ExtendedActorSystem system) {
      return new TopologyRoutes();
    }

    @Override
    public ExtensionId<? extends Extension> lookup() {
      return INSTANCE;
    }
  }

  /** What `pekko.management.http.routes` names: instantiated by reflection. */
  public static final class Provider implements ExtensionIdProvider {
    @Override
    public ExtensionId<? extends Extension> lookup() {
      return Id.INSTANCE;
    }
  }

  public void install(Supplier<CompletionStage<Map<String, Object>>> view) {
    this.view = view;
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path("topology", () -> get(() -> onComplete(view.get(), t -> t.isSuccess()
        ? complete(StatusCodes.OK, t.get(), JsonReplies.JSON)
        : JsonReplies.error(StatusCodes.SERVICE_UNAVAILABLE, "topology-unavailable", String.valueOf(t.failed().get().getMessage())))));
  }
}
