package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import hitcounter.testkit.TwoDatacenters;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Imports on two datacenters of two nodes each, real Consul and beanstalkd (decision 0015): an
 * import in us-west shows on all four nodes, with hits on top; the same file posted again in
 * eu-west while us-west is out of reach is written there as a version of its own and, after the
 * heal, adds nothing; eu-west restored from a snapshot taken before the import gets it back; a
 * GoatCounter export (gzipped, events and bots inside) imports its per-path totals; 100,000
 * imported pages export as a stream in bounded heap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImportIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Resources resources = new Resources();
  private TwoDatacenters system;
  private List<TestNode> nodes;
  private TestNode us0;
  private TestNode eu0;
  private byte[] beforeImports;

  @BeforeAll
  void start() throws Exception {
    system = new TwoDatacenters("import", resources, 2);
    nodes = system.nodes;
    us0 = nodes.get(0);
    eu0 = nodes.get(2);
    assertEquals(200, admin(us0, "PUT", "/api/sites/blog", "{}".getBytes(StandardCharsets.UTF_8)).statusCode());
    for (TestNode n : nodes) {
      Await.until(n.name + " knows blog", Duration.ofSeconds(15),
          () -> Resources.json(n.call("GET", "/api/sites").body()).path("sites").path("blog").path("live").asBoolean());
    }
  }

  private static HttpResponse<String> admin(TestNode node, String method, String path, byte[] body) {
    return TwoDatacenters.admin(node, method, path, body);
  }

  private static HttpResponse<String> send(TestNode node, String method, String path, byte[] body) {
    return TwoDatacenters.send(node, method, path, body);
  }

  private static long total(TestNode n, String path) {
    HttpResponse<String> r = n.call("GET", "/api/counter?site=blog&path=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
    return r.statusCode() == 200 ? Resources.json(r.body()).path("total").asLong() : -1;
  }

  private static JsonNode imports(TestNode n) {
    return Resources.json(n.call("GET", "/api/imports?site=blog").body()).path("imports");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void anImportInUsWestShowsOnAllFourNodesWithHitsOnTop() throws Exception {
    beforeImports = HTTP.send(system.eu.request("/v1/snapshot").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    for (int i = 0; i < 2; i++) {
      assertEquals(200, send(us0, "POST", "/api/hits?site=blog&path=/a", null).statusCode());
    }
    String csv = "path,count,day\n/a,100,2024-05-01\n/b/,50,2024-05-02\n\"/c,d\",7,2024-05-03\n";
    assertEquals(401, send(us0, "POST", "/api/import?site=blog", utf8(csv)).statusCode(), "no admin token");
    HttpResponse<String> bad = admin(us0, "POST", "/api/import?site=blog", utf8(csv + "/e,many\n"));
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("bad-import", Resources.json(bad.body()).path("error").asText());
    assertTrue(Resources.json(bad.body()).path("reason").asText().startsWith("line 5:"), bad.body());
    assertEquals(404, admin(us0, "POST", "/api/import?site=nosuch", utf8(csv)).statusCode());
    HttpResponse<String> r = admin(us0, "POST", "/api/import?site=blog", utf8(csv));
    assertEquals(200, r.statusCode(), r.body());
    JsonNode done = Resources.json(r.body());
    assertEquals(157, done.path("added").asLong());
    assertEquals(3, done.path("pages").asLong());
    assertEquals("2024-05-01", done.path("firstDay").asText());
    for (TestNode n : nodes) {
      Await.until(n.name + " shows the import with the hits on top", Duration.ofSeconds(20),
          () -> total(n, "/a") == 102 && total(n, "/b") == 50 && total(n, "/c,d") == 7);
      JsonNode pages = Resources.json(n.call("GET", "/api/pages?site=blog&prefix=/a").body()).path("pages");
      assertEquals(100, pages.path(0).path("imported").asLong(), n.name + ": /api/pages says what was imported: " + pages);
      assertEquals(102, pages.path(0).path("total").asLong());
    }
    assertEquals(100, Resources.json(eu0.call("GET", "/api/hits?site=blog&path=/a").body()).path("imported").asLong());
    String export = eu0.call("GET", "/api/export?site=blog").body();
    assertTrue(export.lines().anyMatch(l -> l.startsWith("/a,102,100,")), export);
    assertTrue(export.lines().anyMatch(l -> l.startsWith("\"/c,d\",7,7,")), export);
    HttpResponse<String> again = admin(us0, "POST", "/api/import?site=blog", utf8(csv));
    assertTrue(Resources.json(again.body()).path("already").asBoolean(), again.body());
    assertEquals(0, Resources.json(again.body()).path("added").asLong());
    assertEquals(1, imports(us0).size(), "a bad file wrote nothing");
  }

  @Test
  @Order(2)
  void theSameFilePostedAgainInEuWestWhileUsWestIsOutOfReachAddsNothingAfterTheHeal() throws Exception {
    String csv = "/retry,40\n/retry/two,2\n";
    system.eu.kill(); // the cut: us-west cannot copy what it writes now
    HttpResponse<String> first = admin(us0, "POST", "/api/import?site=blog", utf8(csv));
    assertEquals(200, first.statusCode(), first.body());
    String id = Resources.json(first.body()).path("id").asText();
    system.us.kill(); // the reply was lost, and us-west is out of reach when the client tries eu-west
    system.eu = system.restart(system.eu, system.us);
    HttpResponse<String>[] second = new HttpResponse[1];
    Await.until("eu-west takes the file", Duration.ofSeconds(30), () -> (second[0] = admin(eu0, "POST", "/api/import?site=blog", utf8(csv))).statusCode() == 200);
    JsonNode s = Resources.json(second[0].body());
    assertEquals(id, s.path("id").asText(), "the same file is the same import");
    assertFalse(s.path("already").asBoolean(), "eu-west could not know: it writes a version of its own " + second[0].body());
    Await.until("eu-west shows it", Duration.ofSeconds(20), () -> total(eu0, "/retry") == 40);
    system.us = system.restart(system.us, system.eu);
    for (TestNode n : nodes) {
      Await.until(n.name + " knows both versions", Duration.ofSeconds(60), () -> {
        for (JsonNode i : imports(n)) {
          if (i.path("id").asText().equals(id)) {
            return i.path("versions").size() == 2 && i.path("shown").asBoolean();
          }
        }
        return false;
      });
      Await.until(n.name + " shows the file once", Duration.ofSeconds(20), () -> total(n, "/retry") == 40 && total(n, "/retry/two") == 2);
    }
    Thread.sleep(1000);
    for (TestNode n : nodes) {
      assertEquals(40, total(n, "/retry"), n.name);
      assertEquals(102, total(n, "/a"), n.name);
    }
  }

  @Test
  @Order(3)
  void eachRestoredFromASnapshotTakenBeforeTheImportsGetsThemBack() throws Exception {
    HttpResponse<String> restored = HTTP.send(system.eu.request("/v1/snapshot").timeout(Duration.ofSeconds(60))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(beforeImports)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, restored.statusCode(), restored.body());
    assertEquals(200, send(eu0, "POST", "/api/hits?site=blog&path=/b", null).statusCode()); // a write, so watchers see the restored store
    for (TestNode n : nodes) {
      Await.until(n.name + " shows every import again, and the hit", Duration.ofSeconds(60),
          () -> total(n, "/a") == 102 && total(n, "/b") == 51 && total(n, "/retry") == 40);
    }
  }

  @Test
  @Order(4)
  void aGoatCounterExportImportsItsPerPathTotals() throws Exception {
    StringBuilder b = new StringBuilder("2Path,Title,Event,UserAgent,Browser,System,Session,Bot,Referrer,Referrer scheme,Screen size,Location,FirstVisit,Date\n");
    int[] want = {0, 0};
    for (int i = 0; i < 300; i++) {
      boolean event = i % 10 == 3;
      int bot = i % 7 == 0 ? 150 : 0;
      String path = event ? "click-signup" : (i % 3 == 0 ? "/goat/one" : "/goat/two/");
      if (!event && bot == 0) {
        want[i % 3 == 0 ? 0 : 1]++;
      }
      b.append(path).append(",\"Title, ").append(i).append("\",").append(event).append(",,Firefox 120,Linux,s").append(i % 17).append(',').append(bot)
          .append(",https://news.example/x,h,\"1920,1080,1\",NL,").append(i % 2 == 0).append(",2023-0").append(1 + i % 9).append("-1").append(i % 10)
          .append("T10:00:00Z\n");
    }
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(utf8(b.toString()));
    }
    HttpResponse<String> r = admin(eu0, "POST", "/api/import?site=blog", gz.toByteArray());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode done = Resources.json(r.body());
    assertEquals("goatcounter-2", done.path("format").asText());
    assertEquals(30, done.path("events").asLong());
    assertTrue(done.path("bots").asLong() > 0);
    for (TestNode n : nodes) {
      Await.until(n.name + " shows GoatCounter's totals", Duration.ofSeconds(20), () -> total(n, "/goat/one") == want[0] && total(n, "/goat/two") == want[1]);
    }
  }

  @Test
  @Order(5)
  void oneHundredThousandImportedPagesExportAsAStreamInBoundedHeap() throws Exception {
    StringBuilder b = new StringBuilder("path,count\n");
    for (int i = 0; i < 100_000; i++) {
      b.append("/big/").append(i).append(',').append(1 + i % 5).append('\n');
    }
    HttpResponse<String> r = admin(us0, "POST", "/api/import?site=blog", utf8(b.toString()));
    assertEquals(200, r.statusCode(), r.body());
    for (TestNode n : nodes) {
      Await.until(n.name + " shows 100,000 imported pages", Duration.ofSeconds(60), () -> total(n, "/big/99999") == 5);
    }
    System.gc();
    long before = heapUsed();
    long peak = before;
    long rows = 0;
    long sum = 0;
    HttpResponse<java.io.InputStream> export = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + eu0.httpPort + "/api/export?site=blog")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertTrue(export.headers().firstValue("Content-Length").isEmpty(), "streamed, not built whole");
    try (BufferedReader in = new BufferedReader(new InputStreamReader(export.body(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("/big/")) {
          rows++;
          String[] f = line.split(",");
          sum += Long.parseLong(f[2]);
        }
        if (rows % 20_000 == 0 && line.startsWith("/big/")) {
          System.gc(); // live data while the stream is half read: what the export holds, not its garbage
          peak = Math.max(peak, heapUsed());
        }
      }
    }
    assertEquals(100_000, rows);
    assertEquals(300_000, sum, "every row's imported count");
    System.out.printf("export of 100,000 pages: heap used %d MB before, at most %d MB while streaming%n", before >> 20, peak >> 20);
    assertTrue(peak - before < 64L << 20, "bounded heap while streaming: " + ((peak - before) >> 20) + " MB more");
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @AfterAll
  void stop() {
    resources.close();
  }
}
