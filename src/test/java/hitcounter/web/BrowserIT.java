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

  /** A page of the static site, counted by the snippet. */
  private String page(String body, String attributes) {
    return "<!doctype html><html><head><meta charset=utf-8><title>t</title>"
        + "<script async src=\"http://127.0.0.1:" + us.httpPort + "/count.js\" data-site=\"blog\" data-allow-local " + attributes + "></script>"
        + "</head><body>" + body + "</body></html>";
  }

  private long count(String path) {
    HttpResponse<String> r = us.call("GET", "/api/hits?site=blog&path=" + java.net.URLEncoder.encode(path, java.nio.charset.StandardCharsets.UTF_8));
    try {
      return r.statusCode() == 200 ? hitcounter.infra.Json.mapper().readTree(r.body()).path("total").asLong() : -1;
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private void ready() {
    Await.until("count.js ran", Duration.ofSeconds(15), () -> browser.eval("String(!!(window.hitcounter && window.hitcounter.version))").equals("true"));
  }

  @Test
  void theSnippetCountsEveryPathOfARealSiteOnce() throws Exception {
    hitcounter.testkit.StaticSite site = resources.keep(new hitcounter.testkit.StaticSite());
    String origin = "http://127.0.0.1:" + site.port();
    HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + us.httpPort + "/api/sites/blog"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"origins\": [\"" + origin + "\"]}")).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, created.statusCode(), created.body());
    Await.until("the site is known", Duration.ofSeconds(15), () -> count("/") == 0);
    site.page("/ref", "<a id=go href=\"" + origin + "/?utm_source=newsletter&utm_medium=email\">blog</a>")
        .page("/", page("<a id=post href=\"/blog/post/\">post</a>", ""))
        .page("/blog/post/", page("post", ""))
        .page("/caf%C3%A9", page("café", ""))
        .page("/spa", page("spa", ""))
        .page("/hash", page("hash", "data-hash"))
        .page("/show", page("<span id=n>?</span>", "data-show=\"#n\""))
        .page("/local", page("local", "").replace(" data-allow-local", ""))
        // A page the browser shows hidden (a background tab), then prerendered: both count once seen.
        .page("/hidden", "<script>window.vis='hidden';Object.defineProperty(document,'visibilityState',{configurable:true,get:function(){return window.vis}});</script>"
            + page("hidden", ""))
        .page("/prerendered", "<script>window.pre=true;Object.defineProperty(document,'prerendering',{configurable:true,get:function(){return window.pre}});</script>"
            + page("prerendered", ""));

    // Referred from another host with a campaign, then a click inside the site (no referral).
    browser.navigate("http://localhost:" + site.port() + "/ref");
    Await.until("on the blog", Duration.ofSeconds(15), () -> {
      browser.eval("(function(a){if(a&&location.pathname==='/ref')a.click();return 'ok'})(document.getElementById('go'))");
      return browser.eval("location.pathname").equals("/");
    });
    ready();
    String referrer = browser.eval("document.referrer");
    Await.until("on the post", Duration.ofSeconds(15), () -> {
      browser.eval("(function(a){if(a&&location.pathname==='/')a.click();return 'ok'})(document.getElementById('post'))");
      return browser.eval("location.pathname").equals("/blog/post/");
    });
    ready();
    browser.navigate(origin + "/caf%C3%A9");
    ready();
    browser.eval("location.reload(),'ok'");
    Thread.sleep(500);
    ready();
    // A single-page app: three pushState navigations, a replaceState of the same path, back and forward.
    browser.navigate(origin + "/spa");
    ready();
    for (String p : List.of("/spa/one", "/spa/two", "/spa/three")) {
      browser.eval("history.pushState({}, '', '" + p + "'),'ok'");
    }
    browser.eval("history.replaceState({}, '', '/spa/three'),'ok'");
    browser.eval("history.back(),'ok'");
    Await.until("back", Duration.ofSeconds(10), () -> browser.eval("location.pathname").equals("/spa/two"));
    browser.eval("history.forward(),'ok'");
    Await.until("forward", Duration.ofSeconds(10), () -> browser.eval("location.pathname").equals("/spa/three"));
    // A hash router.
    browser.navigate(origin + "/hash");
    ready();
    browser.eval("location.hash = '#/a','ok'");
    Await.until("hash a", Duration.ofSeconds(10), () -> browser.eval("location.hash").equals("#/a"));
    browser.eval("location.hash = '#/b','ok'");
    Await.until("hash b", Duration.ofSeconds(10), () -> browser.eval("location.hash").equals("#/b"));
    // Away and back: a page restored from the back/forward cache (or loaded again) counts again.
    browser.navigate(origin + "/blog/post/");
    ready();
    browser.navigate(origin + "/show");
    ready();
    browser.eval("history.back(),'ok'");
    Await.until("back on the post", Duration.ofSeconds(15), () -> browser.eval("location.pathname").equals("/blog/post/"));
    Thread.sleep(300);

    java.util.Map<String, Long> expected = new java.util.LinkedHashMap<>();
    expected.put("/", 1L);
    expected.put("/blog/post", 3L);
    expected.put("/café", 2L);
    expected.put("/spa", 1L);
    expected.put("/spa/one", 1L);
    expected.put("/spa/two", 2L);
    expected.put("/spa/three", 2L);
    expected.put("/hash", 1L);
    expected.put("/hash/a", 1L);
    expected.put("/hash/b", 1L);
    expected.put("/show", 1L);
    Await.until("every path counted", Duration.ofSeconds(30), () -> expected.entrySet().stream().allMatch(e -> count(e.getKey()) >= e.getValue()));
    Thread.sleep(3000); // nothing more comes: no path counted twice
    for (var e : expected.entrySet()) {
      assertEquals(e.getValue(), count(e.getKey()), e.getKey());
      assertEquals(e.getValue(), hitcounter.infra.Json.mapper().readTree(eu.call("GET", "/api/hits?site=blog&path="
          + java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8)).body()).path("total").asLong(), "eu-west: " + e.getKey());
    }

    // Without data-allow-local a page on a loopback address (and an automated browser) counts nothing.
    browser.navigate(origin + "/local");
    ready();
    Thread.sleep(1500);
    assertEquals(0, count("/local"), "skipped: localhost, file:, frames and automated browsers need data-allow-local");

    // A hidden page counts once it becomes visible; a prerendered one once it is activated.
    browser.navigate(origin + "/hidden");
    ready();
    Thread.sleep(1500);
    assertEquals(0, count("/hidden"), "not while hidden");
    browser.eval("window.vis='visible',document.dispatchEvent(new Event('visibilitychange')),'ok'");
    Await.until("the hidden page counted once seen", Duration.ofSeconds(15), () -> count("/hidden") == 1);
    browser.navigate(origin + "/prerendered");
    ready();
    Thread.sleep(1500);
    assertEquals(0, count("/prerendered"), "not while prerendered");
    browser.eval("window.pre=false,document.dispatchEvent(new Event('prerenderingchange')),'ok'");
    Await.until("the prerendered page counted once activated", Duration.ofSeconds(15), () -> count("/prerendered") == 1);

    // data-show writes the page's total into the element.
    browser.navigate(origin + "/show");
    Await.until("the total is shown", Duration.ofSeconds(15), () -> browser.eval("document.getElementById('n').textContent").matches("\\d+"));

    // The referrer and the campaign of the first visit, in both datacenters.
    for (TestNode n : List.of(us, eu)) {
      String[] last = {""};
      Await.until(() -> "referrers in " + n.datacenter + " (document.referrer was " + referrer + "): " + last[0], Duration.ofSeconds(20), () -> {
        String body = n.call("GET", "/api/referrers?site=blog&days=1").body();
        last[0] = body;
        return body.contains("\"value\":\"localhost\"") && body.contains("\"value\":\"newsletter\"") && body.contains("\"value\":\"email\"");
      });
    }
    browser.navigate("http://127.0.0.1:" + us.httpPort + "/dashboard");
    Await.until("the dashboard shows referrers", Duration.ofSeconds(15), () -> {
      browser.eval("(function(s){s.value='blog';return 'ok'})(document.getElementById('refsite'))");
      return browser.eval("document.getElementById('referrers').textContent").contains("newsletter");
    });
  }

  @AfterAll
  void stop() {
    resources.close();
  }

}
