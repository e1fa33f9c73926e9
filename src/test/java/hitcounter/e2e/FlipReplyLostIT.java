package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.SwallowingProxy;
import hitcounter.testkit.TestNode;
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
 * A fold's flip commits in Consul and its reply is lost: a TCP proxy between the node and its
 * Consul forwards the flip, swallows Consul's answer and closes the connection. The node sends
 * nothing twice (its pools do not retry) and reads the pointer back: the flip stands, the
 * manifest it names is there, folds go on and every hit is counted once. Before (pool retries,
 * no read-back), the retry was answered 409 and the folder deleted the live manifest: every view
 * froze.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlipReplyLostIT {
  private final Resources resources = new Resources();
  private ConsulServer consul;
  private SwallowingProxy proxy;
  private TestNode node;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "flip-" + UUID.randomUUID()));
    consul = resources.keep(new ConsulServer("us-west", dir).start());
    proxy = new SwallowingProxy(consul.httpPort, "PUT /v1/txn", "\"Verb\":\"cas\",\"Key\":\"" + StoreKeys.snapshotPointer("us-west") + "\"");
    String folds = "hitcounter.store.min-fold-bytes = 1\nhitcounter.store.max-entries = 10\nhitcounter.store.fold-check-interval = 200ms\n";
    node = resources.keep(new TestNode("us-west", "us-west-0", proxy.url(), resources.keep(new Beanstalkd(dir).start()).port(), folds));
  }

  @AfterAll
  void stop() throws Exception {
    resources.close();
    proxy.close();
  }

  private SnapshotPointer pointer() {
    String body = consul.get("/v1/kv/" + StoreKeys.snapshotPointer("us-west"));
    if (body.isBlank()) {
      return SnapshotPointer.NONE;
    }
    return SnapshotPointer.parse(Base64.getDecoder().decode(Resources.json(body).get(0).path("Value").asText())).orElse(SnapshotPointer.NONE);
  }

  @Test
  void aFlipWhoseReplyIsLostStandsAndFoldsGoOn() throws Exception {
    String page = "flip-" + UUID.randomUUID().toString().substring(0, 8);
    long acked = 0;
    long deadline = System.currentTimeMillis() + 30_000;
    while (proxy.swallowed() == 0 && System.currentTimeMillis() < deadline) {
      acked += node.call("POST", "/api/hits/" + page).statusCode() == 200 ? 1 : 0;
      Thread.sleep(20);
    }
    assertEquals(1, proxy.swallowed(), "a flip's reply was swallowed");
    long swallowedGen = pointer().gen();
    for (int i = 0; i < 100; i++) {
      acked += node.call("POST", "/api/hits/" + page).statusCode() == 200 ? 1 : 0;
      Thread.sleep(20);
    }
    long all = acked;
    Await.until("every hit counted, folds going on past the lost reply", Duration.ofSeconds(30), () -> {
      JsonNode a = Resources.json(node.call("GET", "/api/hits/" + page).body());
      return a.path("total").asLong() == all && pointer().gen() > swallowedGen;
    });
    SnapshotPointer p = pointer();
    assertFalse(consul.get("/v1/kv/" + p.manifestKey()).isBlank(), "the manifest the pointer names is there");
    JsonNode answer = Resources.json(node.call("GET", "/api/hits/" + page).body());
    assertEquals(all, answer.path("total").asLong());
    assertFalse(answer.path("stale").asBoolean(), answer.toString());
    assertTrue(swallowedGen >= 1);
  }
}
