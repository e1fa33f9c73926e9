package hitcounter.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node reports its own queue stuck past stall-after, once, whether or not a worker drains it. */
class OwnQueueStallTest {
  private static final HealthSettings SETTINGS = new HealthSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(1));

  private static OwnQueue stuckFor(double seconds) {
    return new OwnQueue() {
      @Override
      public String id() {
        return "us-west-1";
      }

      @Override
      public double stuckSeconds(long nowMillis) {
        return seconds;
      }

      @Override
      public String detail() {
        return "131 jobs in queue us-west-1 (0 ready, 131 reserved, 0 delayed) and none deleted";
      }
    };
  }

  @Test
  void aStuckQueueNoWorkerReportsIsAStallOfItsNode() {
    List<Stall> stalls = new ArrayList<>();
    StatusPublisher.ownQueueStall("us-west", stuckFor(5), stalls, SETTINGS, 0);
    assertTrue(stalls.isEmpty(), "not before stall-after");
    StatusPublisher.ownQueueStall("us-west", stuckFor(15), stalls, SETTINGS, 0);
    assertEquals(1, stalls.size());
    Stall s = stalls.get(0);
    assertEquals(Stall.COUNTING, s.why());
    assertEquals("us-west-1", s.subject());
    assertTrue(s.detail().contains("131 reserved") && s.detail().contains("15 s"), s.detail());
  }

  @Test
  void aQueueItsWorkerAlreadyReportsIsNotReportedTwice() {
    List<Stall> stalls = new ArrayList<>(List.of(new Stall("us-west", Stall.COUNTING, "us-west-1", "the oldest job of queue us-west-1 has waited 15 s", 15)));
    StatusPublisher.ownQueueStall("us-west", stuckFor(15), stalls, SETTINGS, 0);
    assertEquals(1, stalls.size());
  }
}
