package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
  private static final String TOKEN = "it-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Resources resources = new Resources();
  private Path dir;
  private ConsulServer us;
  private ConsulServer eu;
  private List<TestNode> nodes;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createDirectories(Path.of("target", "it", "settings-merge-" + UUID.randomUUID()));
    List<ConsulServer> consuls = ConsulServer.twoDatacenters(dir, resources);
    us = consuls.get(0);
    eu = consuls.get(1);
    String extra = "hitcounter.admin-token = \"" + TOKEN + "\"";
    nodes = List.of(node("us-west", "us-west-0", us, extra), node("us-west", "us-west-1", us, extra),
        node("eu-west", "eu-west-0", eu, extra), node("eu-west", "eu-west-1", eu, extra));
  }

  private TestNode node(String dc, String name, ConsulServer consul, String extra) throws Exception {
    return resources.keep(new TestNode(dc, name, consul.url(), resources.keep(new Beanstalkd(dir).start()).port(), extra));
  }

  private static int admin(TestNode node, String method, String path, String body) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path)).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + TOKEN)
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (Exception e) {
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

    eu.kill();
    taken(us0, "DELETE", "/api/sites/blog", null);
    taken(us0, "PUT", "/api/sites/news", "{}");
    taken(us0, "PUT", "/api/sites/shop", "{\"maxPages\": 10}");
    us.kill();
    eu = resources.keep(new ConsulServer("eu-west", dir, eu).start(List.of(us.serfWanPort)));
    Thread.sleep(1000); // eu-west's edits are the later ones
    taken(eu0, "PUT", "/api/sites/blog", "{\"maxPages\": 7}");
    taken(eu0, "PUT", "/api/sites/shop", "{\"maxPages\": 20}");
    taken(eu0, "PUT", "/api/sites/extra", "{}");
    assertTrue(sites(eu0).path("blog").path("live").asBoolean(), "eu-west could not know of the delete");
    us = resources.keep(new ConsulServer("us-west", dir, us).start(List.of(eu.serfWanPort)));

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
  }

  @AfterAll
  void stop() {
    resources.close();
  }
}
