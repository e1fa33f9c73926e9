package hitcounter.testkit;

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

/**
 * us-west and eu-west, WAN-federated, with {@code perDatacenter} in-process nodes each (their own
 * beanstalkd), an admin token, all kept by {@code resources}; and the admin calls tests make.
 * {@link #nodes} lists us-west's nodes first.
 */
public final class TwoDatacenters {
  public static final String TOKEN = "it-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  public final Path dir;
  public ConsulServer us;
  public ConsulServer eu;
  public final List<TestNode> nodes = new ArrayList<>();
  /** The beanstalkd port of each node (same order as {@link #nodes}): a node started again under its name drains the same queue. */
  public final List<Integer> queues = new ArrayList<>();
  private final Resources resources;

  public TwoDatacenters(String name, Resources resources, int perDatacenter) throws Exception {
    this(name, resources, perDatacenter, "");
  }

  /** {@code perDatacenter} nodes in each datacenter, with the admin token {@link #TOKEN} and {@code config} (HOCON lines) added to their settings. */
  public TwoDatacenters(String name, Resources resources, int perDatacenter, String config) throws Exception {
    this.resources = resources;
    dir = Files.createDirectories(Path.of("target", "it", name + "-" + UUID.randomUUID()));
    List<ConsulServer> consuls = ConsulServer.twoDatacenters(dir, resources);
    us = consuls.get(0);
    eu = consuls.get(1);
    String extra = "hitcounter.admin-token = \"" + TOKEN + "\"\n" + config;
    for (ConsulServer c : consuls) {
      for (int i = 0; i < perDatacenter; i++) {
        int queue = resources.keep(new Beanstalkd(dir).start()).port();
        queues.add(queue);
        nodes.add(resources.keep(new TestNode(c.datacenter(), c.datacenter() + "-" + i, c.url(), queue, extra)));
      }
    }
  }

  /** Starts a datacenter's Consul again on its data, joined to the other's WAN port. */
  public ConsulServer restart(ConsulServer stopped, ConsulServer other) {
    return resources.keep(new ConsulServer(stopped.datacenter(), dir, stopped).start(List.of(other.serfWanPort)));
  }

  /** A call with the admin token (body null: none). */
  public static HttpResponse<String> admin(TestNode node, String method, String path, byte[] body) {
    return send(node, method, path, body, "Authorization", "Bearer " + TOKEN);
  }

  /** A call with {@code headers} (name, value, …; body null: none). */
  public static HttpResponse<String> send(TestNode node, String method, String path, byte[] body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
