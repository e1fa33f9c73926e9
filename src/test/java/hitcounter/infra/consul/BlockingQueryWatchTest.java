package hitcounter.infra.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class BlockingQueryWatchTest {
  private static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void aQueryThatThrowsDoesNotStopTheWatch() {
    List<Long> asked = new CopyOnWriteArrayList<>();
    BlockingQueryWatch.BlockingQuery<String> query = index -> {
      asked.add(index);
      if (asked.size() == 2) {
        throw new IllegalStateException("pool shut down");
      }
      return CompletableFuture.completedFuture(new Indexed<>("answer " + asked.size(), asked.size() * 10L));
    };
    TestProbe<String> seen = KIT.createTestProbe();
    KIT.spawn(BlockingQueryWatch.create(query, seen.getRef(), Indexed::value,
        new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(10))));
    assertEquals("answer 1", seen.receiveMessage());
    assertEquals("answer 3", seen.receiveMessage(Duration.ofSeconds(3)), "the watch went on");
  }

  /**
   * Found with DataLossIT: after its Consul was wiped and restarted, a node's count view kept
   * waiting for an index the new Consul had not reached, and showed old counts as fresh.
   */
  @Test
  void afterAFailureTheNextReadIsImmediate() {
    List<Long> asked = new CopyOnWriteArrayList<>();
    BlockingQueryWatch.BlockingQuery<String> query = index -> {
      asked.add(index);
      if (asked.size() == 2) {
        return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
      }
      return asked.size() == 1 ? CompletableFuture.completedFuture(new Indexed<>("before", 500))
          : CompletableFuture.completedFuture(new Indexed<>("after the wipe", 40));
    };
    TestProbe<String> seen = KIT.createTestProbe();
    KIT.spawn(BlockingQueryWatch.create(query, seen.getRef(), Indexed::value,
        new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(10))));
    assertEquals("before", seen.receiveMessage());
    assertEquals("after the wipe", seen.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(List.of(0L, 500L, 0L), asked.subList(0, 3));
  }
}
