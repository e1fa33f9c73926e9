package hitcounter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hitcounter.testkit.Await;
import hitcounter.testkit.Resources;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.Chromium;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The live page in a real browser (headless Chromium): opened from us-west, it shows hits taken
 * in eu-west without reload, and turns to a colour set through distributed configuration; its
 * charts (uPlot) draw and the per-minute one moves live; the dashboard's charts draw.
 * Screenshots land in target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserIT {
  private static final String TOKEN = "browser-secret";
  /** Whether chart %s has drawn on a canvas that has painted pixels (not a blank box). */
  private static final String DRAWN = "(function(c){if(!c||!c.plot||c.draws<1)return 'false';var x=c.plot.ctx,cv=x.canvas,"
      + "d=x.getImageData(0,0,cv.width,cv.height).data,n=0;for(var i=3;i<d.length;i+=4)if(d[i]>0)n++;return String(n>500)})(window.hcCharts&&hcCharts.%1$s)";
  private final Resources resources = new Resources();
  private TestNode us;
  private TestNode eu;
  private Chromium browser;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "browser-" + UUID.randomUUID()));
    List<ConsulServer> consuls = ConsulServer.twoDatacenters(dir, resources);
    ConsulServer usConsul = consuls.get(0);
    ConsulServer euConsul = consuls.get(1);
    String extra = "hitcounter.admin-token = \"" + TOKEN + "\"";
    us = resources.keep(new TestNode("us-west", "us-west-0", usConsul.url(), resources.keep(new Beanstalkd(dir).start()).port(), extra));
    eu = resources.keep(new TestNode("eu-west", "eu-west-0", euConsul.url(), resources.keep(new Beanstalkd(dir).start()).port(), extra));
    browser = resources.keep(new Chromium(dir));
  }

  @Test
  void theLivePageFollowsHitsInTheOtherDatacenterAndTheColourSetting() throws Exception {
    String page = "home-" + UUID.randomUUID().toString().substring(0, 6);
    for (TestNode n : List.of(us, eu)) {
      n.awaitUnitedSalt(Duration.ofSeconds(60));
    }
    browser.navigate("http://127.0.0.1:" + us.httpPort + "/p/" + page);
    Await.until("the page counted its own visit", Duration.ofSeconds(15), () -> browser.eval("document.getElementById('total').textContent").equals("1"));
    // The charts (uPlot) draw: a canvas each, painted, with hits, bots and (per day) uniques.
    Await.until("the minute chart draws", Duration.ofSeconds(15), () -> browser.eval(DRAWN.formatted("minute")).equals("true"));
    Await.until("the day chart draws", Duration.ofSeconds(15), () -> browser.eval(DRAWN.formatted("day")).equals("true"));
    assertEquals("4", browser.eval("String(hcCharts.day.plot.series.length)"), "x, hits, bots, unique visitors");
    Await.until("the day chart shows the visit and its visitor", Duration.ofSeconds(25),
        () -> browser.eval("(function(d){return d.hits[d.hits.length-1]+'/'+d.uniques[d.uniques.length-1]})(hcCharts.day.data)").equals("1/1"));
    long before = Long.parseLong(browser.eval("String(hcCharts.minute.data.hits.reduce(function(a,b){return a+b},0))"));

    for (int i = 0; i < 5; i++) {
      assertEquals(200, eu.call("POST", "/api/hits/" + page).statusCode());
    }
    Await.until("the total rises without reload", Duration.ofSeconds(15), () -> browser.eval("document.getElementById('total').textContent").equals("6"));
    Await.until("the minute chart moves live", Duration.ofSeconds(20),
        () -> Long.parseLong(browser.eval("String(hcCharts.minute.data.hits.reduce(function(a,b){return a+b},0))")) >= before + 5
            && Long.parseLong(browser.eval("String(hcCharts.minute.updates)")) > 1);
    assertEquals("1", browser.eval("String(performance.getEntriesByType('navigation').length)"), "one navigation: no reload");

    HttpResponse<String> put = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + eu.httpPort + "/api/config/colour"))
            .PUT(HttpRequest.BodyPublishers.ofString("\"#ff8800\"")).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, put.statusCode(), put.body());
    Await.until("the background turns orange", Duration.ofSeconds(15),
        () -> browser.eval("getComputedStyle(document.body).backgroundColor").equals("rgb(255, 136, 0)"));
    Thread.sleep(500);
    browser.screenshot(Path.of("target", "screenshots", "live-page.png"));

    browser.navigate("http://127.0.0.1:" + us.httpPort + "/dashboard");
    Await.until("the dashboard lists the page", Duration.ofSeconds(15),
        () -> browser.eval("document.getElementById('rows').textContent").contains(page));
    Await.until("the dashboard's charts draw", Duration.ofSeconds(15),
        () -> browser.eval(DRAWN.formatted("minute")).equals("true") && browser.eval(DRAWN.formatted("day")).equals("true"));
    Thread.sleep(1200);
    browser.screenshot(Path.of("target", "screenshots", "dashboard.png"));
  }

  @AfterAll
  void stop() {
    resources.close();
  }

}
