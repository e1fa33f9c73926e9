package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.NodeProcess;
import hitcounter.testkit.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node in its own JVM, killed twice mid-batch while hits keep coming: once by the test-only
 * halt between a commit and its delete, once with kill -9 at a random moment. Each time it is
 * restarted on the same beanstalkd and Consul; in the end, hits counted = hits acknowledged
 * (give or take those whose answer was lost with the process).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashIT {
  private final Resources resources = new Resources();
  private Path dir;
  private ConsulServer consul;
  private Beanstalkd queue;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createDirectories(Path.of("target", "it", "crash-" + UUID.randomUUID()));
    consul = resources.keep(new ConsulServer("us-west", dir).start());
    queue = resources.keep(new Beanstalkd(dir).start());
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  /** Posts hits to whichever node process runs, counting 200s and answers lost in a crash. */
  private final class Load implements AutoCloseable {
    final AtomicLong acked = new AtomicLong();
    final AtomicLong unknown = new AtomicLong();
    final AtomicBoolean running = new AtomicBoolean(true);
    volatile NodeProcess node;
    final Thread thread;

    Load(String page) {
      thread = new Thread(() -> {
        while (running.get()) {
          NodeProcess n = node;
          if (n == null || !n.isAlive()) {
            sleep(20);
            continue;
          }
          try {
            int s = n.call("POST", "/api/hits/" + page).statusCode();
            if (s == 200) {
              acked.incrementAndGet();
            } else if (s == 504) {
              unknown.incrementAndGet();
            }
          } catch (RuntimeException lost) {
            unknown.incrementAndGet(); // connection refused is certain, but a reset may not be
          }
        }
      }, "crash-load");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private NodeProcess node(Map<String, String> env) {
    return resources.keep(new NodeProcess("us-west", "us-west-0", consul.url(), queue.port(), dir.resolve("node.log")).start(env));
  }

  @Test
  void killedBetweenCommitAndDeleteAndAtRandomAcknowledgedEqualsCounted() throws Exception {
    String page = "crash-" + UUID.randomUUID().toString().substring(0, 8);
    try (Load load = new Load(page)) {
      // 1. Halt right after the 8th commit, before its delete.
      NodeProcess first = node(Map.of("HC_FAULT_HALT_AFTER_COMMITS", "8"));
      load.node = first;
      assertTrue(first.awaitExit(Duration.ofSeconds(60)), "the node halted between a commit and its delete");
      assertTrue(Files.readString(dir.resolve("node.log")).contains("fault injection: halting after commit"));
      // 2. Back up; then kill -9 at a random moment under load.
      NodeProcess second = node(Map.of());
      load.node = second;
      sleep(1500 + ThreadLocalRandom.current().nextInt(1500));
      second.kill();
      // 3. Back up for good.
      NodeProcess third = node(Map.of());
      load.node = third;
      sleep(2000);
      load.close();
      long acked = load.acked.get();
      long unknown = load.unknown.get();
      assertTrue(acked > 50, "enough load: " + acked);
      Await.until("every acknowledged hit counted", Duration.ofSeconds(30),
          () -> Resources.json(third.call("GET", "/api/hits/" + page).body()).path("total").asLong() >= acked);
      sleep(2000);
      long total = Resources.json(third.call("GET", "/api/hits/" + page).body()).path("total").asLong();
      assertTrue(total >= acked && total <= acked + unknown,
          "counted " + total + ", acknowledged " + acked + ", outcome unknown " + unknown);
      assertEquals(0, Resources.json(third.call("GET", "/api/audit").body()).path("node").path("workers").path("buried").asLong());
    }
  }
}
