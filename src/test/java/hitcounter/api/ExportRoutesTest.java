package hitcounter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.PageStats;
import hitcounter.testkit.RouteHarness;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every page of a site as CSV, streamed a chunk of the table at a time. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportRoutesTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();
  private static final int DAY = 20_420;
  private RouteHarness http;

  @BeforeAll
  void bind() throws Exception {
    CountTable table = new CountTable();
    Map<String, Long> many = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      many.put("/p/" + i, 1L);
    }
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, many), h -> {});
    PageStats.Builder day = new PageStats.Builder();
    day.human(PageStats.DAY, DAY);
    day.human(PageStats.DAY, DAY);
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("/a,b \"c\"", 2L, "my-id", 3L), Map.of("/a,b \"c\"", day.done())), h -> {});
    table.addEntry("eu-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("/a,b \"c\"", 5L, "blog~1:/post", 4L)), h -> {});
    var sites = hitcounter.config.Sites.of(hitcounter.infra.Json.mapper().readTree("{\"blog\": {\"generation\": 1}}"),
        hitcounter.config.SitesSettings.create(com.typesafe.config.ConfigFactory.load()));
    http = new RouteHarness(testKit.system(), new ExportRoutes(table, () -> sites).routes());
  }

  @Test
  void everyPageOfTheDefaultSiteInOneStreamedCsv() throws Exception {
    HttpResponse<String> r = http.call("GET", "/api/export");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
    assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElse(""), "streamed, not built whole");
    List<String> lines = r.body().lines().toList();
    assertEquals("path,total,imported,eu-west,us-west", lines.get(0));
    assertEquals(1 + 100_000 + 2, lines.size(), "the header, 100,000 paths, a quoted path and a page id; no page of another site");
    assertTrue(lines.contains("\"/a,b \"\"c\"\"\",7,0,5,2"), "a path with a comma and quotes is one quoted field");
    assertTrue(lines.contains("my-id,3,0,0,3"));
    assertTrue(lines.contains("/p/99999,1,0,0,1"));
  }

  @Test
  void aSitesPagesWithoutItsPrefixAndPerDay() throws Exception {
    assertEquals(List.of("path,total,imported,eu-west,us-west", "/post,4,0,4,0"), http.call("GET", "/api/export?site=blog").body().lines().toList());
    assertTrue(http.call("GET", "/api/export?series=day").body().lines().anyMatch(l -> l.equals("\"/a,b \"\"c\"\"\"," + java.time.LocalDate.ofEpochDay(DAY) + ",2,0,2")));
    assertEquals(404, http.call("GET", "/api/export?site=nosuch").statusCode());
    assertEquals(400, http.call("GET", "/api/export?series=week").statusCode());
  }
}
