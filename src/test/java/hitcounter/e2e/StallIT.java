package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.store.StoreKeys;
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
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A stall is loud: when a queue cannot be counted (its head in Consul was damaged), the node
 * keeps taking hits and stays ready, but every answer says its figures are stale, which queue is
 * late, why and for how long; /metrics shows the oldest job's age; when the head is repaired the
 * backlog is counted and the answers are fresh again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StallIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Resources resources = new Resources();
  private ConsulServer consul;
  private TestNode node;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "stall-" + UUID.randomUUID()));
    consul = resources.keep(new ConsulServer("us-west", dir).start());
    Beanstalkd queue = resources.keep(new Beanstalkd(dir).start());
    node = resources.keep(new TestNode("us-west", "us-west-0", consul.url(), queue.port(), "hitcounter.health.stall-after = 3s"));
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  private byte[] kv(String key) throws Exception {
    JsonNode e = Resources.json(consul.get("/v1/kv/" + key)).get(0);
    return Base64.getDecoder().decode(e.path("Value").asText());
  }

  private void put(String key, byte[] value) throws Exception {
    HTTP.send(HttpRequest.newBuilder(URI.create(consul.url() + "/v1/kv/" + key)).PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aQueueThatCannotBeCountedMakesEveryAnswerSayWhyUntilItIsRepaired() throws Exception {
    String page = "stall-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode());
    Await.until("counted", Duration.ofSeconds(10), () -> Resources.json(node.call("GET", "/api/hits/" + page).body()).path("total").asLong() == 1);
    String head = StoreKeys.head("us-west", "us-west-0");
    byte[] good = kv(head);
    put(head, "not json {{{".getBytes());
    for (int i = 0; i < 20; i++) {
      assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode(), "hits are still taken");
    }
    // The worker holds the batch it reserved while it retries; hits that come after it are
    // ready jobs that wait. (Without this second wave the test depended on how many of the first
    // 20 the worker happened to reserve: all of them left no ready job to be late.)
    Await.until("commits fail", Duration.ofSeconds(20), () -> node.call("GET", "/metrics").body().lines()
        .anyMatch(l -> l.startsWith("hitcounter_worker_failing_seconds{") && !l.endsWith(" 0.0")));
    for (int i = 0; i < 5; i++) {
      assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode(), "hits are still taken");
    }
    Await.until("answers say counting is stalled", Duration.ofSeconds(20), () -> {
      JsonNode r = Resources.json(node.call("GET", "/api/hits/" + page).body());
      boolean counting = false;
      boolean failing = false;
      for (JsonNode l : r.path("late")) {
        counting |= l.path("why").asText().equals("counting") && l.path("subject").asText().equals("us-west-0");
        failing |= l.path("why").asText().equals("commit-failing") && l.path("subject").asText().equals("us-west-0");
      }
      return r.path("stale").asBoolean() && counting && failing && r.path("counting").path("lagSeconds").asDouble() > 3;
    });
    assertEquals(200, node.management("/health/ready").statusCode(), "still ready: the node takes hits");
    String metrics = node.call("GET", "/metrics").body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hitcounter_queue_oldest_ready_seconds{") && !l.endsWith(" 0.0")), "oldest job age in /metrics");
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hitcounter_worker_failing_seconds{") && !l.endsWith(" 0.0")), "failing commits in /metrics");

    put(head, good);
    Await.until("the backlog is counted and answers are fresh", Duration.ofSeconds(20), () -> {
      JsonNode r = Resources.json(node.call("GET", "/api/hits/" + page).body());
      return r.path("total").asLong() == 26 && !r.path("stale").asBoolean();
    });
  }
}
