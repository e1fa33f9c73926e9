package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.count.QueueLedger.BatchJob;
import hitcounter.count.QueueLedger.Ref;
import hitcounter.fakes.FakeBeanstalk;
import hitcounter.fakes.FakeConsul;
import hitcounter.page.JobCodec;
import hitcounter.store.QueueHead;
import hitcounter.testkit.StoreProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Format-1 jobs carry no session: they are named by the beanstalkd run that holds them (issue 23, decision 0017). */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Format1RunsTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  /** A beanstalkd whose answers to deletes are lost while {@code lose} is set: the jobs stay applied. */
  private static final class LostDeletes extends FakeBeanstalk {
    volatile boolean lose = true;

    @Override
    public synchronized CompletionStage<List<Long>> delete(long connection, List<Long> ids) {
      return lose ? CompletableFuture.completedFuture(List.of()) : super.delete(connection, ids);
    }
  }

  @Test
  void aFormat1JobIdReusedAfterABinlogLossIsCountedNotSkipped() {
    FakeConsul consul = new FakeConsul("us-west");
    LostDeletes queue = new LostDeletes();
    long old = queue.putRaw("home");
    testKit.spawn(Worker.create("us-west", new QueueRef("q0", "127.0.0.1", 1), consul, queue, () -> WorkerTest.SETTINGS, new WorkerStats(), new WorkerHealth(), CommitFaults.none()));
    var probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1, StoreProbe.count(consul, "us-west", "home"));
      assertTrue(StoreProbe.head(consul, "us-west", "q0").orElseThrow().isApplied("-r1", old), "counted, its delete lost: still applied");
      return null;
    });
    // beanstalkd restarts without its binlog: the old job is gone, and a new format-1 job takes its id.
    queue.restartWithoutBinlog();
    queue.lose = false;
    assertEquals(old, queue.putRaw("home"));
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(2, StoreProbe.count(consul, "us-west", "home"), "the new job 1 is another job: counted");
      assertEquals(0, queue.readyCount() + queue.reservedCount());
      assertFalse(StoreProbe.head(consul, "us-west", "q0").orElseThrow().isApplied("-r1", old), "the old run's id left the record once seen reused");
      return null;
    });
  }

  @Test
  void idsAppliedBeforeRunsWereNamedStillHoldForFormat1JobsWhileTheirJobExists() {
    QueueHead head = new QueueHead(1, 1, 10, Map.of(JobCodec.LEGACY_SESSION, Set.of(5L)), 0);
    QueueLedger ledger = new QueueLedger("us-west", "q0", head, 1);
    BatchJob again = new BatchJob(5, "-r1", List.of("home"));
    var plan = ledger.plan(List.of(again), Set.of(), 1 << 16);
    assertEquals(List.of(again), plan.skipped(), "applied under the bare '-': skipped");
    assertTrue(ledger.unknownApplied(List.of(again), Set.of()).isEmpty(), "decided by the job in hand, not peeked");
    Map<String, Set<Long>> asked = Map.of(JobCodec.LEGACY_SESSION, Set.of(5L, 6L, 7L));
    Set<Ref> gone = QueueLedger.goneAfterPeek(asked, Map.of(5L, "-r1", 6L, "k3"));
    assertEquals(Set.of(new Ref("-", 6L), new Ref("-", 7L)), gone, "found as a format-1 job: stays; a job of format 2 or none: gone");
  }

  @Test
  void aRunIsNamedOncePerConnectionAndOnlyForFormat1Jobs() {
    FakeBeanstalk queue = new FakeBeanstalk();
    queue.put("home");
    var jobs = queue.reserveReady(10).toCompletableFuture().join();
    assertEquals(Map.of(), JobNames.runs(queue, jobs).toCompletableFuture().join(), "format 2: no run asked");
    assertEquals(0, queue.namings);
    queue.putRaw("home");
    queue.putRaw("about");
    jobs = queue.reserveReady(10).toCompletableFuture().join();
    var runs = JobNames.runs(queue, jobs).toCompletableFuture().join();
    assertEquals(1, queue.namings, "both jobs came on one connection");
    assertEquals("-r1", JobNames.session(JobCodec.decode(jobs.get(0).body()).orElseThrow(), jobs.get(0), runs));
  }
}
