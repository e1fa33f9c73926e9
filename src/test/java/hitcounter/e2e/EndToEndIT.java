package hitcounter.e2e;

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
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two WAN-federated datacenters on real Consul servers, two nodes each with its own real
 * beanstalkd: hits taken anywhere show up as one total, split per datacenter, on every node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndIT {
  private final Resources resources = new Resources();
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  void startTwoDatacenters() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "e2e-" + UUID.randomUUID()));
    List<ConsulServer> consuls = ConsulServer.twoDatacenters(dir, resources);
    ConsulServer us = consuls.get(0);
    ConsulServer eu = consuls.get(1);
    for (ConsulServer consul : List.of(us, eu)) {
      for (int i = 0; i < 2; i++) {
        Beanstalkd queue = resources.keep(new Beanstalkd(dir).start());
        nodes.add(resources.keep(new TestNode(consul.datacenter(), consul.datacenter() + "-" + i, consul.url(), queue.port())));
      }
    }
  }

  @Test
  void everyNodeShowsTheSameTotalSplitByDatacenter() {
    String page = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    int hits = 500;
    for (int i = 0; i < hits; i++) {
      TestNode node = nodes.get(i % nodes.size());
      assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode(), "hit " + i + " on " + node.name);
    }
    for (TestNode node : nodes) {
      Await.until(
          node.name + " shows " + hits,
          Duration.ofSeconds(10),
          () -> {
            JsonNode reply = Resources.json(node.call("GET", "/api/hits/" + page).body());
            return reply.path("total").asLong() == hits
                && reply.path("datacenters").path("us-west").asLong() == hits / 2
                && reply.path("datacenters").path("eu-west").asLong() == hits / 2;
          });
    }
    JsonNode any = Resources.json(nodes.get(3).call("GET", "/api/hits/" + page).body());
    assertEquals("eu-west", any.path("datacenter").asText());
    assertEquals(Map.of("us-west", 250L, "eu-west", 250L), Map.of(
        "us-west", any.path("datacenters").path("us-west").asLong(),
        "eu-west", any.path("datacenters").path("eu-west").asLong()));
  }

  @Test
  void invalidPageIdsAre400AndCountNothing() {
    TestNode node = nodes.get(0);
    for (String bad : List.of("a%2Fb", "default/a%2Fb", "sp%20ace", "x".repeat(129), "caf%C3%A9")) {
      var r = node.call("POST", "/api/hits/" + bad);
      assertEquals(400, r.statusCode(), bad);
      assertEquals("bad-page-id", Resources.json(r.body()).path("error").asText());
    }
    assertEquals(400, node.call("POST", "/api/hits/").statusCode());
    // Two segments name a site and its page (since sites): a site that does not exist is a 403.
    assertEquals(403, node.call("POST", "/api/hits/a/b").statusCode());
  }

  @AfterAll
  void stopEverything() {
    resources.close();
  }


}
