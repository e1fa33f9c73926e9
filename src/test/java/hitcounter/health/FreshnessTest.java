package hitcounter.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.replicate.DatacenterStates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreshnessTest {
  @Test
  void stallsOfAnotherDatacenterTravelInItsHeartbeatAndSilenceIsLateToo() {
    DatacenterStates states = new DatacenterStates();
    LocalStalls local = new LocalStalls(Duration.ofSeconds(15));
    Freshness f = new Freshness("us-west", states, local, Duration.ofSeconds(3));
    long now = System.currentTimeMillis();
    states.heard("us-west", 1, Map.of(), now);
    states.heard("eu-west", 1, Map.of(), now);
    assertFalse(f.of(List.of("us-west", "eu-west")).stale());

    var remote = Stall.toJsonNode(List.of(new Stall("eu-west", Stall.COMMIT_FAILING, "eu-west-1", "commits fail", 14)));
    states.heard("eu-west", 2, Map.of(), remote, now);
    Freshness.Report r = f.of(List.of("us-west", "eu-west"));
    assertTrue(r.stale());
    assertEquals(14.0, r.countingLagSeconds());
    assertEquals("eu-west-1", r.late().get(0).subject());

    // A datacenter not heard of for longer than stale-after is late, whatever it said before.
    states.heard("eu-west", 3, Map.of(), now - 10_000);
    DatacenterStates old = new DatacenterStates();
    old.heard("us-west", 1, Map.of(), now);
    old.heard("eu-west", 1, Map.of(), remote, now - 10_000);
    Freshness.Report silent = new Freshness("us-west", old, local, Duration.ofSeconds(3)).of(List.of("us-west", "eu-west"));
    assertTrue(silent.stale());
    assertEquals(Stall.NOT_HEARD, silent.late().get(0).why());
    assertTrue(silent.ageSeconds() >= 10);
  }

  @Test
  void aNodesReportExpiresWhenItStopsBeingRenewed() {
    LocalStalls local = new LocalStalls(Duration.ofMillis(100));
    local.heard("n1", List.of(new Stall("us-west", Stall.COUNTING, "q", "", 12)), true, System.currentTimeMillis() - 1000);
    assertTrue(local.current().isEmpty(), "a node that stopped renewing its report is gone");
    local.heard("n1", List.of(new Stall("us-west", Stall.COUNTING, "q", "", 13)), true, System.currentTimeMillis());
    assertEquals(1, local.current().size());
  }
}
