package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rolling upgrade to URL paths (job format 4), on real Consul and beanstalkd, two nodes: while
 * job-format is 3 (older nodes may still read the queues) page ids count and a path is answered
 * 503 (never acknowledged, so never lost); job-format 4 is then set live under load, and set back
 * to 3 and to 4 again in the middle of a burst of paths. Every hit answered 200 is counted once
 * on both nodes, jobs of both formats side by side in the queues.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathsUpgradeIT {
  private static final String TOKEN = "paths-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Resources resources = new Resources();
  private TestNode a;
  private TestNode b;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "paths-upgrade-" + UUID.randomUUID()));
    ConsulServer consul = resources.keep(new ConsulServer("us-west", dir).start());
    String extra = "hitcounter.beanstalk.job-format = 3\nhitcounter.admin-token = \"" + TOKEN + "\"";
    a = resources.keep(new TestNode("us-west", "us-west-0", consul.url(), resources.keep(new Beanstalkd(dir).start()).port(), extra));
    b = resources.keep(new TestNode("us-west", "us-west-1", consul.url(), resources.keep(new Beanstalkd(dir).start()).port(), extra));
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private void jobFormat(int f) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.httpPort + "/api/config/job-format"))
        .PUT(HttpRequest.BodyPublishers.ofString(Integer.toString(f))).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    for (TestNode n : List.of(a, b)) {
      Await.until("job-format " + f + " on " + n.httpPort, Duration.ofSeconds(10),
          () -> Resources.json(n.call("GET", "/api/config").body()).path("settings").path("job-format").path("value").asInt() == f);
    }
  }

  private long total(TestNode n, String query) {
    return Resources.json(n.call("GET", "/api/hits" + query).body()).path("total").asLong();
  }

  @Test
  void noAcknowledgedHitIsLostAcrossTheSwitch() throws Exception {
    String id = "up-" + UUID.randomUUID().toString().substring(0, 6);
    String path = "/up grade/" + id + "/café";
    AtomicLong ids = new AtomicLong();
    AtomicLong paths = new AtomicLong();
    // Before the switch: ids count, paths wait (503, saying why).
    for (int i = 0; i < 40; i++) {
      TestNode n = i % 2 == 0 ? a : b;
      assertEquals(200, n.call("POST", "/api/hits/" + id).statusCode());
      ids.incrementAndGet();
      HttpResponse<String> r = n.call("POST", "/api/hits?path=" + q(path));
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(r.body().contains("job-format"), r.body());
    }
    // The switch, under load, then back and forth in the middle of a burst of paths.
    Thread load = new Thread(() -> {
      for (int i = 0; i < 600; i++) {
        TestNode n = i % 2 == 0 ? a : b;
        if (n.call("POST", "/api/hits/" + id).statusCode() == 200) {
          ids.incrementAndGet();
        }
        if (n.call("POST", "/api/hits?path=" + q(path)).statusCode() == 200) {
          paths.incrementAndGet();
        }
      }
    });
    load.start();
    Thread.sleep(300);
    jobFormat(4);
    Thread.sleep(500);
    jobFormat(3);
    Thread.sleep(300);
    jobFormat(4);
    load.join(120_000);
    assertTrue(paths.get() > 100, "paths were counted after the switch: " + paths.get());
    String read = "?path=" + q(path);
    for (TestNode n : List.of(a, b)) {
      Await.until("every acknowledged hit counted on " + n.httpPort, Duration.ofSeconds(60),
          () -> total(n, "/" + id) == ids.get() && total(n, read) == paths.get());
    }
    Thread.sleep(2000);
    for (TestNode n : List.of(a, b)) {
      assertEquals(ids.get(), total(n, "/" + id), "ids, once");
      assertEquals(paths.get(), total(n, read), "paths, once");
    }
    assertEquals(0, Resources.json(a.call("GET", "/api/topology").body()).path("queues").findValues("buried").stream().mapToLong(v -> v.asLong()).sum(),
        "no job was buried");
  }
}
