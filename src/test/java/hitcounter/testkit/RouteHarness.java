package hitcounter.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Route;

/** One route bound on a free loopback port, and a plain JDK client to call it. */
public final class RouteHarness {
  private final HttpClient http = HttpClient.newHttpClient();
  private final int port;

  public RouteHarness(ActorSystem<?> system, Route route) throws Exception {
    this.port = Http.get(system).newServerAt("127.0.0.1", 0).bind(route).toCompletableFuture().get().localAddress().getPort();
  }

  public HttpResponse<String> call(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<byte[]> bytes(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
