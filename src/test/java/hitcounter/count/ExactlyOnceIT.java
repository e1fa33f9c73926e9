package hitcounter.count;

import hitcounter.page.JobCodec;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.StoreProbe;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
      new WorkerSettings(200, Duration.ofMillis(5), Duration.ofSeconds(1), Duration.ofSeconds(60), 64 * 1024, Duration.ZERO, Duration.ofSeconds(20), Duration.ofMillis(5), Duration.ofMillis(200));

  private final ActorTestKit testKit = ActorTestKit.create();
  private Path dir;
  private ConsulServer consulServer;
  private Consul consul;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createDirectories(Path.of("target", "it", "exactly-once"));
    consulServer = new ConsulServer("dc1", dir).start();
    consul = new ConsulHttpClient(testKit.system(), Json.mapper(), consulServer.url(), "dc1", Duration.ofSeconds(5), new hitcounter.infra.consul.ConsulMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    // The store exists (as the keeper's store guard would have decided): workers may commit.
    consul.kvPut(null, hitcounter.store.StoreMarker.key("dc1"), new hitcounter.store.StoreMarker("it", 1, null, 0).toBytes()).toCompletableFuture().get();
  }

  private Beanstalk client(Beanstalkd server) {
    return new BeanstalkClient(testKit.system(), new InetSocketAddress("127.0.0.1", server.port()), Duration.ofSeconds(2), 8192);
  }

  private void put(Beanstalkd server, String page, int n) throws Exception {
    try (Beanstalk producer = client(server)) {
      for (int i = 0; i < n; i++) {
        producer.put(session -> JobCodec.encode(2, session, List.of(page)), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
      }
    }
  }

  /** Every test counts its own page, so the datacenter's count of it is the queue's. */
  private long counted(String queue, String page) {
    return StoreProbe.count(consul, "dc1", page);
  }

  private Behavior<Worker.Command> worker(Beanstalkd server, String queue, WorkerStats stats, CommitFaults faults) {
    return Behaviors.supervise(
            Worker.create("dc1", new QueueRef(queue, "127.0.0.1", server.port()), consul, client(server), () -> SETTINGS, stats, new WorkerHealth(), faults))
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
      try (Beanstalk producer = client(server)) {
        producer.put("not a page/".getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
      }
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

  @Test
  void aJobReservedByAnotherConnectionStaysAppliedUntilItIsReallyGone() throws Exception {
    // Review hole 1 on a real beanstalkd: a job committed by a worker that still holds it
    // (reserved on its connection) must not leave the applied record when another worker's
    // delete answers NOT_FOUND, or that worker would count it again when it comes back.
    Beanstalkd server = new Beanstalkd(dir).start();
    try (Beanstalk holder = client(server)) {
      put(server, "held-elsewhere", 1);
      var job = holder.reserve(Duration.ofSeconds(1)).toCompletableFuture().get().orElseThrow();
      String session = JobCodec.sessionOf(job.body());
      consul.kvPut(null, StoreKeys.head("dc1", "held"), new QueueHead(1, 1, 0, Map.of(session, Set.of(job.id())), 0).toBytes()).toCompletableFuture().get();
      consul.kvPut(null, StoreKeys.entry("dc1", "held", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("held-elsewhere", 1L))).toCompletableFuture().get();
      try (Beanstalk other = client(server)) {
        assertEquals(List.of(), other.delete(List.of(job.id())).toCompletableFuture().get(), "NOT_FOUND is not DELETED");
      }
      put(server, "held-other", 5);
      testKit.spawn(worker(server, "held", new WorkerStats(), CommitFaults.none()));
      awaitExactly("held", "held-other", 5);
      assertTrue(StoreProbe.head(consul, "dc1", "held").orElseThrow().isApplied(session, job.id()), "still applied while reserved elsewhere");
      holder.release(List.of(job.id()), 0, Duration.ZERO).toCompletableFuture().get();
      awaitExactly("held", "held-elsewhere", 1);
    } finally {
      server.close();
    }
  }

  @Test
  void aBeanstalkdThatLostItsBinlogReusesIdsAndTheirJobsAreStillCounted() throws Exception {
    // Review hole 2 on a real beanstalkd: job 1 of a run whose binlog is gone is in the applied
    // record; a fresh beanstalkd numbers its first job 1 again, in another session.
    Beanstalkd first = new Beanstalkd(dir).start();
    long oldId;
    String oldSession;
    try (Beanstalk producer = client(first)) {
      String[] session = new String[1];
      oldId = producer.put(s -> {
        session[0] = JobCodec.sessionName(s);
        return JobCodec.encode(2, s, List.of("reused"));
      }, 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
      oldSession = session[0];
    }
    first.close();
    consul.kvPut(null, StoreKeys.head("dc1", "reuse"), new QueueHead(1, 1, 0, Map.of(oldSession, Set.of(oldId)), 0).toBytes()).toCompletableFuture().get();
    consul.kvPut(null, StoreKeys.entry("dc1", "reuse", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("reused", 1L))).toCompletableFuture().get();
    Beanstalkd fresh = new Beanstalkd(Files.createDirectories(dir.resolve("fresh-" + System.nanoTime()))).start();
    try {
      put(fresh, "reused", 1);
      testKit.spawn(worker(fresh, "reuse", new WorkerStats(), CommitFaults.none()));
      awaitExactly("reuse", "reused", 2);
    } finally {
      fresh.close();
    }
  }

  @Test
  void fiftyThousandPagesThroughOneQueueAreAllCountedWithinConsulsLimits() throws Exception {
    // Far more than 512 KiB of page ids through one queue: every commit stays one entry within
    // the budget, never a 413.
    Beanstalkd server = new Beanstalkd(dir).start();
    int pages = 50_000;
    try (Beanstalk producer = client(server)) {
      List<java.util.concurrent.CompletableFuture<Long>> puts = new java.util.ArrayList<>();
      for (int job = 0; job < pages / 250; job++) {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 250; i++) {
          int n = job * 250 + i;
          // Ids as random as a shop's product URLs: they do not compress away.
          ids.add("fifty-thousand-" + Long.toHexString(hitcounter.store.PageHash.of("a" + n)) + Long.toHexString(hitcounter.store.PageHash.of("b" + n)).substring(0, 6));
        }
        puts.add(producer.put(s -> JobCodec.encode(2, s, ids), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture());
      }
      for (var p : puts) {
        p.get();
      }
    }
    try {
      WorkerStats stats = new WorkerStats();
      testKit.spawn(worker(server, "long-tail", stats, CommitFaults.none()));
      Await.until("50,000 pages counted", Duration.ofSeconds(60), () -> stats.countedHits() == pages);
      Map<String, Long> stored = StoreProbe.counts(consul, null, "dc1");
      long mine = stored.entrySet().stream().filter(e -> e.getKey().startsWith("fifty-thousand-")).peek(e -> assertEquals(1L, e.getValue())).count();
      assertEquals(pages, mine);
      QueueHead head = StoreProbe.head(consul, "dc1", "long-tail").orElseThrow();
      assertTrue(head.bytes() > 512 * 1024, "more than 512 KiB of entries: " + head.bytes());
      assertEquals(0, (long) stats.snapshot().get("failedCommits"), "no commit failed (no 413)");
    } finally {
      server.close();
    }
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    consulServer.close();
  }
}
