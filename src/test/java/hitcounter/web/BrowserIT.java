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
 * in eu-west without reload, and turns to a colour set through distributed configuration.
 * Screenshots land in target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserIT {
  private static final String TOKEN = "browser-secret";
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
    browser.navigate("http://127.0.0.1:" + us.httpPort + "/p/" + page);
    Await.until("the page counted its own visit", Duration.ofSeconds(15), () -> browser.eval("document.getElementById('total').textContent").equals("1"));

    for (int i = 0; i < 5; i++) {
      assertEquals(200, eu.call("POST", "/api/hits/" + page).statusCode());
    }
    Await.until("the total rises without reload", Duration.ofSeconds(15), () -> browser.eval("document.getElementById('total').textContent").equals("6"));
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
    Thread.sleep(1200);
    browser.screenshot(Path.of("target", "screenshots", "dashboard.png"));
  }

  @AfterAll
  void stop() {
    resources.close();
  }

}
