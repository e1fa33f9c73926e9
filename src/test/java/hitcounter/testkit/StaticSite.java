package hitcounter.testkit;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A small static website on a free loopback port: pages by their (raw, percent-encoded) path. Stopped by {@link #close}. */
public final class StaticSite implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, String> pages = new ConcurrentHashMap<>();

  public StaticSite() throws java.io.IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", exchange -> {
      String html = pages.get(exchange.getRequestURI().getRawPath());
      byte[] body = (html == null ? "not found" : html).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", html == null ? "text/plain" : "text/html; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(html == null ? 404 : 200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Serves {@code html} at {@code rawPath}. */
  public StaticSite page(String rawPath, String html) {
    pages.put(rawPath, html);
    return this;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
