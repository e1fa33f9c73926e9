package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.fakes.FakeBeanstalk;
import hitcounter.fakes.FakeConsul;
import hitcounter.infra.Json;
import hitcounter.page.JobCodec;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.StoreProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  static final WorkerSettings SETTINGS =
      new WorkerSettings(100, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(60), 4096, Duration.ZERO, Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMillis(20));

  private FakeConsul consul;
  private FakeBeanstalk queue;
  private WorkerStats stats;
  private WorkerHealth health;

  @BeforeEach
  void freshWorld() {
    consul = new FakeConsul("us-west");
    queue = new FakeBeanstalk();
    stats = new WorkerStats();
    health = new WorkerHealth();
  }

  private ActorRef<Worker.Command> worker(WorkerSettings settings) {
    return testKit.spawn(Worker.create("us-west", new QueueRef("q0", "127.0.0.1", 1), consul, queue, () -> settings, stats, health, CommitFaults.none()));
  }

  private ActorRef<Worker.Command> worker() {
    return worker(SETTINGS);
  }

  private long counted(String page) {
    return StoreProbe.count(consul, "us-west", page);
  }

  private void awaitDrained(long expected, String page) {
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(expected, counted(page));
      assertEquals(0, queue.readyCount() + queue.reservedCount());
      return null;
    });
  }

  private QueueHead head() {
    return StoreProbe.head(consul, "us-west", "q0").orElseThrow();
  }

  @Test
  void countsEveryJobOnceAndDeletesIt() {
    for (int i = 0; i < 250; i++) {
      queue.put(i % 5 == 0 ? "about" : "home");
    }
    worker();
    awaitDrained(200, "home");
    assertEquals(50, counted("about"));
    assertEquals(250, stats.countedHits());
    assertEquals(0L, stats.snapshot().get("skippedAsCounted"));
    assertEquals(250, head().counted());
  }

  /** A beanstalkd whose reserve on an empty queue waits (here: never answers), as a real one does for reserve-wait. */
  private static final class WaitingReserve extends FakeBeanstalk {
    @Override
    public synchronized java.util.concurrent.CompletionStage<java.util.Optional<hitcounter.infra.beanstalk.Job>> reserve(Duration timeout) {
      return readyCount() == 0 ? new java.util.concurrent.CompletableFuture<>() : super.reserve(timeout);
    }
  }

  @Test
  void aBacklogThatDrainedStopsShowingAsLagWithoutWaitingForAnEmptyReserve() throws Exception {
    queue = new WaitingReserve();
    for (int i = 0; i < 250; i++) {
      queue.put("home");
    }
    Thread.sleep(1200); // the backlog's oldest job has waited over a second
    worker();
    awaitDrained(250, "home");
    TestProbe<Void> probe = testKit.createTestProbe();
    // Batches of 100: the first measured the lag of the jobs still ready; the last one (50) was
    // not full, so nothing was left ready: the lag is 0 now, not when a 5 s reserve comes back empty.
    probe.awaitAssert(Duration.ofSeconds(2), () -> {
      assertEquals(0.0, health.oldestReady().getOrDefault("q0", -1.0));
      return null;
    });
  }

  @Test
  void readsJobsOfTheFormatBeforeSessions() {
    queue.putRaw("home\nabout");
    queue.put("home");
    worker();
    awaitDrained(2, "home");
    assertEquals(1, counted("about"));
  }

  @Test
  void skipsARedeliveredJobThatWasAlreadyCounted() {
    long first = queue.put("home");
    // A worker that died between commit and delete left this head (and entry) behind.
    QueueHead died = new QueueHead(1, 1, 10, Map.of(queue.session(), Set.of(first)), 0);
    consul.put("us-west", StoreKeys.head("us-west", "q0"), died.toBytes());
    consul.put("us-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 1L)));
    queue.put("home");
    worker();
    awaitDrained(2, "home");
    assertEquals(1L, stats.snapshot().get("skippedAsCounted"));
  }

  @Test
  void aJobIdReusedByABeanstalkdThatLostItsBinlogIsCounted() {
    // Hole 2 of the review: job 1 of an earlier beanstalkd run was counted and is still in the
    // applied record; beanstalkd restarted without its binlog and numbers a new job 1 again.
    long old = queue.put("home");
    String oldSession = queue.session();
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(1, 1, 10, Map.of(oldSession, Set.of(old)), 0).toBytes());
    consul.put("us-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 1L)));
    queue.restartWithoutBinlog();
    long fresh = queue.put("home");
    assertEquals(old, fresh);
    worker();
    awaitDrained(2, "home");
    assertFalse(head().isApplied(oldSession, old), "the old job is gone: pruned once its id was seen with another session");
  }

  @Test
  void aJobReservedByAnotherConnectionIsNotTakenForGone() {
    // Hole 1 of the review: beanstalkd answers NOT_FOUND to a delete of a job another connection
    // reserved; the job must stay in the applied record, or the other worker counts it again.
    long id = queue.put("home");
    queue.reserveElsewhere(id);
    // The job is reserved elsewhere, so this worker cannot reserve it; make it look like this
    // worker had it: a head that applied it, and the job still in the queue.
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(1, 1, 10, Map.of(queue.session(), Set.of(id)), 0).toBytes());
    consul.put("us-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 1L)));
    queue.put("about");
    worker();
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1, counted("about"));
      return null;
    });
    assertTrue(head().isApplied(queue.session(), id), "still applied: the job exists, reserved by someone else");
    // The other connection gives it back; this worker gets it, skips it as counted, deletes it.
    queue.releaseElsewhere(id);
    awaitDrained(1, "home");
  }

  @Test
  void aJobWhoseReservationLapsedBeforeTheCommitIsLeftToWhoeverHoldsIt() {
    // Review finding: a worker that lost its reservation (TTR, broken connection) while another
    // worker counted, deleted and pruned the job, must not count it again after its CAS fails.
    long x = queue.put("home");
    queue.beforeNextTouch(() -> {
      queue.takeAway(x);
      // The other worker counts x (entry 1, head without x: deleted and pruned already) ...
      consul.put("us-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 1L)));
      consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(1, 1, 10, Map.of(), 0).toBytes());
      queue.deleteElsewhere(x);
    });
    queue.put("about");
    worker();
    awaitDrained(1, "home");
    assertEquals(1, counted("about"));
  }

  @Test
  void aJobReservedAgainAfterItsConnectionDroppedIsOneJob() {
    // Review finding: jobs carried to the next commit come back when the connection drops, and a
    // fresh reserve takes them again: the batch must hold each job once.
    for (int i = 0; i < 300; i++) {
      queue.put("carried-page-number-" + i + "-with-a-longish-id");
    }
    java.util.concurrent.atomic.AtomicBoolean dropped = new java.util.concurrent.atomic.AtomicBoolean();
    testKit.spawn(Worker.create("us-west", new QueueRef("q0", "127.0.0.1", 1), consul, queue, () -> SETTINGS, stats, health,
        q -> {
          if (dropped.compareAndSet(false, true)) {
            queue.close(); // every reserved job (the carried ones too) is ready again
          }
        }));
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(0, queue.readyCount() + queue.reservedCount());
      Map<String, Long> stored = StoreProbe.counts(consul, null, "us-west");
      assertEquals(300, stored.size());
      stored.values().forEach(n -> assertEquals(1L, n));
      return null;
    });
  }

  @Test
  void losesNothingWhenAnotherWriterWinsTheCas() {
    for (int i = 0; i < 30; i++) {
      queue.put("home");
    }
    // Before the first commit, somebody else commits entry 1 of the same queue: the CAS fails.
    consul.beforeNextTxn(() -> {
      consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(1, 1000, 10, Map.of(), 0).toBytes());
      consul.put("us-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 1000L)));
    });
    worker();
    awaitDrained(1030, "home");
    assertEquals(1030, head().counted());
  }

  @Test
  void anUnknownCommitOutcomeIsReadBackNotGuessed() {
    for (int i = 0; i < 10; i++) {
      queue.put("home");
    }
    consul.failTxns.set(3);
    worker();
    awaitDrained(10, "home");
    assertTrue(health.failing().isEmpty(), "a commit that succeeded clears the failure");
  }

  @Test
  void aBatchThatKeepsFailingIsGivenBackAndReported() {
    queue.put("home");
    consul.failTxns.set(1_000_000);
    WorkerSettings quick = new WorkerSettings(100, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(60), 4096, Duration.ZERO, Duration.ofMillis(200), Duration.ofMillis(1), Duration.ofMillis(20));
    worker(quick);
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertTrue(health.failing().containsKey("q0"));
      assertTrue((long) stats.snapshot().get("released") >= 1);
      return null;
    });
    consul.failTxns.set(0);
    awaitDrained(1, "home");
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertTrue(health.failing().isEmpty());
      return null;
    });
  }

  @Test
  void buriesAJobThatIsNotAHitJob() {
    queue.putRaw("not a page/");
    queue.putRaw("#9 abc\nhome");
    queue.put("home");
    worker();
    awaitDrained(1, "home");
    assertEquals(2, queue.buriedCount());
  }

  @Test
  void countsEveryHitOfAGroupedJobOnce() {
    queue.put("home\nabout\nhome");
    queue.put("home");
    worker();
    awaitDrained(3, "home");
    assertEquals(1, counted("about"));
  }

  @Test
  void aBatchOfMorePagesThanAnEntryHoldsIsCommittedInSeveralEntries() {
    for (int i = 0; i < 300; i++) {
      queue.put("page-number-" + i + "-with-a-longish-id");
    }
    worker();
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(0, queue.readyCount() + queue.reservedCount());
      assertEquals(300, StoreProbe.counts(consul, null, "us-west").size());
      return null;
    });
    assertTrue(head().seq() >= 3, "300 pages of ~35 bytes do not fit one 4 KiB entry: " + head().seq());
    for (long seq = 1; seq <= head().seq(); seq++) {
      long n = seq;
      assertTrue(consul.entry("us-west", head().entryKey("us-west", "q0", n)).orElseThrow().value().length <= 4096);
    }
  }

  @Test
  void prunesAppliedJobsThatAreGoneAndLeavesAnEmptyRecordAtRest() {
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(0, 0, 0, Map.of(queue.session(), Set.of(9_000L, 9_001L)), 0).toBytes());
    queue.put("home");
    worker();
    awaitDrained(1, "home");
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(0, head().appliedCount(), "at rest, the applied record is empty: " + head().applied());
      return null;
    });
  }

  @Test
  void migratesAQueueOfTheOldLayoutAndSkipsItsCountedJobs() throws Exception {
    // The layout before the count store: bucket keys and a JSON list of applied ids.
    long counted = queue.putRaw("home");
    queue.putRaw("home");
    consul.put("us-west", StoreKeys.legacyApplied("us-west", "q0"), ("[" + counted + "]").getBytes(StandardCharsets.UTF_8));
    consul.put("us-west", StoreKeys.legacyCountPrefix("us-west", "q0") + "3", "{\"home\":41,\"about\":2}".getBytes(StandardCharsets.UTF_8));
    consul.put("us-west", StoreKeys.legacyCountPrefix("us-west", "q0") + "7", "{\"news\":5}".getBytes(StandardCharsets.UTF_8));
    worker();
    awaitDrained(42, "home");
    assertEquals(2, counted("about"));
    assertEquals(5, counted("news"));
    assertEquals(49, head().counted());
    assertTrue(head().migratedAt() > 0);
    // Old workers are fenced: the old applied record is no longer a JSON list.
    var fence = Json.mapper().readTree(consul.entry("us-west", StoreKeys.legacyApplied("us-west", "q0")).orElseThrow().value());
    assertTrue(fence.isObject() && fence.has("migrating"));
  }

  @Test
  void jobCodecRoundTrips() {
    byte[] body = JobCodec.encode(2, 12345L, List.of("a", "b-c"));
    var d = JobCodec.decode(body).orElseThrow();
    assertEquals(2, d.format());
    assertEquals(JobCodec.sessionName(12345L), d.session());
    assertEquals(List.of("a", "b-c"), d.pages());
    assertEquals(JobCodec.LEGACY_SESSION, JobCodec.decode("x\ny".getBytes(StandardCharsets.US_ASCII)).orElseThrow().session());
    assertTrue(JobCodec.decode("#2 abc".getBytes(StandardCharsets.US_ASCII)).isEmpty(), "a header without pages is poison");
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      many.add("p" + i);
    }
    assertEquals(many, JobCodec.decode(JobCodec.encode(1, 0, many)).orElseThrow().pages());
  }
}
