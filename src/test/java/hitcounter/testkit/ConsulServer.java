package hitcounter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Consul 1.8.7 server of one datacenter on free loopback ports, its own leader, optionally
 * WAN-joined to other servers.
 */
public final class ConsulServer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String datacenter;
  private final Path dir;
  public final int httpPort;
  public final int serfLanPort;
  public final int serfWanPort;
  public final int serverPort;
  private ServerProcess process;
  private final List<String> extraHcl = new ArrayList<>();
  private String token;

  public ConsulServer(String datacenter, Path dir) {
    this.datacenter = datacenter;
    this.httpPort = Ports.free();
    this.serfLanPort = Ports.free();
    this.serfWanPort = Ports.free();
    this.serverPort = Ports.free();
    this.dir = dir.resolve("consul-" + datacenter + "-" + httpPort);
  }

  /** The same server again after it stopped: same ports, same data folder. */
  public ConsulServer(String datacenter, Path dir, ConsulServer previous) {
    this.datacenter = datacenter;
    this.httpPort = previous.httpPort;
    this.serfLanPort = previous.serfLanPort;
    this.serfWanPort = previous.serfWanPort;
    this.serverPort = previous.serverPort;
    this.dir = previous.dir;
  }

  /**
   * Adds HCL to the server's configuration (ACLs, encryption); {@code token} is the token this
   * fixture's own calls send (the management token), null for none.
   */
  public ConsulServer withHcl(String hcl, String token) {
    extraHcl.add(hcl);
    this.token = token;
    return this;
  }

  /** Starts and waits until it has a leader. {@code wanJoin}: serf WAN ports of other servers. */
  public ConsulServer start(List<Integer> wanJoin) {
    try {
      Files.createDirectories(dir.resolve("data"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ServerProcess.tool("consul"), "agent", "-server", "-bootstrap-expect=1",
                "-datacenter=" + datacenter, "-node=consul-" + datacenter,
                "-bind=127.0.0.1", "-client=127.0.0.1", "-advertise=127.0.0.1", "-advertise-wan=127.0.0.1",
                "-data-dir=" + dir.resolve("data"),
                "-http-port=" + httpPort, "-dns-port=-1", "-grpc-port=-1",
                "-serf-lan-port=" + serfLanPort, "-serf-wan-port=" + serfWanPort, "-server-port=" + serverPort,
                "-retry-interval-wan=1s", "-log-level=warn",
                "-hcl", "performance { raft_multiplier = 1 }"));
    for (String hcl : extraHcl) {
      cmd.add("-hcl");
      cmd.add(hcl);
    }
    for (int p : wanJoin) {
      cmd.add("-retry-join-wan=127.0.0.1:" + p);
    }
    process = new ServerProcess("consul " + datacenter, cmd, dir.resolve("consul.log")).start();
    Await.until("Consul leader in " + datacenter, Duration.ofSeconds(30), () -> get("/v1/status/leader").length() > 4);
    return this;
  }

  public ConsulServer start() {
    return start(List.of());
  }

  /** us-west and eu-west, WAN-federated (each sees both and reads the other's KV), kept by {@code resources}. */
  public static List<ConsulServer> twoDatacenters(Path dir, Resources resources) {
    ConsulServer us = resources.keep(new ConsulServer("us-west", dir).start());
    ConsulServer eu = resources.keep(new ConsulServer("eu-west", dir).start(List.of(us.serfWanPort)));
    List<String> both = List.of("us-west", "eu-west");
    us.awaitFederation(both, Duration.ofSeconds(60));
    eu.awaitFederation(both, Duration.ofSeconds(60));
    return List.of(us, eu);
  }

  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** Deletes the data folder of this (stopped) server: everything it held is gone. */
  public void wipe() {
    try (var files = Files.walk(dir.resolve("data"))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String datacenter() {
    return datacenter;
  }

  /** Waits until this server sees every datacenter and can read KV in each. */
  public void awaitFederation(List<String> datacenters, Duration limit) {
    Await.until(
        "WAN federation of " + datacenters,
        limit,
        () -> {
          String dcs = get("/v1/catalog/datacenters");
          for (String dc : datacenters) {
            if (!dcs.contains("\"" + dc + "\"") || status("/v1/kv/federation-probe?dc=" + dc) == 500) {
              return false;
            }
          }
          return true;
        });
  }

  public String get(String path) {
    try {
      return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private int status(String path) {
    try {
      return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 500;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 500;
    }
  }

  /** A request to this server's HTTP API, with the fixture's token if it has one. */
  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5));
    return token == null ? b : b.header("X-Consul-Token", token);
  }

  /** Sends {@code request} (made with {@link #request}); its status and body. */
  public HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public void kill() {
    process.kill();
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
