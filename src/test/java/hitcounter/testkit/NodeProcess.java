package hitcounter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real hitcounter node in its own JVM process (the shaded jar), for tests that crash it the
 * way production does: {@code kill -9}, or the test-only halt between a commit and its delete.
 */
public final class NodeProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  public final String datacenter;
  public final String name;
  public final int httpPort = Ports.free();
  public final int managementPort = Ports.free();
  public final int remotePort = Ports.free();
  private final String consulUrl;
  private final int beanstalkPort;
  private final Path log;
  private Process process;

  public NodeProcess(String datacenter, String name, String consulUrl, int beanstalkPort, Path log) {
    this.datacenter = datacenter;
    this.name = name;
    this.consulUrl = consulUrl;
    this.beanstalkPort = beanstalkPort;
    this.log = log;
  }

  /** Starts the node (with extra environment, e.g. HC_FAULT_HALT_AFTER_COMMITS) and waits until it serves. */
  public NodeProcess start(Map<String, String> extraEnv) {
    Path jar = Path.of("target", "hitcounter.jar").toAbsolutePath();
    ProcessBuilder b = new ProcessBuilder(List.of("java", "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = new HashMap<>(Map.of(
        "HC_DC", datacenter, "HC_NODE", name, "HC_HOST", "127.0.0.1",
        "HC_HTTP_PORT", "" + httpPort, "HC_MANAGEMENT_PORT", "" + managementPort, "HC_REMOTE_PORT", "" + remotePort,
        "HC_BEANSTALK_PORT", "" + beanstalkPort, "HC_CONSUL_URL", consulUrl, "HC_NEW_STORE_GRACE", "0s"));
    env.putAll(extraEnv);
    b.environment().putAll(env);
    try {
      process = b.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    Await.until(name + " serving", Duration.ofSeconds(60), () -> !process.isAlive() || status("GET", "/api/ping") == 200);
    return this;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Waits for the process to end by itself (the halt fault). */
  public boolean awaitExit(Duration limit) {
    try {
      return process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** kill -9. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      awaitExit(Duration.ofSeconds(10));
    }
  }

  public int status(String method, String path) {
    try {
      return call(method, path).statusCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  public HttpResponse<String> call(String method, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
              .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!awaitExit(Duration.ofSeconds(20))) {
        process.destroyForcibly();
      }
    }
  }
}
