package hitcounter.discovery;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.ConsulClient;
import hitcounter.infra.consul.ServiceInstance;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.discovery.Lookup;
import org.apache.pekko.discovery.ServiceDiscovery;
import scala.Option;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko Discovery on Consul's health API: the passing instances of a service in the local
 * datacenter, at the port their {@code management-port} meta names (the one Cluster Bootstrap
 * probes). Selected by {@code pekko.discovery.method = hitcounter-consul}.
 */
public final class ConsulServiceDiscovery extends ServiceDiscovery {
  private final Consul consul;

  public ConsulServiceDiscovery(ExtendedActorSystem system) {
    this.consul = ConsulClient.get(Adapter.toTyped(system));
  }

  @Override
  public Future<Resolved> lookup(Lookup lookup, FiniteDuration resolveTimeout) {
    CompletionStage<Resolved> resolved =
        consul
            .healthyInstances(lookup.serviceName(), 0, Duration.ZERO)
            .thenApply(
                instances -> {
                  List<ResolvedTarget> targets = new ArrayList<>();
                  for (ServiceInstance i : instances.value()) {
                    targets.add(target(i));
                  }
                  return Resolved$.MODULE$.apply(lookup.serviceName(), CollectionConverters.asScala(targets).toList());
                });
    return FutureConverters.asScala(resolved);
  }

  private static ResolvedTarget target(ServiceInstance i) {
    String port = i.meta().get("management-port");
    Option<Object> portOpt = port == null ? Option.empty() : Option.apply((Object) Integer.valueOf(port));
    Option<InetAddress> address;
    try {
      address = Option.apply(InetAddress.getByName(i.address()));
    } catch (UnknownHostException e) {
      address = Option.empty();
    }
    return ResolvedTarget$.MODULE$.apply(i.address(), portOpt, address);
  }
}
