package hitcounter.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import hitcounter.Main;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/** A real hitcounter node (one ActorSystem) in the test JVM, on free loopback ports. */
public final class TestNode implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public final String datacenter;
  public final String name;
  public final int httpPort = Ports.free();
  public final int managementPort = Ports.free();
  public final int remotePort = Ports.free();
  private final ActorSystem<Void> system;

  public TestNode(String datacenter, String name, String consulUrl, int beanstalkPort, String extraConfig) {
    this.datacenter = datacenter;
    this.name = name;
    Config config =
        ConfigFactory.parseString(
                extraConfig + "\n"
                    + "hitcounter.datacenter = \"" + datacenter + "\"\n"
                    + "hitcounter.node-name = \"" + name + "\"\n"
                    + "hitcounter.http.port = " + httpPort + "\n"
                    + "hitcounter.consul.url = \"" + consulUrl + "\"\n"
                    + "hitcounter.beanstalk.port = " + beanstalkPort + "\n"
                    + "pekko.management.http.port = " + managementPort + "\n"
                    + "pekko.remote.artery.canonical.port = " + remotePort + "\n"
                    + "pekko.actor.provider = cluster\n")
            .withFallback(ConfigFactory.load("application-test"))
            .resolve();
    this.system = Main.start(config);
    Await.until(name + " serving", Duration.ofSeconds(20), () -> call("GET", "/api/ping").statusCode() == 200);
  }

  public TestNode(String datacenter, String name, String consulUrl, int beanstalkPort) {
    this(datacenter, name, consulUrl, beanstalkPort, "");
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public HttpResponse<String> call(String method, String path) {
    return call(method, httpPort, path);
  }

  /** A request with extra headers (name, value, name, value…). */
  public HttpResponse<String> call(String method, String path, String... headers) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
          .method(method, HttpRequest.BodyPublishers.noBody())
          .timeout(Duration.ofSeconds(10));
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until this node has today's visitor salt agreed with every datacenter (its answers say uniques are united). */
  public void awaitUnitedSalt(Duration within) {
    Await.until(name + " has today's visitor salt, agreed", within,
        () -> Resources.json(call("GET", "/api/hits/warm-up").body()).path("uniques").path("united").asBoolean());
  }

  public HttpResponse<String> management(String path) {
    return call("GET", managementPort, path);
  }

  private static HttpResponse<String> call(String method, int port, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .method(method, HttpRequest.BodyPublishers.noBody())
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // best effort
    }
  }
}
