package hitcounter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import hitcounter.config.LiveSettings;
import hitcounter.fakes.FakeBeanstalk;
import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.ingest.HitAnswers;
import hitcounter.ingest.HitQueue;
import hitcounter.replicate.DatacenterStates;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.testkit.RouteHarness;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.http.javadsl.server.Directives;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pages for people: the live page of a page id, the dashboard, their static files. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebRoutesTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();
  private final FakeBeanstalk queue = new FakeBeanstalk();
  private RouteHarness http;

  @BeforeAll
  void bind() throws Exception {
    CountTable table = new CountTable();
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("news", 7L)), h -> {});
    table.addEntry("eu-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("news", 5L)), h -> {});
    DatacenterStates states = new DatacenterStates();
    HitAnswers answers = new HitAnswers("us-west", table, states, new Freshness("us-west", states, new LocalStalls(Duration.ofSeconds(15)), Duration.ofSeconds(3)), new hitcounter.count.ResetView.Resets());
    LiveSettings live = new LiveSettings(ConfigFactory.load());
    HitQueue hits = new HitQueue(queue, Duration.ofSeconds(1), Duration.ofSeconds(60));
    http = new RouteHarness(testKit.system(), Directives.concat(new LivePageRoutes(hitcounter.testkit.TestIntake.of(hits, table), answers, live).routes(), new DashboardRoutes().routes()));
  }

  @Test
  void theLivePageCountsAVisitAndShowsEveryDatacenterAndTheSum() throws Exception {
    int before = queue.readyCount();
    HttpResponse<String> r = http.call("GET", "/p/news");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(r.body().contains("us-west") && r.body().contains("eu-west"), r.body());
    assertTrue(r.body().contains("12"), "the sum of both datacenters");
    assertTrue(r.body().contains("your visit was counted"));
    assertEquals(before + 1, queue.readyCount());
  }

  @Test
  void theLivePageEscapesAndRefusesBadIds() throws Exception {
    int before = queue.readyCount();
    HttpResponse<String> r = http.call("GET", "/p/%3Cscript%3E");
    assertEquals(400, r.statusCode());
    assertFalse(r.body().contains("<script>"));
    assertEquals(before, queue.readyCount());
  }

  @Test
  void aVisitThatCannotBeQueuedStillRendersButSays503() throws Exception {
    queue.down = true;
    try {
      HttpResponse<String> r = http.call("GET", "/p/news");
      assertEquals(503, r.statusCode());
      assertTrue(r.body().contains("could not be counted"), r.body());
    } finally {
      queue.down = false;
    }
  }

  @Test
  void theDashboardAndItsStaticFilesAreServedAndOthersAreNot() throws Exception {
    HttpResponse<String> d = http.call("GET", "/dashboard");
    assertEquals(200, d.statusCode());
    assertTrue(d.body().contains("dashboard.js"));
    assertEquals(200, http.call("GET", "/static/dashboard.js").statusCode());
    assertTrue(http.call("GET", "/static/hitcounter.css").headers().firstValue("Content-Type").orElse("").startsWith("text/css"));
    assertEquals(404, http.call("GET", "/static/..%2Fapplication.conf").statusCode());
    assertEquals(404, http.call("GET", "/static/secret.txt").statusCode());
  }
}
