package hitcounter.api;

import com.typesafe.config.ConfigFactory;
import hitcounter.config.LiveSettings;
import hitcounter.ingest.HitAnswers;
import hitcounter.ingest.HitQueue;

import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.health.Stall;
import java.util.List;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import hitcounter.store.CountTable;
import hitcounter.fakes.FakeBeanstalk;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import hitcounter.replicate.DatacenterStates;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HitRoutesTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private final FakeBeanstalk queue = new FakeBeanstalk();
  private final HttpClient http = HttpClient.newHttpClient();
  private int port;

  private final DatacenterStates states = new DatacenterStates();
  private final LocalStalls stalls = new LocalStalls(Duration.ofSeconds(15));

  @BeforeAll
  void bind() throws Exception {
    states.heard("us-west", 1, java.util.Map.of(), System.currentTimeMillis());
    states.heard("eu-west", 1, java.util.Map.of(), System.currentTimeMillis());
    HitRoutes routes =
        new HitRoutes(hitcounter.testkit.TestIntake.of(new HitQueue(queue, Duration.ofSeconds(1), Duration.ofSeconds(60)), new CountTable()),
            new HitAnswers("us-west", new CountTable(), states, new Freshness("us-west", states, stalls, Duration.ofSeconds(3)), new hitcounter.count.ResetView.Resets()),
            new LiveSettings(ConfigFactory.load()), hitcounter.testkit.TestIntake.defaultSites());
    ServerBinding binding =
        Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(routes.routes()).toCompletableFuture().get();
    port = binding.localAddress().getPort();
  }

  private HttpResponse<String> call(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAcknowledgedHitAnswers200WithTheTotals() throws Exception {
    int before = queue.readyCount();
    HttpResponse<String> r = call("POST", "/api/hits/home");
    assertEquals(200, r.statusCode());
    JsonNode body = Json.mapper().readTree(r.body());
    assertEquals("home", body.path("page").asText());
    assertEquals("us-west", body.path("datacenter").asText());
    assertEquals(0, body.path("datacenters").path("eu-west").asLong(), "every known datacenter is listed");
    assertEquals(false, body.path("stale").asBoolean(), "both datacenters were just heard of");
    assertEquals(before + 1, queue.readyCount());
  }

  @Test
  void aStallReportedByANodeOfTheDatacenterMakesAnswersStaleAndSaysWhy() throws Exception {
    stalls.heard("us-west-1", List.of(new Stall("us-west", Stall.COUNTING, "us-west-1", "the oldest job of queue us-west-1 has waited 12 s", 12.3)), true,
        System.currentTimeMillis());
    try {
      JsonNode body = Json.mapper().readTree(call("GET", "/api/hits/home").body());
      assertEquals(true, body.path("stale").asBoolean());
      assertEquals(12.3, body.path("counting").path("lagSeconds").asDouble());
      assertEquals("counting", body.path("late").get(0).path("why").asText());
      assertEquals("us-west-1", body.path("late").get(0).path("subject").asText());
    } finally {
      stalls.heard("us-west-1", List.of(), true, System.currentTimeMillis());
    }
    JsonNode calm = Json.mapper().readTree(call("GET", "/api/hits/home").body());
    assertEquals(false, calm.path("stale").asBoolean());
    assertEquals(0.0, calm.path("counting").path("lagSeconds").asDouble());
    assertEquals(true, calm.path("late").isMissingNode(), "no late figures: no list");
  }

  @Test
  void aHitOfASiteThatDoesNotExistIs403AndQueuesNothing() throws Exception {
    int before = queue.readyCount();
    HttpResponse<String> r = call("POST", "/api/hits/nosuchsite/home");
    assertEquals(403, r.statusCode());
    assertEquals("unknown-site", Json.mapper().readTree(r.body()).path("error").asText());
    assertEquals(404, call("GET", "/api/hits/nosuchsite/home").statusCode(), "reading a site that does not exist");
    assertEquals(403, call("POST", "/api/hits/nosuchsite/events").statusCode(), "a page called events is a page (found in review: 405)");
    assertEquals(before, queue.readyCount());
  }

  @Test
  void aPrefetchOrPreviewIsAnsweredWithoutCounting() throws Exception {
    int before = queue.readyCount();
    for (String[] h : new String[][] {{"Sec-Purpose", "prefetch"}, {"Purpose", "prefetch"}, {"X-Purpose", "preview"}, {"X-Moz", "prefetch"}}) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/hits/home"))
          .POST(HttpRequest.BodyPublishers.noBody()).header(h[0], h[1]).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(204, r.statusCode(), h[0]);
    }
    assertEquals(before, queue.readyCount(), "nothing queued");
    assertEquals(200, call("POST", "/api/hits/home").statusCode(), "the visit itself counts");
  }

  @Test
  void theDefaultSiteCanBeNamed() throws Exception {
    HttpResponse<String> r = call("POST", "/api/hits/default/named");
    assertEquals(200, r.statusCode());
    assertEquals("named", Json.mapper().readTree(r.body()).path("page").asText());
  }

  @Test
  void aBadPageIdIs400WithAReasonAndQueuesNothing() throws Exception {
    int before = queue.readyCount();
    for (String bad : new String[] {"/api/hits/", "/api/hits/default/a%20b", "/api/hits/%C3%A9", "/api/hits/" + "x".repeat(129)}) {
      HttpResponse<String> r = call("POST", bad);
      assertEquals(400, r.statusCode(), bad);
      assertEquals("bad-page-id", Json.mapper().readTree(r.body()).path("error").asText());
    }
    assertEquals(before, queue.readyCount());
  }

  @Test
  void aHitThatCannotBeQueuedIs503() throws Exception {
    queue.down = true;
    try {
      HttpResponse<String> r = call("POST", "/api/hits/home");
      assertEquals(503, r.statusCode());
      assertEquals("queue-unavailable", Json.mapper().readTree(r.body()).path("error").asText());
    } finally {
      queue.down = false;
    }
  }

  @Test
  void aPutWhoseAnswerIsLostIs504OutcomeUnknownNot503() throws Exception {
    // Review hole 1: a put that timed out may still have been INSERTED; 503 would invite a
    // retry that counts the hit twice.
    queue.silent = true;
    int before = queue.readyCount();
    try {
      HttpResponse<String> r = call("POST", "/api/hits/home");
      assertEquals(504, r.statusCode());
      assertEquals("outcome-unknown", Json.mapper().readTree(r.body()).path("error").asText());
      assertEquals(before + 1, queue.readyCount(), "and indeed it was queued");
    } finally {
      queue.silent = false;
    }
  }

  @Test
  void pingAndReadsTouchNothing() throws Exception {
    int before = queue.readyCount();
    assertEquals(200, call("GET", "/api/ping").statusCode());
    assertEquals(200, call("GET", "/api/hits/home").statusCode());
    assertEquals(before, queue.readyCount());
  }

  @Test
  void theEventsOfAPageAreAStreamAndTheirPageIsChecked() throws Exception {
    // Once answered 400: /api/hits/{page} took "home/events" for a page id (the live page froze).
    HttpResponse<java.io.InputStream> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/hits/home/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.InputStream in = r.body()) {
      assertEquals(200, r.statusCode());
      assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
      String first = new String(in.readNBytes(6));
      // "data:{...": the first event is the page's answer
      assertEquals("data:{", first);
    }
    assertEquals(400, call("GET", "/api/hits/a%20b/events").statusCode());
  }
}
