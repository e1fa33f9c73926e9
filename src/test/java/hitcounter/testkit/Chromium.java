package hitcounter.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium (Debian's package) driven over the DevTools protocol: navigate, evaluate,
 * screenshot. Started on a free loopback port with a fresh profile, stopped by its pid.
 */
public final class Chromium implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final ServerProcess process;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  public Chromium(Path dir) throws Exception {
    int port = Ports.free();
    Path profile = Files.createDirectories(dir.resolve("chromium-profile-" + port));
    process = new ServerProcess("chromium", List.of(
        ServerProcess.tool("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=" + port,
        "--window-size=1000,700",
        // A person's browser, not a headless one: HeadlessChrome is on the bot list (counted apart).
        "--user-agent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "about:blank"), dir.resolve("chromium-" + port + ".log")).start();
    String[] ws = {null};
    Await.until("chromium devtools", Duration.ofSeconds(30), () -> {
      try {
        JsonNode list = Json.mapper().readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode t : list) {
          if (t.path("type").asText().equals("page")) {
            ws[0] = t.path("webSocketDebuggerUrl").asText();
            return true;
          }
        }
      } catch (Exception e) {
        // not up yet
      }
      return false;
    });
    socket = HTTP.newWebSocketBuilder().buildAsync(URI.create(ws[0]), new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          try {
            JsonNode msg = Json.mapper().readTree(partial.toString());
            if (msg.has("id")) {
              CompletableFuture<JsonNode> f = waiting.remove(msg.get("id").asInt());
              if (f != null) {
                f.complete(msg);
              }
            }
          } catch (Exception ignored) {
            // an event we do not read
          }
          partial.setLength(0);
        }
        webSocket.request(1);
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
    call("Page.enable", Json.mapper().createObjectNode());
  }

  public JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    waiting.put(id, reply);
    ObjectNode msg = Json.mapper().createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", params);
    socket.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
    return reply.get(30, TimeUnit.SECONDS);
  }

  public void navigate(String url) throws Exception {
    ObjectNode p = Json.mapper().createObjectNode();
    p.put("url", url);
    call("Page.navigate", p);
  }

  /** The value of a JavaScript expression in the page, as a string ("" if it threw). */
  public String eval(String expression) {
    try {
      ObjectNode p = Json.mapper().createObjectNode();
      p.put("expression", expression);
      p.put("returnByValue", true);
      return call("Runtime.evaluate", p).path("result").path("result").path("value").asText("");
    } catch (Exception e) {
      return "";
    }
  }

  public void screenshot(Path file) throws Exception {
    ObjectNode p = Json.mapper().createObjectNode();
    p.put("format", "png");
    String data = call("Page.captureScreenshot", p).path("result").path("data").asText();
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(data));
  }

  @Override
  public void close() {
    try {
      socket.abort();
    } catch (Exception e) {
      // closing anyway
    }
    process.close();
  }
}
