package hitcounter.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.infra.Json;
import hitcounter.ingest.HitAnswers;
import hitcounter.replicate.DatacenterStates;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.testkit.RouteHarness;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.w3c.dom.Document;

/** Counters for display: a JSON counter, shields.io's endpoint form and badges of three styles; each counts nothing and any origin may read it. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisplayRoutesTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();
  private RouteHarness http;
  private CountTable table;

  @BeforeAll
  void bind() throws Exception {
    table = new CountTable();
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("/café/menu", 1200L, "home", 7L)), h -> {});
    table.addEntry("eu-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("/café/menu", 34L)), h -> {});
    DatacenterStates states = new DatacenterStates();
    HitAnswers answers = new HitAnswers("us-west", table, states, new Freshness("us-west", states, new LocalStalls(Duration.ofSeconds(15)), Duration.ofSeconds(3)),
        new hitcounter.count.ResetView.Resets());
    http = new RouteHarness(testKit.system(), new DisplayRoutes(answers, hitcounter.testkit.TestIntake.defaultSites()).routes());
  }

  private static Document svg(String body) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theJsonCounterShowsAPathsTotalToAnyOrigin() throws Exception {
    HttpResponse<String> r = http.call("GET", "/api/counter?path=%2Fcaf%25C3%25A9%2Fmenu%2F");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode j = Json.mapper().readTree(r.body());
    assertEquals("/café/menu", j.path("page").asText());
    assertEquals(1234, j.path("total").asLong());
    assertEquals(34, j.path("datacenters").path("eu-west").asLong());
    assertEquals(List.of("*"), r.headers().allValues("Access-Control-Allow-Origin"), "once");
    assertEquals(List.of("public, max-age=5"), r.headers().allValues("Cache-Control"));
    assertEquals(List.of("*"), http.call("GET", "/badge.svg?page=home&style=round").headers().allValues("Access-Control-Allow-Origin"), "errors too, once");
    assertEquals(7, Json.mapper().readTree(http.call("GET", "/api/counter?page=home").body()).path("total").asLong(), "a page id too");
    assertEquals(1234, table.totalOf("/café/menu"), "nothing counted");
  }

  @Test
  void shieldsEndpointFormHasTheDocumentedFields() throws Exception {
    JsonNode j = Json.mapper().readTree(http.call("GET", "/api/counter?path=/caf%C3%A9/menu&format=shields&label=views&color=orange").body());
    assertEquals(1, j.path("schemaVersion").asInt());
    assertEquals("views", j.path("label").asText());
    assertEquals("1,234", j.path("message").asText());
    assertEquals("orange", j.path("color").asText());
    assertEquals(4, j.size(), j.toString());
    assertEquals("success", Json.mapper().readTree(http.call("GET", "/api/counter?page=home&format=shields&color=Success").body()).path("color").asText(),
        "as shields.io reads it: named colours in lower case");
    assertEquals("ff8800", Json.mapper().readTree(http.call("GET", "/api/counter?page=home&format=shields&color=%23FF8800").body()).path("color").asText());
  }

  @Test
  void badgesOfEachStyleAreSvgShowingTheTotal() throws Exception {
    for (String style : new String[] {"flat", "flat-square", "for-the-badge"}) {
      HttpResponse<String> r = http.call("GET", "/badge.svg?path=/caf%C3%A9/menu&label=visits&color=brightgreen&style=" + style);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("image/svg+xml", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
      Document d = svg(r.body());
      assertEquals("svg", d.getDocumentElement().getTagName());
      String text = d.getDocumentElement().getTextContent();
      assertTrue(text.contains("1,234"), style + ": " + text);
      assertTrue(text.contains(style.equals("for-the-badge") ? "VISITS" : "visits"), style + ": " + text);
      assertTrue(r.body().contains("#4c1"), "brightgreen is shields.io's #4c1");
      assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    }
    assertTrue(http.call("GET", "/badge.svg?page=home&color=%23ff8800").body().contains("#ff8800"));
    assertTrue(svg(http.call("GET", "/badge.svg?page=home&label=%3Cb%3E%26").body()).getDocumentElement().getTextContent().contains("<b>&"), "the label is escaped");
  }

  @Test
  void badInputIs400WithAReason() throws Exception {
    assertEquals(400, http.call("GET", "/badge.svg?page=home&color=chartreuse-ish").statusCode());
    assertEquals(400, http.call("GET", "/badge.svg?page=home&style=round").statusCode());
    assertEquals(400, http.call("GET", "/badge.svg?page=home&label=" + "x".repeat(41)).statusCode());
    assertEquals(400, http.call("GET", "/badge.svg").statusCode());
    assertEquals(400, http.call("GET", "/badge.svg?page=home&label=%EF%BF%BF").statusCode(), "U+FFFF is no XML character");
    assertEquals(400, http.call("GET", "/api/counter?path=/..").statusCode());
    assertEquals(404, http.call("GET", "/api/counter?site=nosuch&page=home").statusCode());
  }
}
