package hitcounter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.infra.consul.KvEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which generations of deleted sites are dead (decision 0019): seen so by every datacenter, confirmed per generation, never past what they show now. */
class DeadGenerationsTest {
  private static final Duration AFTER = Duration.ofMinutes(10);
  private static final long MIN = 60_000;

  private static DeadGenerations seen(String site, long through) {
    return new DeadGenerations(Map.of(site, through));
  }

  @Test
  void eachGenerationIsConfirmedOnItsOwnAndNeverBeyondWhatEveryDatacenterShowsNow() {
    DeadConfirmation c = new DeadConfirmation();
    assertTrue(c.confirmed(seen("blog", 1), 0, AFTER).through().isEmpty());
    // Deleted and created again every 4 minutes: generation 1 still confirms 10 minutes after it was first seen.
    assertTrue(c.confirmed(seen("blog", 2), 4 * MIN, AFTER).through().isEmpty());
    assertTrue(c.confirmed(seen("blog", 3), 8 * MIN, AFTER).through().isEmpty());
    assertEquals(Map.of("blog", 1L), c.confirmed(seen("blog", 4), 10 * MIN, AFTER).through());
    assertEquals(Map.of("blog", 2L), c.confirmed(seen("blog", 4), 14 * MIN, AFTER).through());
    // A restore somewhere brought generation 3 back to life: nothing past what every datacenter shows now.
    assertEquals(Map.of("blog", 2L), c.confirmed(seen("blog", 2), 30 * MIN, AFTER).through());
    assertTrue(c.confirmed(DeadGenerations.NONE, 31 * MIN, AFTER).through().isEmpty());
  }

  @Test
  void aSitesWriteTheNodesWouldRefuseKillsNothing() {
    String ok = "{\"value\": {\"blog\": {\"generation\": 2, \"deleted\": true}}, \"version\": 3, \"at\": 1, \"dc\": \"us-west\"}";
    String bad = "{\"value\": {\"blog\": {\"generation\": 9, \"deleted\": true, \"maxPages\": \"lots\"}}, \"version\": 4, \"at\": 2, \"dc\": \"eu-west\"}";
    var entries = List.of(new KvEntry(ConfigKeys.key("us-west", Setting.SITES), ok.getBytes(), 1), new KvEntry(ConfigKeys.key("eu-west", Setting.SITES), bad.getBytes(), 2));
    DeadGenerations dead = DeadGenerations.seenByAll(List.of(DeadGenerations.sitesIn(entries)));
    assertTrue(dead.dead("blog~2:home"));
    assertFalse(dead.dead("blog~3:home"), "generation 9's tombstone is in a write no node applies");
  }
}
