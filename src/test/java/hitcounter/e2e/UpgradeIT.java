package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.infra.Json;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.BeanstalkClient;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.ConsulHttpClient;
import hitcounter.infra.consul.ConsulMetrics;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.LegacyWorker;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A rolling upgrade from the layout before the count store, old and new side by side, on real
 * Consul and beanstalkd: an old worker counts into bucket keys (and one dies between commit and
 * delete), another keeps draining, then a new node starts (writing format-1 jobs, as the
 * upgrade procedure says), takes the old queue over and moves its counts into the store; the old
 * worker is fenced off; then job format 2 is switched on. Every acknowledged hit is counted
 * once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpgradeIT {
  private static final String TOKEN = "upgrade-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Resources resources = new Resources();
  private final ActorTestKit testKit = ActorTestKit.create();
  private Path dir;
  private ConsulServer consulServer;
  private Consul consul;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createDirectories(Path.of("target", "it", "upgrade-" + UUID.randomUUID()));
    consulServer = resources.keep(new ConsulServer("us-west", dir).start());
    consul = new ConsulHttpClient(testKit.system(), Json.mapper(), consulServer.url(), "us-west", Duration.ofSeconds(5), new ConsulMetrics(new SimpleMeterRegistry()));
  }

  @AfterAll
  void stop() {
    resources.close();
    testKit.shutdownTestKit();
  }

  private Beanstalk client(Beanstalkd b) {
    return new BeanstalkClient(testKit.system(), new InetSocketAddress("127.0.0.1", b.port()), Duration.ofSeconds(2), 8192);
  }

  /** What an old node's hit route did: one format-1 job per hit. */
  private static void oldHits(Beanstalk queue, String page, int n) {
    for (int i = 0; i < n; i++) {
      queue.put(page.getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().join();
    }
  }

  private void registerQueue(String queue, int port) throws Exception {
    String body = "{\"ID\":\"beanstalkd-" + queue + "\",\"Name\":\"beanstalkd\",\"Address\":\"127.0.0.1\",\"Port\":" + port
        + ",\"Meta\":{\"queue\":\"" + queue + "\",\"dc\":\"us-west\"},\"Check\":{\"TCP\":\"127.0.0.1:" + port + "\",\"Interval\":\"1s\"}}";
    HTTP.send(HttpRequest.newBuilder(URI.create(consulServer.url() + "/v1/agent/service/register")).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void oldAndNewSideBySideCountEveryHitOnce() throws Exception {
    String page = "upgrade-" + UUID.randomUUID().toString().substring(0, 8);
    Beanstalkd oldQueue = resources.keep(new Beanstalkd(dir).start());
    Beanstalk producer = resources.keep(client(oldQueue));

    // Before: an old node counts 200 hits into bucket keys.
    LegacyWorker first = resources.keep(new LegacyWorker(consul, client(oldQueue), "us-west", "us-west-0"));
    oldHits(producer, page, 200);
    Await.until("the old worker counted 200", Duration.ofSeconds(20), () -> first.counted.get() == 200);
    // It dies between a commit and its delete: those jobs are counted, still queued.
    first.dieAfterNextCommit.set(true);
    oldHits(producer, page, 30);
    Await.until("the old worker died after a commit", Duration.ofSeconds(20), () -> !first.running());
    // Another old worker drains the queue meanwhile (it skips what the first committed).
    LegacyWorker second = resources.keep(new LegacyWorker(consul, client(oldQueue), "us-west", "us-west-0"));
    oldHits(producer, page, 20);

    // The upgrade starts: a new node, writing format-1 jobs while old nodes still run.
    Beanstalkd newQueue = resources.keep(new Beanstalkd(dir).start());
    TestNode node = resources.keep(new TestNode("us-west", "us-west-1", consulServer.url(), newQueue.port(),
        "hitcounter.beanstalk.job-format = 1\nhitcounter.admin-token = \"" + TOKEN + "\""));
    registerQueue("us-west-0", oldQueue.port());
    int taken = 250;
    for (int i = 0; i < 100; i++) {
      oldHits(producer, page, 1); // the old node still takes hits
      assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode());
      taken += 2;
    }
    int expected = taken;
    Await.until("every hit counted once, old and new", Duration.ofSeconds(60),
        () -> Resources.json(node.call("GET", "/api/hits/" + page).body()).path("total").asLong() == expected);
    assertTrue(consul.kvGet(null, StoreKeys.head("us-west", "us-west-0")).toCompletableFuture().join().isPresent(), "the old queue has a head now");
    Await.until("the old worker is fenced off", Duration.ofSeconds(10), () -> second.refused.get() > 0 || oldQueueDrained(oldQueue));

    // The upgrade ends: format 2 from now on, live.
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/api/config/job-format"))
        .PUT(HttpRequest.BodyPublishers.ofString("2")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    for (int i = 0; i < 50; i++) {
      assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode());
    }
    int after = expected + 50;
    Await.until("counted after the switch to format 2", Duration.ofSeconds(20),
        () -> Resources.json(node.call("GET", "/api/hits/" + page).body()).path("total").asLong() == after);
    Thread.sleep(1500);
    assertEquals(after, Resources.json(node.call("GET", "/api/hits/" + page).body()).path("total").asLong(), "and no more once settled");
  }

  private boolean oldQueueDrained(Beanstalkd q) {
    try (Beanstalk c = client(q)) {
      var s = c.stats().toCompletableFuture().join();
      return "0".equals(s.get("current-jobs-ready")) && "0".equals(s.get("current-jobs-reserved"));
    }
  }
}
