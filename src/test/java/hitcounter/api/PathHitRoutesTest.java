package hitcounter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import hitcounter.config.LiveSettings;
import hitcounter.embed.EmbedRoutes;
import hitcounter.fakes.FakeBeanstalk;
import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.infra.Json;
import hitcounter.ingest.HitAnswers;
import hitcounter.ingest.HitIntake;
import hitcounter.ingest.HitQueue;
import hitcounter.page.JobCodec;
import hitcounter.replicate.DatacenterStates;
import hitcounter.store.CountTable;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Directives;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The routes for URL paths, the pixel's path form and the snippet, over a fake beanstalkd. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathHitRoutesTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private final FakeBeanstalk queue = new FakeBeanstalk();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger format = new AtomicInteger(4);
  private int port;

  @BeforeAll
  void bind() throws Exception {
    DatacenterStates states = new DatacenterStates();
    states.heard("us-west", 1, java.util.Map.of(), System.currentTimeMillis());
    CountTable table = new CountTable();
    HitIntake intake = hitcounter.testkit.TestIntake.of(new HitQueue(queue, Duration.ofSeconds(1), Duration.ofSeconds(60), 4, 256, format::get), table);
    HitAnswers answers = new HitAnswers("us-west", table, states, new Freshness("us-west", states, new LocalStalls(Duration.ofSeconds(15)), Duration.ofSeconds(3)),
        new hitcounter.count.ResetView.Resets());
    HitRoutes routes = new HitRoutes(intake, answers, new LiveSettings(ConfigFactory.load()), hitcounter.testkit.TestIntake.defaultSites());
    port = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(Directives.concat(routes.routes(), new EmbedRoutes(intake, answers).routes()))
        .toCompletableFuture().get().localAddress().getPort();
  }

  @BeforeEach
  void formatFour() {
    format.set(4);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder at(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery));
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The pages of the jobs queued since the last call (and takes them away). */
  private List<String> queued() throws Exception {
    List<String> pages = new ArrayList<>();
    for (var job : queue.reserveReady(1000).toCompletableFuture().get()) {
      pages.addAll(JobCodec.decode(job.body()).orElseThrow().pages());
      queue.delete(job.connection(), List.of(job.id())).toCompletableFuture().get();
    }
    return pages;
  }

  @Test
  void aPathCountsNormalisedAndTheAnswerNamesIt() throws Exception {
    queued();
    HttpResponse<String> r = send(at("/api/hits?path=" + q("/caf%C3%A9/menu/?utm_source=x#top")).POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("/café/menu", Json.mapper().readTree(r.body()).path("page").asText());
    assertEquals(List.of("/café/menu"), queued());
  }

  @Test
  void aBeaconsTextPlainBodyCounts() throws Exception {
    queued();
    HttpResponse<String> r = send(at("/api/hits").header("Content-Type", "text/plain;charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"/a b/\", \"referrer\": \"https://news.example.com/\"}")));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(List.of("/a b"), queued());
  }

  @Test
  void badPathsAre400AndQueueNothing() throws Exception {
    queued();
    for (String bad : List.of("/../etc", "relative", "/%FF", "/a%00b", "/" + "x".repeat(1025))) {
      HttpResponse<String> r = send(at("/api/hits?path=" + q(bad)).POST(HttpRequest.BodyPublishers.noBody()));
      assertEquals(400, r.statusCode(), bad);
      assertEquals("bad-path", Json.mapper().readTree(r.body()).path("error").asText(), r.body());
    }
    assertEquals(400, send(at("/api/hits").POST(HttpRequest.BodyPublishers.ofString("not json"))).statusCode());
    assertEquals(400, send(at("/px.gif?path=" + q("/..")).GET()).statusCode());
    assertEquals(List.of(), queued());
  }

  @Test
  void aKibibyteOfNonAsciiFitsInTheQuery() throws Exception {
    queued();
    String path = "/" + "é".repeat(512);
    String encoded = q(path.replace("é", "%C3%A9")); // as a browser's pathname, then encodeURIComponent: ~9 bytes a character
    HttpResponse<String> r = send(at("/api/hits?path=" + q(path)).POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(encoded.length() > 3000);
    assertEquals(List.of(path), queued());
  }

  @Test
  void readingAPathCountsNothing() throws Exception {
    queued();
    HttpResponse<String> r = send(at("/api/hits?path=" + q("/café/")).GET());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("/café", Json.mapper().readTree(r.body()).path("page").asText());
    assertEquals(List.of(), queued());
  }

  @Test
  void browsersGetTheCorsHeadersTheyNeed() throws Exception {
    HttpResponse<String> pre = send(at("/api/hits?path=%2F").method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://blog.example.com")
        .header("Access-Control-Request-Method", "POST"));
    assertEquals(204, pre.statusCode());
    assertEquals("https://blog.example.com", pre.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertTrue(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
    HttpResponse<String> get = send(at("/api/hits?path=%2F").header("Origin", "https://blog.example.com").GET());
    assertEquals("https://blog.example.com", get.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertEquals("Origin", get.headers().firstValue("Vary").orElse(""));
  }

  @Test
  void aPathWaitsForJobFormat4() throws Exception {
    queued();
    format.set(3);
    HttpResponse<String> r = send(at("/api/hits?path=" + q("/a")).POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(r.body().contains("job-format"), r.body());
    assertEquals(200, send(at("/api/hits/an-id").POST(HttpRequest.BodyPublishers.noBody())).statusCode(), "page ids still count in format 3");
    assertEquals(List.of("an-id"), queued());
  }

  @Test
  void aPathRefusedForItsJobFormatTakesNoRoomUnderTheCap() throws Exception {
    com.fasterxml.jackson.databind.JsonNode doc = Json.mapper().readTree("{\"capped\": {\"maxPages\": 1, \"generation\": 1}}");
    hitcounter.config.Sites sites = hitcounter.config.Sites.of(doc, hitcounter.config.SitesSettings.create(ConfigFactory.load()));
    FakeBeanstalk q = new FakeBeanstalk();
    AtomicInteger f = new AtomicInteger(3);
    HitIntake capped = hitcounter.testkit.TestIntake.of(new HitQueue(q, Duration.ofSeconds(1), Duration.ofSeconds(60), 4, 256, f::get), new CountTable(), () -> sites);
    int p = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(Directives.path("hit", () -> Directives.parameter("path", path ->
        capped.hitPath("capped", path, java.util.Optional.empty(), k -> Directives.complete("ok"), hitcounter.ingest.HitRejections::notQueued))))
        .toCompletableFuture().get().localAddress().getPort();
    HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/hit?path=%2Fa")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(503, refused.statusCode());
    f.set(4);
    HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/hit?path=%2Fb")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, next.statusCode(), "the refused path took no room under the cap of 1: " + next.body());
  }

  @Test
  void thePixelCountsAPath() throws Exception {
    queued();
    HttpResponse<String> r = send(at("/px.gif?path=" + q("/blog/post/") + "&ref=" + q("https://news.example.com/")).GET());
    assertEquals(200, r.statusCode());
    assertEquals("image/gif", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals(List.of("/blog/post"), queued());
  }

  @Test
  void theSnippetIsSmallCachedAndVersioned() throws Exception {
    HttpResponse<byte[]> r = http.send(at("/count.js").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/javascript"));
    assertTrue(r.headers().firstValue("Cache-Control").orElse("").contains("max-age=3600"));
    assertTrue(r.headers().firstValue("X-Hitcounter-Script").orElse("").matches("\\d+\\.\\d+\\.\\d+"));
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(r.body());
    }
    assertTrue(gz.size() <= 2048, "count.js is " + gz.size() + " bytes gzipped");
    String etag = r.headers().firstValue("ETag").orElseThrow();
    assertEquals(304, send(at("/count.js").header("If-None-Match", etag).GET()).statusCode());
  }
}
