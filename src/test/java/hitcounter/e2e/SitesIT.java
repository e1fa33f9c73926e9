package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Who may count, on two datacenters with real Consul and beanstalkd: sites defined in one
 * datacenter rule in both; unknown sites, foreign origins, pages outside the pattern and new
 * pages beyond the cap are refused with 403 and a reason; a client over its limit gets 429 with
 * Retry-After; a page deleted or reset in us-west while eu-west is cut off stays so after the
 * heal (eu-west's hits of the cut count, its old count does not come back); a deleted site takes
 * its pages with it, and comes back empty.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SitesIT extends hitcounter.testkit.OneNodePerDatacenter {
  private static final String TOKEN = hitcounter.testkit.TwoDatacenters.TOKEN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    start("sites", "");
  }

  private static HttpResponse<String> send(TestNode node, String method, String path, String body, String... headers) {
    return hitcounter.testkit.TwoDatacenters.send(node, method, path, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
  }

  private static HttpResponse<String> admin(TestNode node, String method, String path, String body) {
    return send(node, method, path, body, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
  }

  private static String error(HttpResponse<String> r) {
    return r.statusCode() + " " + Resources.json(r.body()).path("error").asText();
  }

  private static long total(TestNode n, String path) {
    return Resources.json(n.call("GET", path).body()).path("total").asLong();
  }

  @Test
  @Order(1)
  void sitesWrittenInOneDatacenterRuleInBoth() throws Exception {
    assertEquals(401, send(usNode, "PUT", "/api/sites/blog", "{}").statusCode(), "no admin token");
    assertEquals("400 bad-value", error(admin(usNode, "PUT", "/api/sites/blog", "{\"pattern\": \"(\"}")));
    assertEquals(200, admin(usNode, "PUT", "/api/sites/blog",
        "{\"origins\": [\"https://blog.example.com\"], \"pattern\": \"[a-z0-9-]{1,40}\", \"maxPages\": 3, \"perClient\": {\"rate\": 1000, \"burst\": 1000}}").statusCode());
    assertEquals(200, admin(usNode, "PUT", "/api/sites/tight", "{\"perClient\": {\"rate\": 0.5, \"burst\": 2}}").statusCode());
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + " knows both sites", Duration.ofSeconds(10), () -> {
        JsonNode sites = Resources.json(n.call("GET", "/api/sites").body()).path("sites");
        return sites.path("blog").path("live").asBoolean() && sites.path("tight").path("live").asBoolean();
      });
    }
  }

  @Test
  @Order(2)
  void hitsOutsideTheRulesAre403AndQueueNothing() throws Exception {
    assertEquals("403 unknown-site", error(send(euNode, "POST", "/api/hits/nosuch/home", null)));
    assertEquals("403 origin", error(send(euNode, "POST", "/api/hits/blog/home", null, "Origin", "https://evil.example")));
    assertEquals("403 origin", error(send(euNode, "GET", "/px.gif?site=blog&page=home", null, "Referer", "https://evil.example/x")));
    assertEquals("403 page-pattern", error(send(euNode, "POST", "/api/hits/blog/UPPER", null)));
    assertEquals(200, send(euNode, "POST", "/api/hits/blog/home", null, "Origin", "https://blog.example.com").statusCode());
    assertEquals(200, send(euNode, "GET", "/px.gif?site=blog&page=home", null, "Referer", "https://blog.example.com/2024/home").statusCode());
    Await.until("2 counted", Duration.ofSeconds(10), () -> total(usNode, "/api/hits/blog/home") == 2);
    String metrics = euNode.call("GET", "/metrics").body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hitcounter_hits_refused_total{") && l.contains("reason=\"origin\"") && l.contains("site=\"blog\"")
        && l.endsWith(" 2.0")), "refusals per site and reason");
  }

  @Test
  @Order(3)
  void aNewPageBeyondTheCapIs403AndExistingPagesKeepCounting() throws Exception {
    // A node counts a site's pages at most once a second (the cap is soft by that second): let
    // the count it made before "home" showed grow old, so the next one sees it.
    Thread.sleep(1100);
    assertEquals(200, send(usNode, "POST", "/api/hits/blog/two", null).statusCode());
    assertEquals(200, send(usNode, "POST", "/api/hits/blog/three", null).statusCode());
    assertEquals("403 page-cap", error(send(usNode, "POST", "/api/hits/blog/four", null)));
    assertEquals(200, send(usNode, "POST", "/api/hits/blog/home", null).statusCode(), "existing pages still count");
    Await.until("eu-west sees 3 pages of blog against its cap", Duration.ofSeconds(10),
        () -> Resources.json(euNode.call("GET", "/api/sites").body()).path("sites").path("blog").path("pages").asInt() == 3);
    // The other datacenter applies the cap too. It is soft by about a second of admissions (each
    // node counts a site's pages at most once a second): new pages may get through until then.
    int[] n = {0};
    Await.until("eu-west refuses a new page", Duration.ofSeconds(5), () -> error(send(euNode, "POST", "/api/hits/blog/five-" + (n[0]++), null)).equals("403 page-cap"));
    assertTrue(n[0] <= 3, "at most a second of admissions past the cap: " + (n[0] - 1));
  }

  @Test
  @Order(4)
  void overTheClientLimitIs429WithRetryAfter() throws Exception {
    assertEquals(200, send(usNode, "POST", "/api/hits/tight/a", null).statusCode());
    assertEquals(200, send(usNode, "POST", "/api/hits/tight/a", null).statusCode());
    HttpResponse<String> r = send(usNode, "POST", "/api/hits/tight/a", null);
    assertEquals("429 rate-limited", error(r));
    long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retry >= 1 && retry <= 2, "Retry-After " + retry);
    assertEquals(200, send(usNode, "POST", "/api/hits/blog/home", null).statusCode(), "another site's limit is its own");
  }

  @Test
  @Order(5)
  void aDeleteAndAResetDuringACutStayAfterTheHeal() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertEquals(200, send(usNode, "POST", "/api/hits/default/gone", null).statusCode());
      assertEquals(200, send(euNode, "POST", "/api/hits/default/gone", null).statusCode());
      assertEquals(200, send(usNode, "POST", "/api/hits/default/again", null).statusCode());
      assertEquals(200, send(euNode, "POST", "/api/hits/default/again", null).statusCode());
    }
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + " shows 10 and 10", Duration.ofSeconds(10), () -> total(n, "/api/hits/gone") == 10 && total(n, "/api/hits/again") == 10);
    }
    eu.kill(); // eu-west is cut off
    Await.until("us-west no longer hears eu-west", Duration.ofSeconds(10), () -> Resources.json(usNode.call("GET", "/api/hits/gone").body()).path("stale").asBoolean());
    assertEquals(200, admin(usNode, "DELETE", "/api/pages/default/gone", null).statusCode());
    assertEquals(200, admin(usNode, "POST", "/api/pages/default/again/reset", null).statusCode());
    Await.until("us-west shows both at 0 at once", Duration.ofSeconds(3), () -> total(usNode, "/api/hits/gone") == 0 && total(usNode, "/api/hits/again") == 0);
    // After the reset: 3 hits in us-west, 4 in eu-west (queued there while it is cut off).
    for (int i = 0; i < 3; i++) {
      assertEquals(200, send(usNode, "POST", "/api/hits/again", null).statusCode());
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(200, send(euNode, "POST", "/api/hits/again", null).statusCode());
    }
    eu = resources.keep(new ConsulServer("eu-west", dir, eu).start(List.of(us.serfWanPort)));
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + ": the reset page shows only the hits after its reset", Duration.ofSeconds(30), () -> total(n, "/api/hits/again") == 7);
      Await.until(n.name + ": the deleted page stays deleted", Duration.ofSeconds(10), () -> total(n, "/api/hits/gone") == 0
          && Resources.json(n.call("GET", "/api/hits/gone").body()).path("reset").path("deleted").asBoolean());
      JsonNode listed = Resources.json(n.call("GET", "/api/pages?prefix=gone").body());
      assertEquals(0, listed.path("pages").size(), n.name + " lists no deleted page");
    }
  }

  @Test
  @Order(6)
  void aDeletedSiteTakesItsPagesAndComesBackEmpty() throws Exception {
    assertEquals("400 bad-site", error(admin(usNode, "DELETE", "/api/sites/default", null)));
    // eu-west's Consul was restarted by the test before: a 503 "try again" is an honest answer meanwhile.
    Await.until("the delete is taken", Duration.ofSeconds(15), () -> admin(euNode, "DELETE", "/api/sites/blog", null).statusCode() == 200);
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + ": blog is gone", Duration.ofSeconds(10), () -> error(send(n, "POST", "/api/hits/blog/home", null)).equals("403 unknown-site"));
    }
    assertEquals(200, admin(usNode, "PUT", "/api/sites/blog", "{\"maxPages\": 3}").statusCode());
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + ": blog is back", Duration.ofSeconds(10), () -> send(n, "POST", "/api/hits/blog/fresh", null).statusCode() == 200);
    }
    Await.until("the new blog has only its new page", Duration.ofSeconds(10), () -> total(usNode, "/api/hits/blog/home") == 0
        && total(usNode, "/api/hits/blog/fresh") >= 1
        && Resources.json(usNode.call("GET", "/api/pages?site=blog").body()).path("pages").size() == 1);
    assertEquals(2, Resources.json(usNode.call("GET", "/api/sites").body()).path("sites").path("blog").path("generation").asLong(), "a new generation");
  }

  @Test
  @Order(7)
  void aPathIsResetAndDeletedInBothDatacentersUnderItsEscapedKey() throws Exception {
    assertEquals(200, admin(usNode, "PUT", "/api/sites/paths", "{}").statusCode());
    String read = "/api/hits?site=paths&path=" + java.net.URLEncoder.encode("/café/a b/", java.nio.charset.StandardCharsets.UTF_8);
    Await.until("both know the site", Duration.ofSeconds(10), () -> euNode.call("GET", read).statusCode() == 200 && usNode.call("GET", read).statusCode() == 200);
    for (int i = 0; i < 5; i++) {
      assertEquals(200, send(i < 3 ? usNode : euNode, "POST", read, null).statusCode());
    }
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + ": 5 counted", Duration.ofSeconds(20), () -> total(n, read) == 5);
    }
    HttpResponse<String> reset = admin(usNode, "POST", "/api/pages/paths/reset?path=%2Fcaf%25C3%25A9%2Fa%2520b", null);
    assertEquals(200, reset.statusCode(), reset.body());
    assertEquals("/café/a b", Resources.json(reset.body()).path("page").asText());
    String keys = HTTP.send(HttpRequest.newBuilder(URI.create(us.url() + "/v1/kv/hitcounter/resets/us-west/?keys")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(keys.contains("\"hitcounter/resets/us-west/paths~1:!2Fcaf!C3!A9!2Fa!20b\""), keys);
    assertEquals(200, send(euNode, "POST", read, null).statusCode());
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + ": only the hit after the reset", Duration.ofSeconds(20), () -> total(n, read) == 1);
    }
    assertEquals(200, admin(euNode, "DELETE", "/api/pages/paths?path=/caf%C3%A9/a%20b", null).statusCode());
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + ": deleted", Duration.ofSeconds(20),
          () -> total(n, read) == 0 && Resources.json(n.call("GET", read).body()).path("reset").path("deleted").asBoolean());
    }
    assertEquals("400 bad-path", error(admin(usNode, "DELETE", "/api/pages/paths?path=/../x", null)));
  }
}
