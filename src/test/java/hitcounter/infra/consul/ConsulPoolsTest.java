package hitcounter.infra.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import hitcounter.infra.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests Consul forwards to another datacenter hang during a WAN cut (Consul holds them until
 * its RPC fails). They must never take the connections the node's local requests need: found
 * in the lab, where after a 5-minute cut a node could not commit its own counts any more.
 * A stand-in for the agent's HTTP API answers local requests at once and never answers
 * {@code ?dc=} requests.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class ConsulPoolsTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer agent;

  @AfterEach
  void stop() {
    release.countDown();
    agent.stop(0);
  }

  @Test
  void hangingRequestsToAnotherDatacenterLeaveLocalRequestsAlone() throws Exception {
    agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    agent.setExecutor(Executors.newCachedThreadPool());
    agent.createContext("/", exchange -> {
      if (exchange.getRequestURI().getQuery() != null && exchange.getRequestURI().getQuery().contains("dc=")) {
        try {
          release.await(60, TimeUnit.SECONDS); // the WAN is cut
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = "local".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    agent.start();
    ConsulHttpClient consul = new ConsulHttpClient(testKit.system(), Json.mapper(), "http://127.0.0.1:" + agent.getAddress().getPort(), "us-west",
        Duration.ofSeconds(3), new ConsulMetrics(new SimpleMeterRegistry()), ConsulToken.none(), new ConsulHttpClient.RemotePool(2, 4, Duration.ofSeconds(30)));

    // Far more hanging requests to eu-west than any pool takes.
    List<CompletionStage<Optional<byte[]>>> remote = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      remote.add(consul.kvGetRaw("eu-west", "hitcounter/heads/us-west/q" + i));
    }
    Thread.sleep(1_000);
    for (int i = 0; i < 20; i++) {
      Optional<byte[]> local = consul.kvGetRaw(null, "hitcounter/heads/us-west/q0").toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals("local", new String(local.orElseThrow(), StandardCharsets.UTF_8));
      Optional<byte[]> own = consul.kvGetRaw("us-west", "hitcounter/heads/us-west/q0").toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertTrue(own.isPresent(), "the local datacenter named explicitly is local too");
    }
  }
}
