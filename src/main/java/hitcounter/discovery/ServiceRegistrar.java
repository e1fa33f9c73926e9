package hitcounter.discovery;

import hitcounter.infra.NodeSettings;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.ServiceRegistration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Registers this node ({@code hitcounter}, checked on Pekko Management's readiness route) and
 * its beanstalkd ({@code beanstalkd}, a TCP check) with the local Consul agent, and registers
 * again every {@code refresh} so an agent that lost them (restarted without data) gets them
 * back. Registration is idempotent.
 */
public final class ServiceRegistrar {
  public sealed interface Command {}

  private enum Register implements Command {
    INSTANCE
  }

  private record Registered(boolean ok, String problem) implements Command {}

  private ServiceRegistrar() {}

  public static String nodeServiceId(String nodeName) {
    return DiscoveryActor.NODE_SERVICE + "-" + nodeName;
  }

  public static List<ServiceRegistration> registrations(NodeSettings node, DiscoverySettings settings) {
    String host = node.host();
    ServiceRegistration self =
        new ServiceRegistration(
            nodeServiceId(node.nodeName()),
            DiscoveryActor.NODE_SERVICE,
            host,
            node.httpPort(),
            List.of("dc-" + node.datacenter()),
            Map.of(
                "node", node.nodeName(),
                "dc", node.datacenter(),
                "http-port", String.valueOf(node.httpPort()),
                "management-port", String.valueOf(node.managementPort())),
            "http://" + host + ":" + node.managementPort() + "/health/ready",
            null,
            settings.checkInterval(),
            settings.deregisterCriticalAfter());
    ServiceRegistration queue =
        new ServiceRegistration(
            DiscoveryActor.QUEUE_SERVICE + "-" + node.nodeName(),
            DiscoveryActor.QUEUE_SERVICE,
            node.beanstalkHost(),
            node.beanstalkPort(),
            List.of("dc-" + node.datacenter()),
            Map.of("queue", node.nodeName(), "dc", node.datacenter()),
            null,
            node.beanstalkHost() + ":" + node.beanstalkPort(),
            settings.checkInterval(),
            settings.deregisterCriticalAfter());
    return List.of(self, queue);
  }

  public static Behavior<Command> create(Consul consul, List<ServiceRegistration> registrations, Duration retry, Duration refresh) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  ctx.getSelf().tell(Register.INSTANCE);
                  return Behaviors.receive(Command.class)
                      .onMessage(
                          Register.class,
                          m -> {
                            var all =
                                registrations.stream()
                                    .map(r -> consul.register(r).toCompletableFuture())
                                    .toArray(java.util.concurrent.CompletableFuture[]::new);
                            ctx.pipeToSelf(
                                java.util.concurrent.CompletableFuture.allOf(all),
                                (ok, e) -> new Registered(e == null, e == null ? null : e.toString()));
                            return Behaviors.same();
                          })
                      .onMessage(
                          Registered.class,
                          m -> {
                            if (m.ok()) {
                              timers.startSingleTimer(Register.INSTANCE, refresh);
                            } else {
                              ctx.getLog().warn("registering in Consul failed, retrying: {}", m.problem());
                              timers.startSingleTimer(Register.INSTANCE, retry);
                            }
                            return Behaviors.same();
                          })
                      .build();
                }));
  }
}
