package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import hitcounter.config.Sites;
import hitcounter.config.SitesSettings;
import hitcounter.infra.Json;
import hitcounter.page.PageKey;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HitGateTest {
  private static final String SITES = """
      {"blog": {"origins": ["https://blog.example.com"], "pattern": "[a-z0-9-]{1,40}", "maxPages": 3,
                "perClient": {"rate": 1, "burst": 5}, "perSite": {"rate": 1000, "burst": 1000}, "generation": 2},
       "gone": {"deleted": true, "generation": 4}}
      """;

  private final CountTable table = new CountTable();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HitGate gate = new HitGate(() -> sites(SITES), new RateLimits(1000), new PageCaps(table), registry);

  static Sites sites(String json) {
    try {
      JsonNode doc = Json.mapper().readTree(json);
      assertEquals(Optional.empty(), Sites.problem(doc));
      return Sites.of(doc, SitesSettings.create(ConfigFactory.load()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HitGate.Verdict hit(String site, String page, String origin, String referer, String client) {
    return gate.check(site, page, Optional.ofNullable(origin), Optional.ofNullable(referer), client);
  }

  private static String reason(HitGate.Verdict v) {
    return v instanceof HitGate.Refuse r ? r.status() + " " + r.reason() : "pass";
  }

  @Test
  void aKnownSiteCountsUnderItsGeneration() {
    HitGate.Pass p = assertInstanceOf(HitGate.Pass.class, hit("blog", "post-1", "https://blog.example.com", null, "10.0.0.1"));
    assertEquals("blog~2:post-1", p.key().key());
    assertEquals(new PageKey("blog", 2, "post-1"), PageKey.parse("blog~2:post-1").orElseThrow());
  }

  @Test
  void unknownDeletedOrMalformedSitesAre403() {
    assertEquals("403 unknown-site", reason(hit("nosuch", "a", null, null, "c")));
    assertEquals("403 unknown-site", reason(hit("gone", "a", null, null, "c")));
    assertEquals("403 unknown-site", reason(hit("Bad_Name", "a", null, null, "c")));
    assertEquals(3, (long) registry.get("hitcounter.hits.refused").tag("site", "unknown").tag("reason", "unknown-site").counter().count());
  }

  @Test
  void aPageOutsideThePatternIs403() {
    assertEquals("403 page-pattern", reason(hit("blog", "UPPER", null, null, "c")));
    assertEquals("400 bad-page-id", reason(hit("blog", "a b", null, null, "c")));
  }

  @Test
  void anOriginOrRefererOfAnotherSiteIs403AndNoneIsAllowed() {
    assertEquals("403 origin", reason(hit("blog", "a", "https://evil.example", null, "c1")));
    assertEquals("403 origin", reason(hit("blog", "a", null, "https://evil.example/page?x=1", "c1")));
    assertEquals("403 origin", reason(hit("blog", "a", null, "not a url", "c1")));
    assertEquals("pass", reason(hit("blog", "a", null, "https://blog.example.com/2024/post", "c2")));
    assertEquals("pass", reason(hit("blog", "a", null, null, "c3")), "no Origin and no Referer (curl, privacy settings): allowed");
  }

  @Test
  void overTheClientLimitIs429WithRetryAfterAndOtherClientsGoOn() {
    for (int i = 0; i < 5; i++) {
      assertEquals("pass", reason(hit("blog", "p", null, null, "10.9.9.9")), "the burst");
    }
    HitGate.Refuse r = assertInstanceOf(HitGate.Refuse.class, hit("blog", "p", null, null, "10.9.9.9"));
    assertEquals(429, r.status());
    assertEquals("rate-client", r.reason());
    assertTrue(r.retryAfterSeconds() >= 1, "Retry-After in whole seconds");
    assertEquals("pass", reason(hit("blog", "p", null, null, "10.9.9.10")), "another client is not limited by this one");
  }

  @Test
  void aNewPageBeyondTheCapIs403ButExistingPagesCount() {
    Map<String, Long> counted = new TreeMap<>(Map.of("blog~2:one", 5L, "blog~2:two", 1L, "other", 9L));
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, new TreeMap<>(counted)), h -> {});
    assertEquals("pass", reason(hit("blog", "three", null, null, "a")), "third page: at the cap now");
    assertEquals("403 page-cap", reason(hit("blog", "four", null, null, "b")));
    assertEquals("pass", reason(hit("blog", "one", null, null, "c")), "an existing page keeps counting");
    assertEquals("pass", reason(hit("blog", "three", null, null, "d")), "a page admitted here keeps counting before it shows");
  }

  @Test
  void aSiteThatRequiresAnOriginRefusesHitsThatHideIt() {
    HitGate strict = new HitGate(() -> sites("{\"s\": {\"origins\": [\"https://s.example\"], \"requireOrigin\": true}}"),
        new RateLimits(1000), new PageCaps(table), registry);
    assertEquals("403 origin", reason(strict.check("s", "a", Optional.empty(), Optional.empty(), "c")));
    assertEquals("403 origin", reason(strict.check("s", "a", Optional.of("null"), Optional.empty(), "c")));
    assertEquals("pass", reason(strict.check("s", "a", Optional.empty(), Optional.of("https://s.example/x"), "c")));
  }

  /** Found in review: an admin's pattern that backtracks without end took a request thread per hit. */
  @Test
  void aPatternThatBacktracksWithoutEndRefusesQuickly() {
    HitGate evil = new HitGate(() -> sites("{\"s\": {\"pattern\": \"([a-z0-9]+-?)+\"}}"), new RateLimits(1000), new PageCaps(table), registry);
    long t0 = System.nanoTime();
    assertEquals("403 page-pattern", reason(evil.check("s", "a".repeat(120) + ".", Optional.empty(), Optional.empty(), "c")));
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused, not stuck");
    assertEquals("pass", reason(evil.check("s", "post-1", Optional.empty(), Optional.empty(), "c")));
  }

  @Test
  void theDefaultSiteIsOpenByDefault() {
    HitGate.Pass p = assertInstanceOf(HitGate.Pass.class, hit(null, "home", "https://anything.example", null, "c"));
    assertEquals("home", p.key().key());
  }

  @Test
  void sitesThatDoNotParseAreRefusedWithAReason() throws Exception {
    assertTrue(Sites.problem(Json.mapper().readTree("{\"x\": {\"pattern\": \"(\"}}")).orElseThrow().contains("pattern"));
    assertTrue(Sites.problem(Json.mapper().readTree("{\"x\": {\"origins\": [\"blog.example.com\"]}}")).orElseThrow().contains("origin"));
    assertTrue(Sites.problem(Json.mapper().readTree("{\"x\": {\"maxPages\": -1}}")).orElseThrow().contains("maxPages"));
    assertTrue(Sites.problem(Json.mapper().readTree("{\"x\": {\"colour\": 1}}")).orElseThrow().contains("unknown field"));
    assertTrue(Sites.problem(Json.mapper().readTree("{\"X\": {}}")).isPresent());
  }

  @Test
  void aSiteDeletedAndCreatedAgainStartsANewGeneration() throws Exception {
    Sites s = sites(SITES);
    JsonNode doc = Json.mapper().readTree(SITES);
    var again = s.with(doc, "gone", (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree("{}"));
    assertEquals(5, again.get("gone").get("generation").asLong());
    var deleted = s.without(doc, "blog");
    assertEquals(2, deleted.get("blog").get("generation").asLong());
    assertTrue(deleted.get("blog").get("deleted").asBoolean());
    assertEquals(3, s.with(deleted, "x", Json.mapper().createObjectNode()).size());
  }
}
