package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.Resources;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Datacenters that stand alone and converge: settings reach every datacenter and settle the
 * same way; a datacenter cut off keeps taking hits and says its figures are stale, then
 * converges; a datacenter WAN-joined later shows up everywhere with no restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiDatacenterIT extends hitcounter.testkit.OneNodePerDatacenter {
  private static final String TOKEN = hitcounter.testkit.TwoDatacenters.TOKEN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    start("multi-dc", "hitcounter.health.stall-after = 3s");
  }


  private static HttpResponse<String> put(TestNode node, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
        .PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode setting(TestNode node, String name) {
    return Resources.json(node.call("GET", "/api/config").body()).path("settings").path(name);
  }

  @Test
  @Order(1)
  void aSettingWrittenInOneDatacenterReachesEveryNodeAndIsGuarded() throws Exception {
    assertEquals(401, put(euNode, "/api/config/colour", "\"#123456\"", null).statusCode());
    assertEquals(401, put(euNode, "/api/config/colour", "\"#123456\"", "wrong").statusCode());
    assertEquals(400, put(euNode, "/api/config/nope", "1", TOKEN).statusCode());
    assertEquals(400, put(euNode, "/api/config/batch-size", "\"many\"", TOKEN).statusCode());
    assertEquals(400, put(euNode, "/api/config/colour", "not json", TOKEN).statusCode());

    HttpResponse<String> r = put(euNode, "/api/config/colour", "\"#123456\"", TOKEN);
    assertEquals(200, r.statusCode(), r.body());
    long version = Resources.json(r.body()).path("version").asLong();
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + " has the colour", Duration.ofSeconds(5),
          () -> setting(n, "colour").path("value").asText().equals("#123456") && setting(n, "colour").path("version").asLong() == version);
    }
    Await.until("both datacenters report it applied", Duration.ofSeconds(5),
        () -> setting(usNode, "colour").path("summary").asText().equals("colour v" + version + " in 2/2 datacenters"));

    // A live setting takes effect without restart: two workers per queue.
    assertEquals(200, put(usNode, "/api/config/workers-per-queue", "2", TOKEN).statusCode());
    Await.until("batch settings applied everywhere", Duration.ofSeconds(5),
        () -> setting(euNode, "workers-per-queue").path("value").asInt() == 2);
  }

  @Test
  @Order(2)
  void concurrentWritesInTwoDatacentersSettleTheSameWayEverywhere() throws Exception {
    // Both write "the next version" at nearly the same time: equal versions, the rule decides.
    var a = HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + usNode.httpPort + "/api/config/linger-ms"))
        .PUT(HttpRequest.BodyPublishers.ofString("7")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    var b = HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + euNode.httpPort + "/api/config/linger-ms"))
        .PUT(HttpRequest.BodyPublishers.ofString("9")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, a.get().statusCode());
    assertEquals(200, b.get().statusCode());
    Await.until("one value everywhere", Duration.ofSeconds(5), () -> {
      JsonNode x = setting(usNode, "linger-ms");
      JsonNode y = setting(euNode, "linger-ms");
      return x.path("value").equals(y.path("value")) && x.path("version").equals(y.path("version"))
          && x.path("source").equals(y.path("source")) && x.path("summary").asText().endsWith("in 2/2 datacenters");
    });
  }

  @Test
  @Order(3)
  void aDatacenterCutOffKeepsTakingHitsSaysItIsStaleAndConverges() throws Exception {
    String page = "cut-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 20; i++) {
      assertEquals(200, usNode.call("POST", "/api/hits/" + page).statusCode());
      assertEquals(200, euNode.call("POST", "/api/hits/" + page).statusCode());
    }
    Await.until("40 everywhere", Duration.ofSeconds(10), () -> Resources.json(euNode.call("GET", "/api/hits/" + page).body()).path("total").asLong() == 40);

    eu.kill(); // eu-west is cut off: its Consul is gone
    long cutAt = System.nanoTime();
    Await.until("eu-west answers stale", Duration.ofSeconds(10), () -> Resources.json(euNode.call("GET", "/api/hits/" + page).body()).path("stale").asBoolean());
    for (int i = 0; i < 30; i++) {
      assertEquals(200, usNode.call("POST", "/api/hits/" + page).statusCode(), "us-west never stops");
      HttpResponse<String> r = euNode.call("POST", "/api/hits/" + page);
      assertEquals(200, r.statusCode(), "eu-west keeps queueing");
      assertTrue(Resources.json(r.body()).path("stale").asBoolean());
      assertTrue(Resources.json(r.body()).path("ageSeconds").asDouble() > 3);
    }
    Await.until("us-west counts its own hits alone", Duration.ofSeconds(10),
        () -> Resources.json(usNode.call("GET", "/api/hits/" + page).body()).path("datacenters").path("us-west").asLong() == 50);
    // us-west says why its answers are stale: eu-west is not heard, and copies to it fail.
    Await.until("us-west reports the failing copies", Duration.ofSeconds(15), () -> {
      JsonNode late = Resources.json(usNode.call("GET", "/api/hits/" + page).body()).path("late");
      boolean copy = false;
      boolean notHeard = false;
      for (JsonNode l : late) {
        copy |= l.path("why").asText().equals("copy-failing") && l.path("subject").asText().equals("eu-west") && l.path("datacenter").asText().equals("us-west");
        notHeard |= l.path("why").asText().equals("not-heard") && l.path("datacenter").asText().equals("eu-west");
      }
      return copy && notHeard;
    });
    Await.until("the copy age shows in /metrics", Duration.ofSeconds(5), () -> usNode.call("GET", "/metrics").body().lines()
        .anyMatch(l -> l.startsWith("hitcounter_replication_copy_age_seconds{") && l.contains("target_datacenter=\"eu-west\"") && !l.endsWith(" 0.0")));

    // A long cut: clients back off from an unreachable Consul; they must come back at once.
    long cut = (System.nanoTime() - cutAt) / 1_000_000;
    Thread.sleep(Math.max(0, 25_000 - cut));
    ConsulServer back = resources.keep(new ConsulServer("eu-west", dir, eu).start(List.of(us.serfWanPort)));
    long healed = System.nanoTime();
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + " converges to 100", Duration.ofSeconds(15), () -> {
        JsonNode v = Resources.json(n.call("GET", "/api/hits/" + page).body());
        return v.path("total").asLong() == 100 && v.path("datacenters").path("eu-west").asLong() == 50;
      });
    }
    System.out.printf("converged %.1f s after the cut healed%n", (System.nanoTime() - healed) / 1e9);
    try {
      Await.until("eu-west fresh again", Duration.ofSeconds(30), () -> !Resources.json(euNode.call("GET", "/api/hits/" + page).body()).path("stale").asBoolean());
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": eu-west answers " + euNode.call("GET", "/api/hits/" + page).body()
          + "; us-west answers " + usNode.call("GET", "/api/hits/" + page).body(), e);
    }
    eu = back;
  }

  @Test
  @Order(4)
  void aDatacenterJoinedLaterIsPickedUpWithoutRestart() throws Exception {
    ConsulServer ap = resources.keep(new ConsulServer("ap-south", dir).start(List.of(us.serfWanPort, eu.serfWanPort)));
    ap.awaitFederation(List.of("us-west", "eu-west", "ap-south"), Duration.ofSeconds(60));
    TestNode apNode = resources.keep(new TestNode("ap-south", "ap-south-0", ap.url(), resources.keep(new Beanstalkd(dir).start()).port()));
    String page = "late-" + UUID.randomUUID().toString().substring(0, 8);
    for (TestNode n : List.of(usNode, euNode, apNode)) {
      for (int i = 0; i < 5; i++) {
        assertEquals(200, n.call("POST", "/api/hits/" + page).statusCode());
      }
    }
    for (TestNode n : List.of(usNode, euNode, apNode)) {
      Await.until(n.name + " shows all three datacenters", Duration.ofSeconds(20), () -> {
        JsonNode v = Resources.json(n.call("GET", "/api/hits/" + page).body());
        return v.path("total").asLong() == 15 && v.path("datacenters").path("ap-south").asLong() == 5
            && v.path("datacenters").path("us-west").asLong() == 5 && v.path("datacenters").path("eu-west").asLong() == 5;
      });
    }
  }

}
