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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An operator restores eu-west's Consul from a snapshot taken 5 s earlier ({@code consul
 * snapshot save} / {@code restore}, here through the same HTTP API) while hits keep arriving in
 * both datacenters. Afterwards every node shows the same total and the same eu-west figure: what
 * us-west's copy of eu-west held is brought back into eu-west before the copy follows it, and
 * the rest (committed after the last copy round) is reported lost in /api/audit, so the total is
 * every acknowledged hit less that. Before, us-west kept the lost hits and eu-west did not: the
 * datacenters disagreed, both "fresh".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapshotRestoreIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Resources resources = new Resources();
  private ConsulServer us;
  private ConsulServer eu;
  private TestNode usNode;
  private TestNode euNode;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "restore-" + UUID.randomUUID()));
    List<ConsulServer> consuls = ConsulServer.twoDatacenters(dir, resources);
    us = consuls.get(0);
    eu = consuls.get(1);
    usNode = resources.keep(new TestNode("us-west", "us-west-0", us.url(), resources.keep(new Beanstalkd(dir).start()).port(), ""));
    euNode = resources.keep(new TestNode("eu-west", "eu-west-0", eu.url(), resources.keep(new Beanstalkd(dir).start()).port(), ""));
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  private static JsonNode answer(TestNode n, String page) {
    return Resources.json(n.call("GET", "/api/hits/" + page).body());
  }

  private static long lost(TestNode n) {
    return Resources.json(n.call("GET", "/api/audit").body()).path("lost").path("byDatacenter").path("eu-west").asLong();
  }

  private static long recovered(TestNode n) {
    return Resources.json(n.call("GET", "/api/audit").body()).path("lost").path("recoveredByDatacenter").path("eu-west").asLong();
  }

  @Test
  void aDatacenterRestoredFromAnOlderSnapshotAgreesWithTheOtherAndReportsWhatItLost() throws Exception {
    String page = "restore-" + UUID.randomUUID().toString().substring(0, 8);
    AtomicLong acked = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread hitter = new Thread(() -> {
      while (running.get()) {
        for (TestNode n : List.of(usNode, euNode)) {
          if (n.call("POST", "/api/hits/" + page).statusCode() == 200) {
            acked.incrementAndGet();
          }
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "hitter");
    hitter.start();
    try {
      Thread.sleep(3000);
      byte[] snapshot = HTTP.send(eu.request("/v1/snapshot").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
      Thread.sleep(5000);
      HttpResponse<String> restored = HTTP.send(eu.request("/v1/snapshot").timeout(Duration.ofSeconds(60))
          .PUT(HttpRequest.BodyPublishers.ofByteArray(snapshot)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, restored.statusCode(), restored.body());
      Thread.sleep(5000);
    } finally {
      running.set(false);
      hitter.join();
    }
    long all = acked.get();
    try {
      Await.until("every node agrees on every acknowledged hit less what the audit reports lost", Duration.ofSeconds(60), () -> {
        JsonNode a = answer(usNode, page);
        JsonNode b = answer(euNode, page);
        long lost = lost(usNode);
        return a.path("total").asLong() == b.path("total").asLong()
            && a.path("datacenters").path("eu-west").asLong() == b.path("datacenters").path("eu-west").asLong()
            && a.path("total").asLong() + lost == all
            && lost == lost(euNode);
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": acknowledged " + all + "; us-west-0 answers " + answer(usNode, page) + "; eu-west-0 answers "
          + answer(euNode, page) + "; lost (us-west-0's audit) " + Resources.json(usNode.call("GET", "/api/audit").body()).path("lost")
          + "; eu-west-0's audit " + Resources.json(euNode.call("GET", "/api/audit").body()).path("lost"), e);
    }
    Thread.sleep(2000);
    JsonNode a = answer(usNode, page);
    JsonNode b = answer(euNode, page);
    assertEquals(all - lost(usNode), a.path("total").asLong(), "nothing counted twice");
    assertEquals(a.path("total").asLong(), b.path("total").asLong());
    assertFalse(a.path("stale").asBoolean(), a.toString());
    assertFalse(b.path("stale").asBoolean(), b.toString());
    assertTrue(recovered(usNode) > 0, "what us-west's copy of eu-west held came back: " + usNode.call("GET", "/api/audit").body());
  }
}
