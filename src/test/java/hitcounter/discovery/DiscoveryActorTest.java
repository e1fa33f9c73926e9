package hitcounter.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hitcounter.count.QueueRef;
import hitcounter.count.Worker;
import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiscoveryActorTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static ServiceInstance node(String name) {
    return new ServiceInstance("hitcounter-" + name, "hitcounter", "consul", "127.0.0.1", 1, List.of(), Map.of("node", name));
  }

  private static ServiceInstance queue(String name, int port) {
    return new ServiceInstance("beanstalkd-" + name, "beanstalkd", "consul", "127.0.0.1", port, List.of(), Map.of("queue", name));
  }

  @Test
  void runsWorkersForExactlyTheQueuesThisNodeWins() {
    FakeConsul consul = new FakeConsul("us-west");
    Map<String, Boolean> alive = new ConcurrentHashMap<>();
    DiscoveryActor.WorkerFactory fake =
        q -> Behaviors.setup(ctx -> {
          alive.put(q.id(), true);
          return Behaviors.receive(Worker.Command.class)
              .onSignal(PostStop.class, s -> {
                alive.remove(q.id());
                return Behaviors.same();
              })
              .build();
        });
    List<ServiceInstance> queues = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      queues.add(queue("n" + i, 11300 + i));
    }
    consul.setServices("beanstalkd", queues);
    consul.setServices("hitcounter", List.of(node("n0"), node("n1")));
    var watch = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
    var discovery = testKit.spawn(DiscoveryActor.create("n0", consul, fake, () -> 1, null, watch, Duration.ofSeconds(1)));

    TestProbe<DiscoveryActor.Topology> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      discovery.tell(new DiscoveryActor.GetTopology(probe.getRef()));
      DiscoveryActor.Topology t = probe.receiveMessage();
      List<String> expected = Rendezvous.assign(t.queues().keySet(), List.of("n0", "n1"), 1).entrySet().stream()
          .filter(e -> e.getValue().contains("n0")).map(Map.Entry::getKey).toList();
      assertEquals(6, t.queues().size());
      assertEquals(expected, t.mine());
      assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(alive.keySet()));
      return null;
    });

    // n1 dies: n0 takes every queue, including the ones whose node is gone.
    consul.setServices("hitcounter", List.of(node("n0")));
    probe.awaitAssert(() -> {
      assertEquals(6, alive.size());
      return null;
    });

    // A queue disappears: its worker stops.
    consul.setServices("beanstalkd", queues.subList(0, 5));
    probe.awaitAssert(() -> {
      assertEquals(5, alive.size());
      return null;
    });
  }
}
