package hitcounter.infra.consul;

import hitcounter.infra.metrics.NodeMetrics;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The one Consul client of a node (an actor-system extension), shared by the node's actors and
 * by Pekko Discovery (ConsulServiceDiscovery in the discovery package), so that every call
 * goes through the same connection pool and the same measurements.
 */
public final class ConsulClient implements Extension {
  public static final class Id extends AbstractExtensionId<ConsulClient> {
    public static final Id INSTANCE = new Id();

    @Override
    public ConsulClient createExtension(ExtendedActorSystem system) {
      ActorSystem<?> typed = Adapter.toTyped(system);
      ConsulSettings settings = ConsulSettings.create(system.settings().config());
      return new ConsulClient(
          new ConsulHttpClient(
              typed,
              hitcounter.infra.Json.mapper(),
              settings.url(),
              settings.datacenter(),
              settings.requestTimeout(),
              new ConsulMetrics(NodeMetrics.get(typed).registry()),
              settings.token(),
              settings.remotePool()));
    }
  }

  private final Consul consul;

  private ConsulClient(Consul consul) {
    this.consul = consul;
  }

  public static Consul get(ActorSystem<?> system) {
    return Id.INSTANCE.get(Adapter.toClassic(system)).consul;
  }
}
