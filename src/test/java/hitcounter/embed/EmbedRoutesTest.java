package hitcounter.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.fakes.FakeBeanstalk;
import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.infra.http.WebResources;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embeds other sites put in their pages: the counting pixel and the badge. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbedRoutesTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();
  private final FakeBeanstalk queue = new FakeBeanstalk();
  private RouteHarness http;

  @BeforeAll
  void bind() throws Exception {
    CountTable table = new CountTable();
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 40L)), h -> {});
    table.addEntry("eu-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 2L)), h -> {});
    DatacenterStates states = new DatacenterStates();
    HitAnswers answers = new HitAnswers("us-west", table, states, new Freshness("us-west", states, new LocalStalls(Duration.ofSeconds(15)), Duration.ofSeconds(3)), new hitcounter.count.ResetView.Resets());
    http = new RouteHarness(testKit.system(), new EmbedRoutes(hitcounter.testkit.TestIntake.of(new HitQueue(queue, Duration.ofSeconds(1), Duration.ofSeconds(60)), table), answers).routes());
  }

  @Test
  void thePixelCountsAHitAndIsNeverCached() throws Exception {
    int before = queue.readyCount();
    HttpResponse<byte[]> r = http.bytes("/px.gif?page=home");
    assertEquals(200, r.statusCode());
    assertEquals("image/gif", r.headers().firstValue("Content-Type").orElse(""));
    assertArrayEquals(WebResources.bytes("px.gif"), r.body());
    assertTrue(r.headers().firstValue("Cache-Control").orElse("").contains("no-store"));
    assertEquals(before + 1, queue.readyCount());
  }

  @Test
  void aPixelWithoutAGoodPageIs400AndCountsNothing() throws Exception {
    int before = queue.readyCount();
    for (String bad : new String[] {"/px.gif", "/px.gif?page=", "/px.gif?page=a/b"}) {
      HttpResponse<String> r = http.call("GET", bad);
      assertEquals(400, r.statusCode(), bad);
      assertTrue(r.body().contains("bad-page-id"), r.body());
    }
    assertEquals(before, queue.readyCount());
  }

  @Test
  void aPixelThatCannotBeQueuedIs503() throws Exception {
    queue.down = true;
    try {
      assertEquals(503, http.call("GET", "/px.gif?page=home").statusCode());
    } finally {
      queue.down = false;
    }
  }

  @Test
  void theBadgeShowsTheSumOfAllDatacentersAndCountsNothing() throws Exception {
    int before = queue.readyCount();
    HttpResponse<String> r = http.call("GET", "/badge/home.svg");
    assertEquals(200, r.statusCode());
    assertEquals("image/svg+xml", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    assertTrue(r.body().contains(">42<"), r.body());
    assertEquals("public, max-age=5", r.headers().firstValue("Cache-Control").orElse(""), "it counts nothing: a few seconds of caching");
    assertEquals(before, queue.readyCount());
    assertEquals(404, http.call("GET", "/badge/home.png").statusCode());
    assertEquals(400, http.call("GET", "/badge/a%2Fb.svg").statusCode());
  }
}
