package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hitcounter.fakes.FakeBeanstalk;
import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.KvEntry;
import java.time.Duration;
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

  private static final WorkerSettings SETTINGS =
      new WorkerSettings(100, Duration.ZERO, Duration.ofMillis(20), Duration.ofSeconds(60), 4, 50, Duration.ofMillis(1), Duration.ofMillis(20));

  private FakeConsul consul;
  private FakeBeanstalk queue;

  @BeforeEach
  void freshWorld() {
    consul = new FakeConsul("us-west");
    queue = new FakeBeanstalk();
  }

  private ActorRef<Worker.Command> worker() {
    return testKit.spawn(Worker.create("us-west", new QueueRef("q0", "127.0.0.1", 1), consul, queue, SETTINGS));
  }

  private long counted(String page) {
    long sum = 0;
    for (int b = 0; b < SETTINGS.buckets(); b++) {
      sum += consul.entry("us-west", Keys.bucketKey("us-west", "q0", b))
          .map(e -> CountCodec.counts(e.value()).getOrDefault(page, 0L)).orElse(0L);
    }
    return sum;
  }

  private void awaitDrained(long expected, String page) {
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(expected, counted(page));
      assertEquals(0, queue.readyCount() + queue.reservedCount());
      return null;
    });
  }

  @Test
  void countsEveryJobOnceAndDeletesIt() {
    for (int i = 0; i < 250; i++) {
      queue.put(i % 5 == 0 ? "about" : "home");
    }
    WorkerStats stats = new WorkerStats();
    testKit.spawn(Worker.create("us-west", new QueueRef("q0", "127.0.0.1", 1), consul, queue, () -> SETTINGS, stats, CommitFaults.none()));
    awaitDrained(200, "home");
    assertEquals(50, counted("about"));
    assertEquals(250, stats.countedHits());
    assertEquals(0L, stats.snapshot().get("skippedAsCounted"));
  }

  @Test
  void skipsARedeliveredJobThatWasAlreadyCounted() {
    long first = queue.put("home");
    // A worker that died between commit and delete left this record and count behind.
    consul.put("us-west", Keys.appliedKey("us-west", "q0"), CountCodec.ids(Set.of(first)));
    consul.put("us-west", Keys.bucketKey("us-west", "q0", Keys.bucketOf("home", 4)), CountCodec.counts(Map.of("home", 1L)));
    queue.put("home");
    worker();
    awaitDrained(2, "home");
  }

  @Test
  void losesNothingWhenAnotherWriterWinsTheCas() {
    for (int i = 0; i < 30; i++) {
      queue.put("home");
    }
    String key = Keys.bucketKey("us-west", "q0", Keys.bucketOf("home", 4));
    // Before the first commit, somebody else commits to the same key: the worker's CAS fails.
    consul.beforeNextTxn(() -> consul.put("us-west", key, CountCodec.counts(Map.of("home", 1000L))));
    worker();
    awaitDrained(1030, "home");
  }

  @Test
  void anUnknownCommitOutcomeIsReadBackNotGuessed() {
    for (int i = 0; i < 10; i++) {
      queue.put("home");
    }
    consul.failTxns.set(3);
    worker();
    awaitDrained(10, "home");
  }

  @Test
  void buriesAJobThatIsNotAPageId() {
    queue.put("not a page/");
    queue.put("home");
    worker();
    awaitDrained(1, "home");
    assertEquals(1, queue.buriedCount());
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
  void buriesAGroupedJobWithABadLine() {
    queue.put("home\nnot a page");
    queue.put("home");
    worker();
    awaitDrained(1, "home");
    assertEquals(1, queue.buriedCount());
  }

  @Test
  void prunesRecordedIdsWhoseJobsAreGone() {
    consul.put("us-west", Keys.appliedKey("us-west", "q0"), CountCodec.ids(Set.of(9_000L, 9_001L)));
    queue.put("home");
    worker();
    awaitDrained(1, "home");
    KvEntry applied = consul.entry("us-west", Keys.appliedKey("us-west", "q0")).orElseThrow();
    assertEquals(List.of(1L), List.copyOf(CountCodec.ids(applied.value())));
  }
}
