package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.infra.Json;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.BeanstalkClient;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.ConsulHttpClient;
import hitcounter.infra.consul.KvEntry;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Workers on a real beanstalkd and a real Consul: every job counted once, whatever dies when. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactlyOnceIT {
  private static final WorkerSettings SETTINGS =
      new WorkerSettings(200, Duration.ofMillis(5), Duration.ofSeconds(1), Duration.ofSeconds(60), 4, 40, Duration.ofMillis(5), Duration.ofMillis(200));

  private final ActorTestKit testKit = ActorTestKit.create();
  private Path dir;
  private ConsulServer consulServer;
  private Consul consul;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createDirectories(Path.of("target", "it", "exactly-once"));
    consulServer = new ConsulServer("dc1", dir).start();
    consul = new ConsulHttpClient(testKit.system(), Json.mapper(), consulServer.url(), "dc1", Duration.ofSeconds(5), new hitcounter.infra.consul.ConsulMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
  }

  private Beanstalk client(Beanstalkd server) {
    return new BeanstalkClient(testKit.system(), new InetSocketAddress("127.0.0.1", server.port()), Duration.ofSeconds(2), 8192);
  }

  private void put(Beanstalkd server, String page, int n) throws Exception {
    try (Beanstalk producer = client(server)) {
      for (int i = 0; i < n; i++) {
        producer.put(page.getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
      }
    }
  }

  private long counted(String queue, String page) throws Exception {
    long sum = 0;
    for (KvEntry e : consul.kvTree(null, Keys.queueCountPrefix("dc1", queue), 0, Duration.ZERO).toCompletableFuture().get().value()) {
      sum += CountCodec.counts(e.value()).getOrDefault(page, 0L);
    }
    return sum;
  }

  private Behavior<Worker.Command> worker(Beanstalkd server, String queue, WorkerStats stats, CommitFaults faults) {
    return Behaviors.supervise(
            Worker.create("dc1", new QueueRef(queue, "127.0.0.1", server.port()), consul, client(server), () -> SETTINGS, stats, faults))
        .onFailure(SupervisorStrategy.restart());
  }

  private void awaitExactly(String queue, String page, long n) throws Exception {
    Await.until(queue + " counts " + n, Duration.ofSeconds(20), () -> {
      try {
        return counted(queue, page) == n;
      } catch (Exception e) {
        return false;
      }
    });
    Thread.sleep(1500);
    assertEquals(n, counted(queue, page), "and no more, once everything settled");
  }

  @Test
  void aWorkerThatDiesBetweenCommitAndDeleteCountsNothingTwice() throws Exception {
    Beanstalkd server = new Beanstalkd(dir).start();
    try {
      put(server, "home", 500);
      AtomicBoolean crashed = new AtomicBoolean();
      WorkerStats stats = new WorkerStats();
      CommitFaults crashOnce = q -> {
        if (crashed.compareAndSet(false, true)) {
          throw new IllegalStateException("injected crash between commit and delete");
        }
      };
      testKit.spawn(worker(server, "crash", stats, crashOnce));
      awaitExactly("crash", "home", 500);
      assertTrue(crashed.get());
      assertTrue(stats.snapshot().get("skippedAsCounted") > 0, "the committed batch came back and was skipped");
    } finally {
      server.close();
    }
  }

  @Test
  void twoWorkersHammeringOnePageLoseNoIncrement() throws Exception {
    Beanstalkd server = new Beanstalkd(dir).start();
    try {
      WorkerStats stats = new WorkerStats();
      testKit.spawn(worker(server, "hot", stats, CommitFaults.none()));
      testKit.spawn(worker(server, "hot", stats, CommitFaults.none()));
      put(server, "hot", 3000);
      awaitExactly("hot", "hot", 3000);
      assertEquals(3000, stats.countedHits());
    } finally {
      server.close();
    }
  }

  @Test
  void aPoisonJobIsBuriedAndTheQueueKeepsFlowing() throws Exception {
    Beanstalkd server = new Beanstalkd(dir).start();
    try {
      put(server, "ok", 10);
      put(server, "not a page/", 1);
      put(server, "ok", 10);
      WorkerStats stats = new WorkerStats();
      testKit.spawn(worker(server, "poison", stats, CommitFaults.none()));
      awaitExactly("poison", "ok", 20);
      assertEquals(1, (long) stats.snapshot().get("buried"));
      try (Beanstalk c = client(server)) {
        assertEquals("1", c.stats().toCompletableFuture().get().get("current-jobs-buried"));
      }
    } finally {
      server.close();
    }
  }

  @Test
  void queuedHitsSurviveABeanstalkdCrashThroughItsBinlog() throws Exception {
    Beanstalkd server = new Beanstalkd(dir).start();
    put(server, "durable", 300);
    server.kill();
    Beanstalkd again = new Beanstalkd(dir, server.port()).start();
    try {
      testKit.spawn(worker(again, "durable", new WorkerStats(), CommitFaults.none()));
      awaitExactly("durable", "durable", 300);
    } finally {
      again.close();
    }
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    consulServer.close();
  }
}
