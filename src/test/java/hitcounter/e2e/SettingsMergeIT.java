package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import hitcounter.testkit.TwoDatacenters;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Edits of the sites made in two datacenters that cannot see each other (decision 0016), on two
 * datacenters of two nodes with real Consul: us-west deletes blog, creates news and edits shop
 * while eu-west is out of reach; then eu-west, with us-west out of reach, edits blog (which it
 * still thinks live), edits shop and creates extra. After the heal every node of both
 * datacenters shows the same sites: blog deleted (no edit brings it back at its generation), news
 * and extra both there, shop as the later edit made it, with that edit's stamp.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SettingsMergeIT {
  private final Resources resources = new Resources();
  private TwoDatacenters system;
  private List<TestNode> nodes;

  @BeforeAll
  void start() throws Exception {
    system = new TwoDatacenters("settings-merge", resources, 2);
    nodes = system.nodes;
  }

  private static int admin(TestNode node, String method, String path, String body) {
    try {
      return TwoDatacenters.admin(node, method, path, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).statusCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static void taken(TestNode node, String method, String path, String body) {
    Await.until(node.name + ": " + method + " " + path, Duration.ofSeconds(30), () -> admin(node, method, path, body) == 200);
  }

  private static JsonNode sites(TestNode n) {
    return Resources.json(n.call("GET", "/api/sites").body()).path("sites");
  }

  @Test
  void editsOfTheSitesInTwoDatacentersThatCouldNotSeeEachOtherAllHold() throws Exception {
    TestNode us0 = nodes.get(0);
    TestNode eu0 = nodes.get(2);
    taken(us0, "PUT", "/api/sites/blog", "{}");
    taken(us0, "PUT", "/api/sites/shop", "{\"maxPages\": 5}");
    for (TestNode n : nodes) {
      Await.until(n.name + " knows blog and shop", Duration.ofSeconds(15), () -> sites(n).path("blog").path("live").asBoolean() && sites(n).path("shop").path("live").asBoolean());
    }

    system.eu.kill();
    taken(us0, "DELETE", "/api/sites/blog", null);
    taken(us0, "PUT", "/api/sites/news", "{}");
    taken(us0, "PUT", "/api/sites/shop", "{\"maxPages\": 10}");
    system.us.kill();
    system.eu = system.restart(system.eu, system.us);
    Thread.sleep(1000); // eu-west's edits are the later ones
    taken(eu0, "PUT", "/api/sites/blog", "{\"maxPages\": 7}");
    taken(eu0, "PUT", "/api/sites/shop", "{\"maxPages\": 20}");
    taken(eu0, "PUT", "/api/sites/extra", "{}");
    assertTrue(sites(eu0).path("blog").path("live").asBoolean(), "eu-west could not know of the delete");
    system.us = system.restart(system.us, system.eu);

    for (TestNode n : nodes) {
      Await.until(n.name + " shows every edit that holds", Duration.ofSeconds(90), () -> {
        JsonNode s = sites(n);
        return s.path("blog").path("deleted").asBoolean() && s.path("news").path("live").asBoolean() && s.path("extra").path("live").asBoolean()
            && s.path("shop").path("maxPages").asLong() == 20;
      });
    }
    Thread.sleep(1000);
    JsonNode first = sites(nodes.get(0));
    for (TestNode n : nodes) {
      JsonNode s = sites(n);
      assertEquals(first.path("shop").path("written"), s.path("shop").path("written"), n.name + ": the same edit of shop is in force");
      assertEquals("eu-west", s.path("shop").path("written").path("dc").asText(), n.name + " shows which edit won: " + s.path("shop"));
      assertFalse(s.path("blog").path("live").asBoolean(), n.name + ": blog stays deleted");
      assertEquals(1, s.path("blog").path("generation").asLong(), n.name + ": at its generation");
      assertEquals(403, n.call("POST", "/api/hits/blog/home").statusCode(), n.name + ": blog counts nothing");
    }
    // An edit now, with every write known: it holds, and its answer says so.
    JsonNode answer = Resources.json(TwoDatacenters.admin(nodes.get(1), "PUT", "/api/sites/shop", "{\"maxPages\": 30}".getBytes(java.nio.charset.StandardCharsets.UTF_8)).body());
    assertTrue(answer.path("held").asBoolean(), answer.toString());
    assertEquals(answer.path("definition"), answer.path("inForce"), answer.toString());
    assertEquals(30, answer.path("inForce").path("maxPages").asLong());
  }

  @AfterAll
  void stop() {
    resources.close();
  }
}
