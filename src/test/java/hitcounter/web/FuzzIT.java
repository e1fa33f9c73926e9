package hitcounter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import hitcounter.testkit.Await;
import hitcounter.testkit.Resources;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * 10,000 random requests (methods, paths, headers, bodies, huge and unicode page ids) written
 * raw to a real node: no 5xx, the node stays up, and the counts grow by exactly the hits that
 * were answered 200 on a counting route: no rejected request changed a count.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzIT {
  private static final int REQUESTS = 10_000;
  private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "BREW", "get"};
  private static final String[] PREFIXES = {
    "/", "/p/", "/api/hits/", "/api/hits/", "/api/config/", "/api/config", "/api/audit", "/api/pages", "/api/ping",
    "/px.gif?page=", "/badge/", "/dashboard", "/static/", "/metrics", "/api/topology", "/nope/", "//", "/p//", "/api/hits/x/events"
  };
  private static final String[] PAGES = {"fz-a", "fz-b", "fz-c.d", "fz_e~f", "fz-g"};
  private final Resources resources = new Resources();
  private TestNode node;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "fuzz-" + UUID.randomUUID()));
    ConsulServer consul = resources.keep(new ConsulServer("us-west", dir).start());
    node = resources.keep(new TestNode("us-west", "us-west-0", consul.url(), resources.keep(new Beanstalkd(dir).start()).port(), "hitcounter.admin-token = \"fuzz-token\""));
  }

  private String randomText(Random r, int max) {
    int n = r.nextInt(max + 1);
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(6)) {
        case 0 -> b.append((char) ('a' + r.nextInt(26)));
        case 1 -> b.append("%").append(String.format("%02X", r.nextInt(256)));
        case 2 -> b.append("éü☃日本\u0000\u202e".charAt(r.nextInt(7)));
        case 3 -> b.append("/?#&=+;:@!$'()*,.~_-".charAt(r.nextInt(20)));
        case 4 -> b.append((char) ('0' + r.nextInt(10)));
        default -> b.append(PAGES[r.nextInt(PAGES.length)]);
      }
    }
    return b.toString();
  }

  private String path(Random r) {
    String prefix = PREFIXES[r.nextInt(PREFIXES.length)];
    int kind = r.nextInt(10);
    String rest;
    if (kind < 4) {
      rest = PAGES[r.nextInt(PAGES.length)];
    } else if (kind < 6) {
      rest = "x".repeat(100 + r.nextInt(3000));
    } else {
      rest = randomText(r, 60);
    }
    if (prefix.startsWith("/badge/") && r.nextBoolean()) {
      rest = rest + ".svg";
    }
    return prefix + rest;
  }

  /** One raw request; the status code of the answer, 0 if the connection broke, -1 if none came. */
  private int send(Random r, String method, String path, AtomicLong brokenConnections, boolean browser) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), node.httpPort)) {
      s.setSoTimeout(5000);
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      byte[] body = new byte[r.nextInt(4) == 0 ? r.nextInt(40_000) : r.nextInt(64)];
      r.nextBytes(body);
      StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      int headers = r.nextInt(6);
      for (int i = 0; i < headers; i++) {
        head.append("X-F").append(i).append(": ").append(randomText(r, 200).replace("\r", "").replace("\n", "")).append("\r\n");
      }
      if (browser) {
        head.append("User-Agent: ").append(BROWSER).append("\r\n");
      }
      if (r.nextInt(8) == 0) {
        head.append("Authorization: Bearer ").append(r.nextBoolean() ? "fuzz-token" : "nope").append("\r\n");
      }
      if (r.nextInt(6) == 0) {
        head.append("Content-Type: application/json\r\n");
      }
      head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
      req.write(head.toString().getBytes(StandardCharsets.UTF_8));
      req.write(body);
      OutputStream os = s.getOutputStream();
      try {
        os.write(req.toByteArray());
        os.flush();
      } catch (IOException e) {
        // refused early (e.g. too large): read what the server said
      }
      InputStream in = s.getInputStream();
      byte[] line = new byte[12];
      int n = 0;
      while (n < 12) {
        int k = in.read(line, n, 12 - n);
        if (k < 0) {
          break;
        }
        n += k;
      }
      if (n < 12) {
        brokenConnections.incrementAndGet();
        return n == 0 ? -1 : 0;
      }
      return Integer.parseInt(new String(line, 9, 3, StandardCharsets.US_ASCII));
    } catch (IOException | NumberFormatException e) {
      brokenConnections.incrementAndGet();
      return 0;
    }
  }

  /** Whether a request answered {@code status} counts in the totals: a browser's (a request without a User-Agent is a bot's: counted apart). */
  private static boolean counts(String method, String path, int status, boolean browser) {
    if (status != 200 || !browser) {
      return false;
    }
    if (method.equals("POST") && path.startsWith("/api/hits/")) {
      return true;
    }
    return method.equals("GET") && (path.equals("/") || path.startsWith("/p/") || path.startsWith("/px.gif?"));
  }

  private long totalOfAllPages() {
    JsonNode pages = Resources.json(node.call("GET", "/api/pages").body()).path("pages");
    long sum = 0;
    for (JsonNode p : pages) {
      sum += p.path("total").asLong();
    }
    return sum;
  }

  @Test
  void randomRequestsNeverBreakTheNodeOrMoveACountTheyShouldNot() throws Exception {
    long before = totalOfAllPages();
    Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();
    AtomicLong counted = new AtomicLong();
    AtomicLong broken = new AtomicLong();
    List<String> serverErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int seed = t;
      Thread th = new Thread(() -> {
        Random r = new Random(42 + seed);
        for (int i = 0; i < REQUESTS / 4; i++) {
          String method;
          String path;
          boolean browser = false;
          if (r.nextInt(10) < 3) {
            browser = true;
            // A well-formed counting request, so counting is exercised among the garbage.
            String page = PAGES[r.nextInt(PAGES.length)];
            int kind = r.nextInt(4);
            method = kind == 0 ? "POST" : "GET";
            path = kind == 0 ? "/api/hits/" + page : kind == 1 ? "/p/" + page : kind == 2 ? "/px.gif?page=" + page : "/";
          } else {
            method = METHODS[r.nextInt(METHODS.length)];
            path = path(r);
          }
          int status = send(r, method, path, broken, browser);
          byStatus.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
          if (status >= 500) {
            serverErrors.add(status + " " + method + " " + path.substring(0, Math.min(120, path.length())));
          }
          if (counts(method, path, status, browser)) {
            counted.incrementAndGet();
          }
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    Map<Integer, Long> summary = new TreeMap<>();
    byStatus.forEach((k, v) -> summary.put(k, v.get()));
    System.out.println("fuzz: " + REQUESTS + " requests, answers by status " + summary + ", counted hits " + counted.get());
    assertTrue(serverErrors.isEmpty(), "5xx answers: " + serverErrors.subList(0, Math.min(10, serverErrors.size())));
    assertEquals(200, node.call("GET", "/api/ping").statusCode(), "the node is still up");
    assertTrue(counted.get() > 100, "the fuzz reached the counting routes");
    Await.until("counts settle at exactly the counted hits", Duration.ofSeconds(20), () -> totalOfAllPages() - before == counted.get());
    Thread.sleep(1500);
    assertEquals(counted.get(), totalOfAllPages() - before, "no rejected request changed a count");
    JsonNode pages = Resources.json(node.call("GET", "/api/pages").body()).path("pages");
    for (JsonNode p : pages) {
      assertTrue(List.of(PAGES).contains(p.path("page").asText()) || p.path("page").asText().equals("home") || p.path("page").asText().startsWith("x"),
          "only valid page ids are ever counted: " + p.path("page").asText());
    }
  }

  @AfterAll
  void stop() {
    resources.close();
  }


}
