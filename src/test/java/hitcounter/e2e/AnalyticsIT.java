package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Analytics on real Consul and beanstalkd, two federated datacenters with a node each: a human
 * request counts in the total and in today's uniques, a bot's only in {@code bots}, a prefetch
 * nowhere; the same visitor in both datacenters is one unique once the salt is agreed; the
 * pixel counts the same way; the series show it per day and per minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsIT {
  private static final String CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
  private static final String FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
  private static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  private final Resources resources = new Resources();
  private TestNode us;
  private TestNode eu;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "analytics-" + UUID.randomUUID()));
    List<ConsulServer> consuls = ConsulServer.twoDatacenters(dir, resources);
    us = resources.keep(new TestNode("us-west", "us-west-0", consuls.get(0).url(), resources.keep(new Beanstalkd(dir).start()).port()));
    eu = resources.keep(new TestNode("eu-west", "eu-west-0", consuls.get(1).url(), resources.keep(new Beanstalkd(dir).start()).port()));
    // Both datacenters have agreed on today's visitor salt.
    for (TestNode n : List.of(us, eu)) {
      n.awaitUnitedSalt(Duration.ofSeconds(60));
    }
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  private long siteBotsLastMinutes() {
    JsonNode m = Resources.json(us.call("GET", "/api/series?step=minute&points=10").body());
    long n = 0;
    for (JsonNode b : m.path("bots")) {
      n += b.asLong();
    }
    return n;
  }

  private JsonNode reply(TestNode n, String page) {
    return Resources.json(n.call("GET", "/api/hits/" + page).body());
  }

  @Test
  void aHumanABotAndAPrefetchEachLandWhereTheyShould() {
    String page = "an-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(200, us.call("POST", "/api/hits/" + page, "User-Agent", CHROME).statusCode());
    assertEquals(200, us.call("POST", "/api/hits/" + page, "User-Agent", CHROME).statusCode(), "the same visitor again");
    assertEquals(200, us.call("POST", "/api/hits/" + page, "User-Agent", FIREFOX).statusCode(), "another visitor");
    // Bots hit pages people made: the page is counted (and known in eu-west) before they come.
    Await.until("the page is counted", Duration.ofSeconds(20), () -> reply(us, page).path("total").asLong() == 3 && reply(eu, page).path("total").asLong() == 3);
    assertEquals(200, us.call("POST", "/api/hits/" + page, "User-Agent", GOOGLEBOT).statusCode(), "a bot's hit is taken");
    assertEquals(204, us.call("POST", "/api/hits/" + page, "User-Agent", CHROME, "Sec-Purpose", "prefetch").statusCode());
    assertEquals(204, us.call("POST", "/api/hits/" + page, "User-Agent", CHROME, "X-Moz", "prefetch").statusCode());
    // The same Chrome visitor in eu-west, through the pixel.
    assertEquals(200, eu.call("GET", "/px.gif?page=" + page, "User-Agent", CHROME).statusCode());
    assertEquals(200, eu.call("GET", "/px.gif?page=" + page, "User-Agent", "").statusCode(), "no User-Agent: a bot");
    for (TestNode n : List.of(us, eu)) {
      Await.until(n.name + " shows 4 hits, 2 bots, 2 uniques", Duration.ofSeconds(20), () -> {
        JsonNode r = reply(n, page);
        return r.path("total").asLong() == 4 && r.path("bots").asLong() == 2 && r.path("uniques").path("total").asLong() == 2;
      });
      JsonNode r = reply(n, page);
      assertEquals(3, r.path("datacenters").path("us-west").asLong());
      assertEquals(1, r.path("datacenters").path("eu-west").asLong());
      assertEquals(2, r.path("uniques").path("datacenters").path("us-west").asLong());
      assertEquals(1, r.path("uniques").path("datacenters").path("eu-west").asLong());
      assertTrue(r.path("uniques").path("united").asBoolean(), r.toString());
      JsonNode day = Resources.json(n.call("GET", "/api/series/" + page + "?step=day&days=2").body());
      assertEquals(2, day.path("t").size());
      assertEquals(4, day.path("hits").get(1).asLong());
      assertEquals(2, day.path("bots").get(1).asLong());
      assertEquals(2, day.path("uniques").get(1).asLong());
      assertEquals(0, day.path("hits").get(0).asLong());
      assertEquals(3, day.path("datacenters").path("us-west").path("hits").get(1).asLong(), "each datacenter's own hits");
      assertEquals(1, day.path("datacenters").path("eu-west").path("hits").get(1).asLong());
      assertEquals(1, day.path("datacenters").path("eu-west").path("bots").get(1).asLong());
    }
    JsonNode minutes = Resources.json(us.call("GET", "/api/series?step=minute&points=10").body());
    assertEquals(10, minutes.path("t").size());
    long hits = 0;
    long bots = 0;
    for (int i = 0; i < 10; i++) {
      hits += minutes.path("hits").get(i).asLong();
      bots += minutes.path("bots").get(i).asLong();
    }
    assertTrue(hits >= 4 && bots >= 2, minutes.toString());
    assertEquals(400, us.call("GET", "/api/series?step=week").statusCode());
    // A bot on a page nobody counted: it counts for the site only and makes no page.
    String fresh = "fresh-" + UUID.randomUUID().toString().substring(0, 8);
    long siteBots = siteBotsLastMinutes();
    assertEquals(200, us.call("POST", "/api/hits/" + fresh, "User-Agent", GOOGLEBOT).statusCode());
    Await.until("the site counts the bot", Duration.ofSeconds(20), () -> siteBotsLastMinutes() >= siteBots + 1);
    JsonNode f = reply(us, fresh);
    assertEquals(0, f.path("total").asLong());
    assertEquals(0, f.path("bots").asLong());
    assertEquals(400, us.call("GET", "/api/series/" + page + "?days=0").statusCode());
  }
}
