package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.fakes.FakeBeanstalk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class HitQueueTest {
  /** A beanstalkd whose puts are answered when the test says so. */
  private static class HeldPuts extends FakeBeanstalk {
    final List<CompletableFuture<Long>> answers = new ArrayList<>();
    final List<String> bodies = new ArrayList<>();

    @Override
    public synchronized CompletionStage<Long> put(java.util.function.LongFunction<byte[]> body, long priority, Duration delay, Duration ttr) {
      CompletableFuture<Long> f = new CompletableFuture<>();
      answers.add(f);
      // Format 1 (pages only) keeps the bodies easy to read here; JobCodecTest covers format 2.
      bodies.add(new String(body.apply(0), StandardCharsets.US_ASCII));
      return f;
    }
  }

  @Test
  void hitsThatArriveWhilePutsAreInFlightShareTheNextJob() {
    HeldPuts beanstalk = new HeldPuts();
    HitQueue queue = new HitQueue(beanstalk, Duration.ofSeconds(5), Duration.ofSeconds(60), 2, 3, () -> 1);
    List<CompletableFuture<Long>> hits = new ArrayList<>();
    for (String page : List.of("a", "b", "c", "d", "e", "f", "g")) {
      hits.add(queue.enqueue(page).toCompletableFuture());
    }
    assertEquals(List.of("a", "b"), beanstalk.bodies, "two puts in flight, one hit each");
    beanstalk.answers.get(0).complete(1L);
    assertTrue(hits.get(0).isDone());
    assertFalse(hits.get(2).isDone(), "not acknowledged before its job is INSERTED");
    assertEquals("c\nd\ne", beanstalk.bodies.get(2), "the waiting hits go as one job, at most 3");
    beanstalk.answers.get(1).complete(2L);
    assertEquals("f\ng", beanstalk.bodies.get(3));
    beanstalk.answers.get(2).complete(3L);
    beanstalk.answers.get(3).completeExceptionally(new RuntimeException("beanstalkd went away"));
    assertEquals(3L, hits.get(4).join());
    assertTrue(hits.get(5).isCompletedExceptionally(), "a failed put fails every hit it held");
    assertEquals(5, queue.accepted());
    assertEquals(0, queue.rejected(), "a put that failed after it was sent is not a sure refusal");
    assertEquals(2, queue.unknown());
    assertEquals(4, queue.jobs());
  }

  @Test
  void aJobStaysUnderBeanstalkdsSizeLimitWhateverItsLines() {
    HeldPuts beanstalk = new HeldPuts();
    HitQueue queue = new HitQueue(beanstalk, Duration.ofSeconds(5), Duration.ofSeconds(60), 1, 256, () -> 4);
    // A format-4 line of a 1 KiB non-ASCII path and a referral: about 4 KB each.
    String line = hitcounter.page.LineEscape.escape("/" + "ж".repeat(512)) + " 1 2 r=" + "x".repeat(900);
    List<CompletableFuture<Long>> hits = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      hits.add(queue.enqueue(line).toCompletableFuture());
    }
    for (int i = 0; i < beanstalk.answers.size(); i++) {
      beanstalk.answers.get(i).complete((long) i + 1);
    }
    assertTrue(beanstalk.bodies.size() >= 4, "the 60 lines went as several jobs: " + beanstalk.bodies.size());
    for (String body : beanstalk.bodies) {
      assertTrue(body.length() < 65_535, "a job of " + body.length() + " bytes");
    }
    assertTrue(hits.stream().allMatch(h -> h.isDone() && !h.isCompletedExceptionally()));
  }

  @Test
  void onlyAPutThatWasNeverSentIsARefusal() {
    HeldPuts beanstalk = new HeldPuts();
    HitQueue queue = new HitQueue(beanstalk, Duration.ofSeconds(5), Duration.ofSeconds(60), 1, 10, () -> 1);
    CompletableFuture<Long> refused = queue.enqueue("a").toCompletableFuture();
    beanstalk.answers.get(0).completeExceptionally(new hitcounter.infra.beanstalk.NotQueued("connection refused"));
    var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class, refused::join);
    assertTrue(e.getCause() instanceof HitQueue.Refused);
    CompletableFuture<Long> maybe = queue.enqueue("b").toCompletableFuture();
    beanstalk.answers.get(1).completeExceptionally(new hitcounter.infra.beanstalk.BeanstalkException("connection broke"));
    e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class, maybe::join);
    assertTrue(e.getCause() instanceof HitQueue.OutcomeUnknown);
    queue.refuse("binlog stopped");
    e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class, () -> queue.enqueue("c").toCompletableFuture().join());
    assertTrue(e.getCause() instanceof HitQueue.Refused);
    assertEquals(2, beanstalk.bodies.size(), "nothing sent while refusing");
    assertEquals(2, queue.rejected());
    assertEquals(1, queue.unknown());
  }

  @Test
  void anOverloadedQueueRefusesAtOnceInsteadOfPilingUp() {
    HeldPuts beanstalk = new HeldPuts();
    HitQueue queue = new HitQueue(beanstalk, Duration.ofSeconds(5), Duration.ofSeconds(60), 1, 1, () -> 1);
    List<CompletableFuture<Long>> hits = new ArrayList<>();
    for (int i = 0; i < 34; i++) {
      hits.add(queue.enqueue("p" + i).toCompletableFuture());
    }
    assertEquals(1, beanstalk.bodies.size(), "one put in flight");
    assertTrue(hits.get(33).isCompletedExceptionally(), "the 34th hit finds 32 jobs' worth waiting: refused at once (503)");
    assertFalse(hits.get(32).isDone(), "the 33rd waits its turn");
  }

  /** A clock the test moves, and a timer whose tasks the test runs when their time has come. */
  private static final class ManualTime implements PutLinger.Timer {
    long now = 1_000_000_000L;
    final List<long[]> due = new ArrayList<>();
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public void after(long delayNanos, Runnable task) {
      due.add(new long[] {now + delayNanos});
      tasks.add(task);
    }

    void advanceMillis(long ms) {
      now += ms * 1_000_000L;
      for (int i = 0; i < tasks.size(); i++) {
        if (due.get(i)[0] <= now) {
          Runnable t = tasks.remove(i);
          due.remove(i);
          i--;
          t.run();
        }
      }
    }
  }

  /** A queue with one put in flight and a 3 ms linger on the test's clock and timer. */
  private static HitQueue lingering(HeldPuts beanstalk, ManualTime time, int maxPerJob) {
    return new HitQueue(beanstalk, Duration.ofSeconds(5), Duration.ofSeconds(60), 1, maxPerJob, () -> 1,
        new PutLinger(Duration.ofMillis(3), () -> time.now, time));
  }

  @Test
  void atASteadyRatePutsFollowTheLingerNotTheHits() {
    HeldPuts beanstalk = new HeldPuts();
    ManualTime time = new ManualTime();
    HitQueue queue = lingering(beanstalk, time, 256);
    // 1,000 hits a second, each put answered within 1 ms.
    int answered = 0;
    List<CompletableFuture<Long>> hits = new ArrayList<>();
    for (int ms = 0; ms < 40; ms++) {
      hits.add(queue.enqueue("p" + ms).toCompletableFuture());
      time.advanceMillis(1);
      while (answered < beanstalk.answers.size()) {
        beanstalk.answers.get(answered).complete((long) answered);
        answered++;
      }
    }
    time.advanceMillis(10);
    while (answered < beanstalk.answers.size()) {
      beanstalk.answers.get(answered).complete((long) answered);
      answered++;
      time.advanceMillis(10);
    }
    assertTrue(hits.stream().allMatch(CompletableFuture::isDone), "every hit put");
    assertEquals(40, queue.accepted());
    assertEquals("p0", beanstalk.bodies.get(0), "the first hit came alone: put at once");
    // Then one put per 3 ms: the hits of ms 1-3 in one job, of 4-6 in the next, and so on.
    assertEquals(14, beanstalk.bodies.size(), "one put per linger, not one per hit: " + beanstalk.bodies);
    assertEquals("p1\np2\np3", beanstalk.bodies.get(1));
    assertEquals("p37\np38\np39", beanstalk.bodies.get(13), "no put waits longer than the linger");
  }

  @Test
  void aHitThatComesAloneIsPutAtOnceAndAFullJobDoesNotLinger() {
    HeldPuts beanstalk = new HeldPuts();
    ManualTime time = new ManualTime();
    HitQueue queue = lingering(beanstalk, time, 3);
    queue.enqueue("a");
    assertEquals(List.of("a"), beanstalk.bodies, "nothing came in the linger before it: no wait");
    beanstalk.answers.get(0).complete(1L);
    time.advanceMillis(10);
    queue.enqueue("b");
    assertEquals(2, beanstalk.bodies.size(), "10 ms later, alone again: put at once");
    beanstalk.answers.get(1).complete(2L);
    queue.enqueue("c");
    queue.enqueue("d");
    assertEquals(2, beanstalk.bodies.size(), "hits keep coming: they linger");
    queue.enqueue("e");
    assertEquals("c\nd\ne", beanstalk.bodies.get(2), "a full job goes at once");
    beanstalk.answers.get(2).complete(3L);
    queue.enqueue("f");
    time.advanceMillis(2);
    assertEquals(3, beanstalk.bodies.size());
    time.advanceMillis(1);
    assertEquals("f", beanstalk.bodies.get(3), "put when it has waited the linger");
  }

  @Test
  void aLoneHitThatCameDuringAPutGoesWhenThatPutIsAnswered() {
    HeldPuts beanstalk = new HeldPuts();
    ManualTime time = new ManualTime();
    HitQueue queue = lingering(beanstalk, time, 256);
    queue.enqueue("a");
    time.advanceMillis(5);
    queue.enqueue("b");
    time.advanceMillis(1);
    beanstalk.answers.get(0).complete(1L);
    assertEquals(List.of("a", "b"), beanstalk.bodies, "b came 5 ms after a: alone, it lingers for nothing");
  }

  /** A beanstalkd whose put throws (no future at all) while {@code broken}. */
  private static final class ThrowingPuts extends HeldPuts {
    volatile boolean broken;

    @Override
    public synchronized CompletionStage<Long> put(java.util.function.LongFunction<byte[]> body, long priority, Duration delay, Duration ttr) {
      if (broken) {
        throw new IllegalStateException("the connection's stream could not even start");
      }
      return super.put(body, priority, delay, ttr);
    }
  }

  @Test
  void aPutThatThrowsOnTheTimerFailsItsHitsAndTheQueueGoesOn() {
    ManualTime time = new ManualTime();
    ThrowingPuts beanstalk = new ThrowingPuts();
    HitQueue queue = lingering(beanstalk, time, 256);
    queue.enqueue("warm");
    beanstalk.answers.get(0).complete(1L);
    time.advanceMillis(1);
    CompletableFuture<Long> lingering = queue.enqueue("a").toCompletableFuture();
    beanstalk.broken = true;
    time.advanceMillis(3);
    assertTrue(lingering.isCompletedExceptionally(), "the put that threw on the timer failed its hit (answered, not stranded)");
    beanstalk.broken = false;
    time.advanceMillis(10);
    CompletableFuture<Long> later = queue.enqueue("b").toCompletableFuture();
    assertEquals(List.of("warm", "b"), beanstalk.bodies, "and the queue goes on: its slot was freed");
    beanstalk.answers.get(1).complete(7L);
    assertEquals(7L, later.join());
  }
}
