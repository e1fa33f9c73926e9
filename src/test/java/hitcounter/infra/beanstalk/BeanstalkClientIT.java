package hitcounter.infra.beanstalk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.testkit.Beanstalkd;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The pipelined client against a real beanstalkd. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BeanstalkClientIT {
  private final ActorTestKit testKit = ActorTestKit.create();
  private Beanstalkd server;

  @BeforeAll
  void start() throws Exception {
    server = new Beanstalkd(Files.createDirectories(Path.of("target", "it", "beanstalk"))).start();
  }

  private BeanstalkClient client() {
    return new BeanstalkClient(testKit.system(), new InetSocketAddress("127.0.0.1", server.port()), Duration.ofSeconds(2), 8192);
  }

  @Test
  void pipelinedPutsReserveAndDeleteInOrder() throws Exception {
    try (BeanstalkClient producer = client(); BeanstalkClient consumer = client()) {
      List<CompletableFuture<Long>> puts = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        puts.add(producer.put(("p" + i).getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture());
      }
      CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get();
      for (int i = 1; i < puts.size(); i++) {
        assertTrue(puts.get(i).get() > puts.get(i - 1).get(), "replies matched to commands in order");
      }
      Job first = consumer.reserve(Duration.ofSeconds(1)).toCompletableFuture().get().orElseThrow();
      assertEquals("p0", new String(first.body(), StandardCharsets.US_ASCII));
      List<Job> rest = consumer.reserveReady(5_000).toCompletableFuture().get();
      assertEquals(4999, rest.size());
      assertEquals("p4999", new String(rest.get(rest.size() - 1).body(), StandardCharsets.US_ASCII));
      List<Long> ids = new ArrayList<>();
      ids.add(first.id());
      rest.forEach(j -> ids.add(j.id()));
      assertEquals(ids, consumer.delete(ids).toCompletableFuture().get());
      assertEquals(java.util.Map.of(), consumer.peek(ids.subList(0, 10)).toCompletableFuture().get());
      assertTrue(consumer.reserveReady(3).toCompletableFuture().get().isEmpty());
    }
  }

  @Test
  void peekTouchAndTheAgeOfTheOldestReadyJob() throws Exception {
    try (BeanstalkClient producer = client(); BeanstalkClient consumer = client()) {
      long a = producer.put(s -> ("#2 " + Long.toString(s, 36) + "\nhome").getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
      assertTrue(consumer.oldestReadyAge().toCompletableFuture().get().isPresent());
      Job job = consumer.reserve(Duration.ofSeconds(1)).toCompletableFuture().get().orElseThrow();
      assertEquals(a, job.id());
      assertTrue(consumer.oldestReadyAge().toCompletableFuture().get().isEmpty(), "nothing ready");
      assertEquals(List.of(a), consumer.touch(job.connection(), List.of(a)).toCompletableFuture().get());
      assertEquals(List.of(), producer.touch(Beanstalk.ANY_CONNECTION, List.of(a)).toCompletableFuture().get(), "only the reserving connection may touch");
      assertEquals(List.of(), consumer.delete(job.connection() + 1, List.of(a)).toCompletableFuture().get(), "a command for another connection's job is not sent");
      // Another connection's delete of a reserved job: NOT_FOUND, which is not DELETED.
      assertEquals(List.of(), producer.delete(List.of(a)).toCompletableFuture().get());
      // peek finds it although another connection holds it, with its body.
      assertTrue(new String(producer.peek(List.of(a)).toCompletableFuture().get().get(a), StandardCharsets.US_ASCII).endsWith("home"));
      assertEquals(List.of(a), consumer.delete(List.of(a)).toCompletableFuture().get());
    }
  }

  @Test
  void aDroppedConnectionGivesItsReservedJobsBack() throws Exception {
    try (BeanstalkClient producer = client()) {
      long id = producer.put("x".getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
      BeanstalkClient dying = client();
      assertEquals(id, dying.reserve(Duration.ofSeconds(1)).toCompletableFuture().get().orElseThrow().id());
      dying.close();
      try (BeanstalkClient other = client()) {
        Job again = other.reserve(Duration.ofSeconds(2)).toCompletableFuture().get().orElseThrow();
        assertEquals(id, again.id());
        other.delete(List.of(id)).toCompletableFuture().get();
      }
    }
  }

  @Test
  void aClientClosedDuringAWaitingReserveLeavesNoJobReserved() throws Exception {
    BeanstalkClient closing = client();
    closing.reserve(Duration.ofSeconds(5));
    Thread.sleep(200);
    closing.close();
    try (BeanstalkClient producer = client(); BeanstalkClient other = client()) {
      long id = producer.put("y".getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
      long start = System.nanoTime();
      Job got = other.reserve(Duration.ofSeconds(3)).toCompletableFuture().get().orElseThrow();
      assertEquals(id, got.id(), "the job put after the close is not held by the closed connection's reserve");
      assertTrue(System.nanoTime() - start < 1_500_000_000L, "at once, not after a TTR");
      other.delete(List.of(id)).toCompletableFuture().get();
    }
  }

  @Test
  void aDeadServerFailsTheCallNotTheCaller() {
    BeanstalkClient nowhere = new BeanstalkClient(testKit.system(), new InetSocketAddress("127.0.0.1", 1), Duration.ofSeconds(1), 16);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> nowhere.put(new byte[] {'a'}, 0, Duration.ZERO, Duration.ofSeconds(1)).toCompletableFuture().get());
    assertTrue(e.getCause() instanceof BeanstalkException, e.toString());
    nowhere.close();
  }

  @AfterAll
  void stop() {
    server.close();
    testKit.shutdownTestKit();
  }
}
