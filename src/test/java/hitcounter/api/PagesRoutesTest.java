package hitcounter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.infra.Json;
import hitcounter.replicate.DatacenterStates;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.http.javadsl.Http;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PagesRoutesTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private int port;

  @BeforeAll
  void bind() throws Exception {
    CountTable table = new CountTable();
    Map<String, Long> us = new TreeMap<>();
    Map<String, Long> eu = new TreeMap<>();
    for (int i = 1; i <= 250; i++) {
      us.put("page-" + i, (long) i);
      eu.put("page-" + i, 1L);
    }
    eu.put("other", 1000L);
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, us), h -> {});
    table.addEntry("eu-west", CountsCodec.encode(CountsCodec.ENTRY, eu), h -> {});
    DatacenterStates states = new DatacenterStates();
    PagesRoutes routes = new PagesRoutes("us-west", table, states, new Freshness("us-west", states, new LocalStalls(Duration.ofSeconds(15)), Duration.ofSeconds(3)), Duration.ofSeconds(3), hitcounter.testkit.TestIntake.defaultSites());
    port = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(routes.routes()).toCompletableFuture().get().localAddress().getPort();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theRankingComesAPageAtATimeWithACursorAndAPrefix() throws Exception {
    JsonNode first = Json.mapper().readTree(get("/api/pages?limit=100").body());
    assertEquals(251, first.path("matching").asInt());
    assertEquals(100, first.path("pages").size());
    assertEquals("other", first.path("pages").get(0).path("page").asText());
    assertEquals(1000, first.path("pages").get(0).path("total").asLong());
    assertEquals("page-250", first.path("pages").get(1).path("page").asText());
    assertEquals(251, first.path("pages").get(1).path("total").asLong());
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode p = Json.mapper().readTree(get("/api/pages?limit=100" + (cursor == null ? "" : "&cursor=" + cursor)).body());
      p.path("pages").forEach(r -> assertTrue(seen.add(r.path("page").asText()), "no page twice"));
      cursor = p.path("next").isNull() ? null : p.path("next").asText();
      pages++;
    } while (cursor != null);
    assertEquals(251, seen.size());
    assertEquals(3, pages);
    JsonNode prefixed = Json.mapper().readTree(get("/api/pages?prefix=page-1&limit=5").body());
    assertEquals(111, prefixed.path("matching").asInt(), "page-1, page-10..19, page-100..199");
    assertEquals("page-199", prefixed.path("pages").get(0).path("page").asText());
  }

  @Test
  void badParametersAre400WithAReason() throws Exception {
    for (String q : new String[] {"limit=0", "limit=1001", "limit=x", "prefix=a%2Fb", "cursor=nope"}) {
      HttpResponse<String> r = get("/api/pages?" + q);
      assertEquals(400, r.statusCode(), q);
      assertEquals("bad-parameter", Json.mapper().readTree(r.body()).path("error").asText());
    }
  }
}
