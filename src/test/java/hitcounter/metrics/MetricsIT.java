package hitcounter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scrapes /metrics of a running node on real Consul and beanstalkd and parses it with the
 * reference Prometheus text parser (python3-prometheus-client, Debian's), then checks the JVM,
 * process and HTTP families are there and that the project's figures match known activity.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
  private final Resources resources = new Resources();
  private TestNode node;

  /** One parsed sample. */
  record Sample(String family, String type, String name, Map<String, String> labels, double value) {}

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "metrics-" + UUID.randomUUID()));
    ConsulServer consul = resources.keep(new ConsulServer("us-west", dir).start());
    Beanstalkd queue = resources.keep(new Beanstalkd(dir).start());
    node = resources.keep(new TestNode("us-west", "us-west-0", consul.url(), queue.port()));
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  @Test
  void metricsParseWithThePrometheusParserAndMatchWhatHappened() throws Exception {
    String page = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
    int hits = 37;
    for (int i = 0; i < hits; i++) {
      assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode());
    }
    assertEquals(400, node.call("POST", "/api/hits/bad%20id").statusCode());
    Await.until("all hits counted", Duration.ofSeconds(15), () -> Resources.json(node.call("GET", "/api/hits/" + page).body()).path("total").asLong() == hits);

    // The queue gauges are read from beanstalkd every second.
    Await.until("queue gauge drained", Duration.ofSeconds(5), () -> node.call("GET", "/metrics").body().lines()
        .anyMatch(l -> l.startsWith("hitcounter_queue_jobs{") && l.contains("state=\"ready\"") && l.endsWith(" 0.0")));
    assertTrue(node.call("GET", "/metrics").headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    List<Sample> samples = parse(node.call("GET", "/metrics").body());

    for (String prefix : List.of("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds", "http_server_requests_seconds")) {
      assertTrue(samples.stream().anyMatch(s -> s.family().startsWith(prefix) || s.name().startsWith(prefix)), "family " + prefix);
    }
    assertEquals(hits, value(samples, "hitcounter_hits_total", Map.of("outcome", "accepted")));
    assertEquals(0, value(samples, "hitcounter_hits_total", Map.of("outcome", "rejected")));
    assertEquals(hits, value(samples, "http_server_requests_seconds_count", Map.of("uri", "/api/hits/{page}", "method", "POST", "status", "200")));
    assertEquals(1, value(samples, "http_server_requests_seconds_count", Map.of("uri", "/api/hits/{page}", "method", "POST", "status", "400")));
    assertTrue(samples.stream().anyMatch(s -> s.name().equals("http_server_requests_seconds_bucket") && s.labels().containsKey("le")), "a histogram");
    assertEquals(hits, value(samples, "hitcounter_worker_hits_counted_total", Map.of()));
    assertTrue(value(samples, "hitcounter_worker_commit_seconds_count", Map.of()) >= 1);
    assertTrue(value(samples, "hitcounter_consul_requests_seconds_count", Map.of("kind", "txn", "outcome", "ok")) >= 1);
    assertTrue(value(samples, "hitcounter_consul_request_bytes_total", Map.of("kind", "txn")) > 0);
    assertTrue(value(samples, "hitcounter_beanstalk_commands_seconds_count", Map.of("command", "put", "outcome", "ok")) >= 1);
    assertEquals(0, value(samples, "hitcounter_queue_jobs", Map.of("state", "ready", "queue", "us-west-0")));
    // No page id is ever a label value.
    assertTrue(samples.stream().noneMatch(s -> s.labels().containsValue(page)), "no page id in labels");
    // Every sample carries the node and its datacenter.
    assertTrue(samples.stream().allMatch(s -> "us-west-0".equals(s.labels().get("node")) && "us-west".equals(s.labels().get("datacenter"))));
  }

  private static double value(List<Sample> samples, String name, Map<String, String> labels) {
    Predicate<Sample> match = s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet());
    List<Sample> found = samples.stream().filter(match).toList();
    assertTrue(!found.isEmpty(), "no sample " + name + labels);
    return found.stream().mapToDouble(Sample::value).sum();
  }

  /** Parses with the reference parser in a python3 process; fails the test if it does not parse. */
  static List<Sample> parse(String text) throws Exception {
    Path script = Files.createTempFile("prometheus_parse", ".py");
    try (InputStream in = MetricsIT.class.getResourceAsStream("/prometheus_parse.py")) {
      Files.write(script, in.readAllBytes());
    }
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectErrorStream(false).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "the Prometheus parser refused /metrics: " + err);
    List<Sample> samples = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        JsonNode n = Resources.json(line);
        Map<String, String> labels = new java.util.TreeMap<>();
        n.path("labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        samples.add(new Sample(n.path("family").asText(), n.path("type").asText(), n.path("name").asText(), labels, n.path("value").asDouble()));
      }
    }
    assertTrue(samples.size() > 50, "samples parsed: " + samples.size());
    return samples;
  }
}
