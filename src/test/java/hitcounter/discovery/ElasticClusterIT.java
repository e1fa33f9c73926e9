package hitcounter.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import hitcounter.testkit.Await;
import hitcounter.testkit.Resources;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A datacenter grows from two to three nodes and shrinks back: each time the Pekko cluster
 * (formed by Cluster Bootstrap on Consul) and the queue assignment follow, with no config change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ElasticClusterIT {
  private final Resources resources = new Resources();


  private static Set<String> upMembers(TestNode node) {
    Set<String> up = new TreeSet<>();
    Resources.json(node.management("/cluster/members").body()).path("members").forEach(m -> {
      if (m.path("status").asText().equals("Up")) {
        up.add(m.path("node").asText());
      }
    });
    return up;
  }

  /** Every queue has exactly one drainer, and every live node drains one queue. */
  private static boolean balanced(TestNode observer, Set<String> liveNodes, int queues) {
    JsonNode t = Resources.json(observer.management("/topology").body());
    if (t.path("queues").size() != queues || !Set.copyOf(names(t.path("nodes"))).equals(liveNodes)) {
      return false;
    }
    Set<String> drainers = new TreeSet<>();
    for (JsonNode q : t.path("queues")) {
      if (q.path("drainedBy").size() != 1) {
        return false;
      }
      drainers.add(q.path("drainedBy").get(0).asText());
    }
    return drainers.equals(liveNodes) || (queues > liveNodes.size() && drainers.containsAll(liveNodes));
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void nodesJoinAndLeaveWithoutConfiguration() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "elastic-" + UUID.randomUUID()));
    ConsulServer consul = resources.keep(new ConsulServer("us-west", dir).start());
    List<Beanstalkd> queues = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queues.add(resources.keep(new Beanstalkd(dir).start()));
    }
    TestNode a = resources.keep(new TestNode("us-west", "us-west-0", consul.url(), queues.get(0).port()));
    TestNode b = resources.keep(new TestNode("us-west", "us-west-1", consul.url(), queues.get(1).port()));
    Await.until("a cluster of 2", Duration.ofSeconds(30), () -> upMembers(a).size() == 2 && upMembers(b).size() == 2);
    Await.until("2 queues on 2 nodes", Duration.ofSeconds(15), () -> balanced(a, Set.of("us-west-0", "us-west-1"), 2));

    TestNode c = resources.keep(new TestNode("us-west", "us-west-2", consul.url(), queues.get(2).port()));
    Await.until("a cluster of 3 within 15 s", Duration.ofSeconds(15), () -> upMembers(a).size() == 3 && upMembers(c).size() == 3);
    Await.until("3 queues on 3 nodes", Duration.ofSeconds(15), () -> balanced(c, Set.of("us-west-0", "us-west-1", "us-west-2"), 3));

    // Hits taken by the third node, then it leaves: its queue is drained by the others.
    String page = "elastic-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 60; i++) {
      assertEquals(200, List.of(a, b, c).get(i % 3).call("POST", "/api/hits/" + page).statusCode());
    }
    c.close();
    Await.until("the cluster back to 2", Duration.ofSeconds(30), () -> upMembers(a).size() == 2);
    Await.until("3 queues on the 2 nodes left", Duration.ofSeconds(15), () -> balanced(a, Set.of("us-west-0", "us-west-1"), 3));
    Await.until("every hit counted once", Duration.ofSeconds(15),
        () -> Resources.json(a.call("GET", "/api/hits/" + page).body()).path("total").asLong() == 60);
    Thread.sleep(1500);
    assertEquals(60, Resources.json(b.call("GET", "/api/hits/" + page).body()).path("total").asLong());
  }

  @AfterAll
  void stop() {
    resources.close();
  }

}
