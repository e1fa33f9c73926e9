package hitcounter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.NodeProcess;
import hitcounter.testkit.Ports;
import hitcounter.testkit.Resources;
import hitcounter.testkit.ServerProcess;
import hitcounter.testkit.TestNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What an operator plugs in on day one, against a real Prometheus (Debian's 2.42) scraping a
 * two-datacenter system every second with deploy/prometheus/hitcounter.rules.yml loaded: every
 * query of deploy/grafana's dashboard evaluates and returns data; two real faults (eu-west's
 * Consul stopped, us-west-0's queue paused in its beanstalkd) fire their alerts in Prometheus's
 * /api/v1/alerts, the dashboard's panels of those faults show them, and the alerts resolve after
 * the heal. eu-west-0 runs as its own process with JSON logs: every line of its log parses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TELEMETRY = "telemetry { prometheus_retention_time = \"60s\" disable_hostname = true }";
  private static final String UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
  private final Resources resources = new Resources();
  private Path dir;
  private ConsulServer us;
  private ConsulServer eu;
  private TestNode usNode;
  private NodeProcess euNode;
  private Beanstalkd usQueue;
  private Path euLog;
  private int prometheusPort;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createDirectories(Path.of("target", "it", "prometheus-" + UUID.randomUUID())).toAbsolutePath();
    us = resources.keep(new ConsulServer("us-west", dir).withHcl(TELEMETRY, null).start());
    eu = resources.keep(new ConsulServer("eu-west", dir).withHcl(TELEMETRY, null).start(List.of(us.serfWanPort)));
    us.awaitFederation(List.of("us-west", "eu-west"), Duration.ofSeconds(60));
    usQueue = resources.keep(new Beanstalkd(dir).start());
    usNode = resources.keep(new TestNode("us-west", "us-west-0", us.url(), usQueue.port()));
    euLog = dir.resolve("eu-west-0.log");
    euNode = resources.keep(new NodeProcess("eu-west", "eu-west-0", eu.url(), resources.keep(new Beanstalkd(dir).start()).port(), euLog)
        .start(Map.of("HC_LOG_FORMAT", "json")));
    prometheusPort = Ports.free();
    Path rules = Path.of("deploy", "prometheus", "hitcounter.rules.yml").toAbsolutePath();
    String config = "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        + "rule_files: ['" + rules + "']\n"
        + "scrape_configs:\n"
        + "  - job_name: hitcounter\n"
        + "    honor_labels: true\n"
        + "    static_configs:\n"
        + "      - {targets: ['127.0.0.1:" + usNode.httpPort + "'], labels: {datacenter: us-west}}\n"
        + "      - {targets: ['127.0.0.1:" + euNode.httpPort + "'], labels: {datacenter: eu-west}}\n"
        + "  - job_name: consul\n"
        + "    metrics_path: /v1/agent/metrics\n"
        + "    params: {format: [prometheus]}\n"
        + "    static_configs:\n"
        + "      - {targets: ['127.0.0.1:" + us.httpPort + "'], labels: {datacenter: us-west}}\n"
        + "      - {targets: ['127.0.0.1:" + eu.httpPort + "'], labels: {datacenter: eu-west}}\n";
    Files.writeString(dir.resolve("prometheus.yml"), config);
    resources.keep(new ServerProcess("prometheus", List.of(ServerProcess.tool("prometheus"),
        "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
        "--web.listen-address=127.0.0.1:" + prometheusPort, "--log.level=warn"), dir.resolve("prometheus.log")).start());
    Await.until("Prometheus ready", Duration.ofSeconds(30), () -> get("/-/ready").statusCode() == 200);
  }

  private HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null;
    }
  }

  /** The result of an instant query; fails on a query Prometheus refuses. */
  private JsonNode query(String expr) {
    HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    JsonNode body = Resources.json(r.body());
    assertEquals("success", body.path("status").asText(), expr + ": " + r.body());
    return body.path("data").path("result");
  }

  /** Firing alerts named {@code name} whose labels hold {@code labels}. */
  private boolean firing(String name, Map<String, String> labels) {
    for (JsonNode a : Resources.json(get("/api/v1/alerts").body()).path("data").path("alerts")) {
      boolean match = a.path("labels").path("alertname").asText().equals(name) && a.path("state").asText().equals("firing");
      for (var l : labels.entrySet()) {
        match &= a.path("labels").path(l.getKey()).asText().equals(l.getValue());
      }
      if (match) {
        return true;
      }
    }
    return false;
  }

  private boolean active(String name) {
    for (JsonNode a : Resources.json(get("/api/v1/alerts").body()).path("data").path("alerts")) {
      if (a.path("labels").path("alertname").asText().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> dashboardQueries() throws Exception {
    JsonNode dash = Resources.json(Files.readString(Path.of("deploy", "grafana", "hitcounter-dashboard.json")));
    List<String> out = new ArrayList<>();
    for (JsonNode p : dash.path("panels")) {
      for (JsonNode t : p.path("targets")) {
        out.add(t.path("expr").asText());
      }
    }
    return out;
  }

  private static String beanstalk(int port, String command) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
  }

  private void hit(String base, String path) {
    try {
      HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("User-Agent", UA).POST(HttpRequest.BodyPublishers.noBody())
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
    } catch (Exception e) {
      // a refused or late hit is what some steps cause; the figures say it
    }
  }

  @Test
  void alertsFireOnRealFaultsAndResolveAndEveryDashboardQueryHasData() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    Thread hitter = new Thread(() -> {
      while (running.get()) {
        hit("http://127.0.0.1:" + usNode.httpPort, "/api/hits?site=default&path=/p");
        hit("http://127.0.0.1:" + euNode.httpPort, "/api/hits/p");
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "hitter");
    hitter.start();
    try {
      hit("http://127.0.0.1:" + usNode.httpPort, "/api/hits/nosuch/x"); // a refusal: 403 unknown-site
      System.gc(); // a GC pause to measure, on this JVM's node
      List<String> queries = dashboardQueries();
      assertTrue(queries.size() >= 20, "the dashboard's queries: " + queries);
      for (String q : queries) {
        Await.until("the dashboard query returns data: " + q, Duration.ofSeconds(90), () -> finite(query(q)));
      }

      // The faults: eu-west's Consul stops (copies to it fail, it is not heard), us-west-0's queue
      // is paused in its beanstalkd (hits are taken and wait, nothing is counted).
      eu.kill();
      assertEquals("PAUSED", beanstalk(usQueue.port(), "pause-tube default 600"));
      Await.until("HitcounterCountingStalled fires for us-west-0", Duration.ofSeconds(150),
          () -> firing("HitcounterCountingStalled", Map.of("datacenter", "us-west", "queue", "us-west-0")));
      Await.until("HitcounterCopiesFailing fires us-west → eu-west", Duration.ofSeconds(120),
          () -> firing("HitcounterCopiesFailing", Map.of("datacenter", "us-west", "target_datacenter", "eu-west")));
      Await.until("HitcounterDatacenterNotHeard fires in us-west for eu-west", Duration.ofSeconds(60),
          () -> firing("HitcounterDatacenterNotHeard", Map.of("datacenter", "us-west", "source_datacenter", "eu-west")));
      for (String q : queries) {
        assertTrue(finite(query(q)), "the dashboard query returns data during the faults: " + q);
      }
      assertTrue(maxOf(query("max by (datacenter, target_datacenter) (hitcounter_replication_copy_age_seconds)"), "target_datacenter", "eu-west") > 30,
          "the copy-age panel shows the failing copies");
      assertTrue(maxOf(query("max by (datacenter, queue) (hitcounter_queue_stuck_seconds)"), "queue", "us-west-0") > 10, "the queue panel shows the stall");

      // The heal
      eu = resources.keep(new ConsulServer("eu-west", dir, eu).withHcl(TELEMETRY, null).start(List.of(us.serfWanPort)));
      assertEquals("PAUSED", beanstalk(usQueue.port(), "pause-tube default 0"));
      for (String alert : List.of("HitcounterCountingStalled", "HitcounterCopiesFailing", "HitcounterDatacenterNotHeard")) {
        Await.until(alert + " resolves after the heal", Duration.ofSeconds(120), () -> !active(alert));
      }
    } finally {
      running.set(false);
      hitter.join();
    }

    // JSON logs: every line eu-west-0 wrote is one JSON object with the fixed fields.
    List<String> lines = Files.readAllLines(euLog);
    assertTrue(lines.size() > 10, "eu-west-0 logged: " + lines.size() + " lines");
    boolean actorPath = false;
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode j;
      try {
        j = hitcounter.infra.Json.mapper().readTree(line);
      } catch (Exception e) {
        throw new AssertionError("a log line that is not JSON: " + line, e);
      }
      for (String field : List.of("timestamp", "level", "loggerName", "context", "message", "formattedMessage")) {
        assertTrue(j.has(field), field + " in " + line);
      }
      assertEquals("eu-west-0", j.path("context").path("properties").path("node").asText(), line);
      assertEquals("eu-west", j.path("context").path("properties").path("datacenter").asText(), line);
      actorPath |= j.path("mdc").path("pekkoSource").asText().startsWith("pekko://");
    }
    assertTrue(actorPath, "some line names its actor in mdc.pekkoSource");
  }

  /** Whether some series of {@code result} has a number (not NaN, not infinite). */
  private static boolean finite(JsonNode result) {
    for (JsonNode s : result) {
      double v = Double.parseDouble(s.path("value").path(1).asText());
      if (Double.isFinite(v)) {
        return true;
      }
    }
    return false;
  }

  private static double maxOf(JsonNode result, String label, String value) {
    double max = Double.NEGATIVE_INFINITY;
    for (JsonNode s : result) {
      if (s.path("metric").path(label).asText().equals(value)) {
        max = Math.max(max, Double.parseDouble(s.path("value").path(1).asText()));
      }
    }
    return max;
  }

  @AfterAll
  void stop() {
    resources.close();
  }
}
