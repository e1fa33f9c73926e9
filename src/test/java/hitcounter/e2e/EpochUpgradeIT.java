package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The upgrade to entries named in epochs (decision 0012), on real Consul and beanstalkd, in the
 * style of UpgradeIT: a queue's journal as the version before epochs left it (entries
 * {@code j/<queue>/<seq>}, a head without epochs) is counted on by a node with
 * {@code store-format} 1 (the rolling-upgrade setting: old names go on), then, with
 * {@code store-format} 2 and the node started again, in a new epoch; the old keys are read as
 * they are, never rewritten, and every hit is counted once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EpochUpgradeIT {
  private static final String TOKEN = "epoch-secret";
  private final Resources resources = new Resources();
  private ConsulServer consul;
  private int beanstalkPort;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "epochs-" + UUID.randomUUID()));
    consul = resources.keep(new ConsulServer("us-west", dir).start());
    beanstalkPort = resources.keep(new Beanstalkd(dir).start()).port();
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  private void put(String key, byte[] value) {
    var r = consul.send(consul.request("/v1/kv/" + key).PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build());
    assertEquals(200, r.statusCode(), r.body());
  }

  private List<String> journal() {
    String body = consul.get("/v1/kv/" + StoreKeys.entriesPrefix("us-west", "us-west-0") + "?keys");
    List<String> keys = new java.util.ArrayList<>();
    if (!body.isBlank()) {
      Resources.json(body).forEach(n -> keys.add(n.asText()));
    }
    return keys;
  }

  private static long total(hitcounter.testkit.TestNode n, String page) {
    return Resources.json(n.call("GET", "/api/hits/" + page).body()).path("total").asLong();
  }

  @Test
  void aJournalOfTheLayoutBeforeEpochsIsCountedOnAndThenWrittenInEpochs() throws Exception {
    String page = "upgrade-" + UUID.randomUUID().toString().substring(0, 8);
    put(StoreKeys.entry("us-west", "us-west-0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of(page, 2L)));
    put(StoreKeys.entry("us-west", "us-west-0", 2), CountsCodec.encode(CountsCodec.ENTRY, Map.of(page, 1L)));
    put(StoreKeys.head("us-west", "us-west-0"), new QueueHead(2, 3, 0, Map.of(), 0).toBytes());

    String admin = "hitcounter.admin-token = \"" + TOKEN + "\"\n";
    var old = new hitcounter.testkit.TestNode("us-west", "us-west-0", consul.url(), beanstalkPort, admin + "hitcounter.store.format = 1");
    for (int i = 0; i < 10; i++) {
      assertEquals(200, old.call("POST", "/api/hits/" + page).statusCode());
    }
    Await.until("13 counted with the old names", Duration.ofSeconds(20), () -> total(old, page) == 13);
    assertTrue(journal().size() >= 3, journal().toString());
    assertTrue(journal().stream().noneMatch(k -> k.contains("~")), "store-format 1 writes the old names: " + journal());
    // Every node runs this version now: store-format 2, then the node is started again.
    var set = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + old.httpPort + "/api/config/store-format"))
        .PUT(HttpRequest.BodyPublishers.ofString("2")).header("Authorization", "Bearer " + TOKEN).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, set.statusCode(), set.body());
    old.close();

    var upgraded = resources.keep(new hitcounter.testkit.TestNode("us-west", "us-west-0", consul.url(), beanstalkPort, admin));
    for (int i = 0; i < 10; i++) {
      assertEquals(200, upgraded.call("POST", "/api/hits/" + page).statusCode());
    }
    Await.until("23 counted", Duration.ofSeconds(20), () -> total(upgraded, page) == 23);
    assertTrue(journal().stream().anyMatch(k -> k.contains("~")), "entries written after the upgrade carry an epoch: " + journal());
    String head = new String(java.util.Base64.getDecoder().decode(Resources.json(consul.get("/v1/kv/" + StoreKeys.head("us-west", "us-west-0"))).get(0)
        .path("Value").asText()));
    assertTrue(head.contains("\"epochs\""), head);
    Thread.sleep(2000);
    assertEquals(23, total(upgraded, page), "every hit counted once");
    assertFalse(Resources.json(upgraded.call("GET", "/api/hits/" + page).body()).path("stale").asBoolean());
  }

}
