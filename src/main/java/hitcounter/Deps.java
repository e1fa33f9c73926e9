package hitcounter;

import hitcounter.count.QueueRef;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.BeanstalkClient;
import hitcounter.infra.consul.ConsulHttpClient;
import hitcounter.infra.consul.CountingConsul;
import java.net.InetSocketAddress;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;

/** The outside world of a node: Consul, its own beanstalkd, and a way to reach any queue. */
public record Deps(CountingConsul consul, Beanstalk ownQueue, Function<QueueRef, Beanstalk> queueClients) {

  /** Real clients, on the given system. */
  public static Deps real(ActorSystem<?> system, NodeSettings node) {
    CountingConsul consul =
        new CountingConsul(new ConsulHttpClient(system, Json.mapper(), node.consulUrl(), node.datacenter(), node.consulRequestTimeout()));
    Function<InetSocketAddress, Beanstalk> connect =
        address -> new BeanstalkClient(system, address, node.beanstalkConnectTimeout(), node.beanstalkMaxInFlight());
    return new Deps(
        consul,
        connect.apply(new InetSocketAddress(node.beanstalkHost(), node.beanstalkPort())),
        q -> connect.apply(new InetSocketAddress(q.host(), q.port())));
  }
}
