package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.infra.beanstalk.BeanstalkClient;
import hitcounter.infra.beanstalk.Job;
import hitcounter.testkit.Beanstalkd;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node's own queue is stuck when jobs wait in its real beanstalkd and none is deleted, whatever
 * state they are in: here reserved by a connection that holds them and does nothing (no ready job,
 * so no oldest-ready age shows them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueueMonitorIT {
  private final ActorTestKit testKit = ActorTestKit.create();
  private Beanstalkd server;

  @BeforeAll
  void start() throws Exception {
    server = new Beanstalkd(Files.createDirectories(Path.of("target", "it", "queue-monitor"))).start();
  }

  @AfterAll
  void stop() throws Exception {
    testKit.shutdownTestKit();
    server.close();
  }

  private BeanstalkClient client() {
    return new BeanstalkClient(testKit.system(), new InetSocketAddress("127.0.0.1", server.port()), Duration.ofSeconds(2), 8192);
  }

  @Test
  void jobsReservedAndForgottenMakeTheQueueStuckUntilOneIsDeleted() throws Exception {
    try (BeanstalkClient node = client(); BeanstalkClient holder = client()) {
      QueueMonitor.Figures figures = new QueueMonitor.Figures("node-a");
      HitQueue hits = new HitQueue(node, Duration.ofSeconds(5), Duration.ofSeconds(60), 1, 16, () -> 3);
      testKit.spawn(QueueMonitor.create(node, figures, Duration.ofMillis(50), Duration.ofMillis(100), hits));
      hits.enqueue("p").toCompletableFuture().get();
      Job held = holder.reserve(Duration.ofSeconds(2)).toCompletableFuture().get().orElseThrow();
      hits.enqueue("q").toCompletableFuture().get();
      Job also = holder.reserve(Duration.ofSeconds(2)).toCompletableFuture().get().orElseThrow();
      Thread.sleep(800);
      double stuck = figures.stuckSeconds(System.currentTimeMillis());
      assertTrue(stuck >= 0.4, "two jobs reserved, none deleted: stuck for " + stuck + " s");
      assertTrue(figures.detail().contains("2 reserved"), figures.detail());
      assertEquals(List.of(held.id(), also.id()), holder.delete(held.connection(), List.of(held.id(), also.id())).toCompletableFuture().get());
      Thread.sleep(400);
      assertEquals(0, figures.stuckSeconds(System.currentTimeMillis()), "deleted: the queue moves (and is empty)");
    }
  }
}
