package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.fakes.FakeBeanstalk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The queue monitor reads often while hits are put and seldom while none are (an idle node wakes less). */
class QueueMonitorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static final class CountedStats extends FakeBeanstalk {
    final AtomicInteger readings = new AtomicInteger();

    @Override
    public synchronized CompletionStage<Map<String, String>> stats() {
      readings.incrementAndGet();
      return super.stats();
    }
  }

  @Test
  void readsAtTheIdleIntervalWhileNothingIsPutAndAtTheBusyOneWhileHitsArrive() throws Exception {
    CountedStats beanstalk = new CountedStats();
    HitQueue hits = new HitQueue(beanstalk, Duration.ofSeconds(5), Duration.ofSeconds(60), 1, 16, () -> 3);
    testKit.spawn(QueueMonitor.create(beanstalk, new QueueMonitor.Figures("node-a"), Duration.ofMillis(50), Duration.ofSeconds(2), hits));
    Thread.sleep(1000);
    int idle = beanstalk.readings.get();
    assertTrue(idle <= 2, "idle: the first readings, then one per 2 s, not one per 50 ms: " + idle);

    // The first put is read about within the busy interval (the monitor looks, without I/O,
    // whether a job was put); then, while hits keep arriving, readings follow at that interval.
    hits.enqueue("p").toCompletableFuture().get();
    Thread.sleep(300);
    assertTrue(beanstalk.readings.get() > idle, "a reading soon after the first put, not at the next idle reading");
    long end = System.currentTimeMillis() + 1000;
    while (System.currentTimeMillis() < end) {
      hits.enqueue("p").toCompletableFuture().get();
      Thread.sleep(10);
    }
    int busy = beanstalk.readings.get() - idle;
    // About 20 at 50 ms; at the idle interval there would be none or one. A loaded box (the
    // suite's other tests, CI) stretches the 50 ms, so the bound is loose (it once saw 9).
    assertTrue(busy >= 4, "readings while hits are put: " + busy);

    // No more hits, but jobs wait in the queue (no worker here): the figures stay fresh.
    int before = beanstalk.readings.get();
    Thread.sleep(1000);
    assertTrue(beanstalk.readings.get() - before >= 5, "readings while jobs wait: " + (beanstalk.readings.get() - before));
  }

  @Test
  void aQueueWhoseJobsWaitAndNoneIsDeletedIsStuckWhoeverDrainsIt() throws Exception {
    FakeBeanstalk beanstalk = new FakeBeanstalk();
    QueueMonitor.Figures figures = new QueueMonitor.Figures("node-a");
    HitQueue hits = new HitQueue(beanstalk, Duration.ofSeconds(5), Duration.ofSeconds(60), 1, 16, () -> 3);
    testKit.spawn(QueueMonitor.create(beanstalk, figures, Duration.ofMillis(50), Duration.ofMillis(100), hits));
    Thread.sleep(300);
    assertEquals(0, figures.stuckSeconds(System.currentTimeMillis()), "an empty queue is not stuck");

    // Jobs reserved by a worker that went away without deleting or giving them back: they are
    // not ready, so no oldest-ready age shows them.
    hits.enqueue("p").toCompletableFuture().get();
    hits.enqueue("q").toCompletableFuture().get();
    List<Long> taken = beanstalk.reserveReady(10).toCompletableFuture().get().stream().map(hitcounter.infra.beanstalk.Job::id).toList();
    assertEquals(0, beanstalk.readyCount());
    Thread.sleep(600);
    double stuck = figures.stuckSeconds(System.currentTimeMillis());
    assertTrue(stuck >= 0.3, "reserved jobs, none deleted: stuck for " + stuck + " s");
    assertTrue(figures.detail().contains("reserved"), figures.detail());

    beanstalk.delete(hitcounter.fakes.FakeBeanstalk.ANY_CONNECTION, taken).toCompletableFuture().get();
    Thread.sleep(400);
    assertEquals(0, figures.stuckSeconds(System.currentTimeMillis()), "deleted: moving again");
  }
}
