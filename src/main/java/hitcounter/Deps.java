package hitcounter;

import hitcounter.count.QueueRef;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.BeanstalkClient;
import hitcounter.infra.beanstalk.MeteredBeanstalk;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.ConsulClient;
import hitcounter.infra.NodeSettings;
import hitcounter.infra.metrics.NodeMetrics;
import java.net.InetSocketAddress;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;

/** The outside world of a node: Consul, its own beanstalkd, and a way to reach any queue. */
public record Deps(Consul consul, Beanstalk ownQueue, Function<QueueRef, Beanstalk> queueClients) {

  /** Real clients, on the given system, measured in the node's registry. */
  public static Deps real(ActorSystem<?> system, NodeSettings node) {
    var registry = NodeMetrics.get(system).registry();
    Function<QueueRef, Beanstalk> connect =
        q -> new MeteredBeanstalk(
            new BeanstalkClient(system, new InetSocketAddress(q.host(), q.port()), node.beanstalkConnectTimeout(), node.beanstalkMaxInFlight()),
            registry,
            q.id());
    return new Deps(
        ConsulClient.get(system),
        connect.apply(new QueueRef(node.nodeName(), node.beanstalkHost(), node.beanstalkPort())),
        connect);
  }
}
