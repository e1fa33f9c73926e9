package hitcounter.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.fakes.FakeConsul;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import hitcounter.store.StoreMarker;
import hitcounter.testkit.StoreProbe;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the store guard decides about a store without marker. */
class StoreGuardTest {
  /**
   * A Consul wiped long after the node started, its federation not back yet: the store is not
   * declared new until the grace has passed since it was found empty. Before, the grace counted
   * from the guard's start, so a wipe an hour in was declared new at once, and the copies
   * elsewhere then followed the empty store.
   */
  @Test
  void aStoreFoundEmptyWaitsTheGraceFromThenBeforeItIsDeclaredNew() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    consul.remove("us-west", StoreMarker.key("us-west")); // its Consul lost its data
    long[] emptySince = {0};
    Duration grace = Duration.ofMillis(300);
    assertFalse(StoreGuard.check(consul, emptySince, grace).toCompletableFuture().join());
    assertTrue(consul.entry("us-west", StoreMarker.key("us-west")).isEmpty());
    Thread.sleep(400);
    assertTrue(StoreGuard.check(consul, emptySince, grace).toCompletableFuture().join());
    assertTrue(consul.entry("us-west", StoreMarker.key("us-west")).isPresent());
  }

  /**
   * A restore from a copy cut off after some heads were written (the marker comes last): the
   * next check finds heads and no marker while a marked copy is ahead, and restores again.
   * Before, it took the store for one that predates markers and marked it as it was: what the
   * restore had not written yet was lost.
   */
  @Test
  void aRestoreCutOffGoesOnInsteadOfMarkingWhatItWrote() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.remove("us-west", StoreMarker.key("us-west"));
    StoreMarker marker = new StoreMarker("m1", 1, null, 0);
    consul.put("eu-west", StoreMarker.key("us-west"), marker.toBytes());
    for (long seq = 1; seq <= 3; seq++) {
      consul.put("eu-west", StoreKeys.entry("us-west", "q0", seq), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", seq)));
    }
    consul.put("eu-west", StoreKeys.head("us-west", "q0"), new QueueHead(3, 6, 0, Map.of(), 0).toBytes());
    // What the cut-off restore wrote: one entry, and a head of another queue.
    consul.put("us-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 1L)));
    consul.put("us-west", StoreKeys.head("us-west", "q1"), new QueueHead(0, 0, 0, Map.of(), 0).toBytes());
    assertTrue(StoreGuard.check(consul, new long[1], Duration.ofSeconds(30)).toCompletableFuture().join());
    assertEquals(Map.of("home", 6L), StoreProbe.counts(consul, null, "us-west"));
    assertEquals("eu-west", StoreMarker.parse(consul.entry("us-west", StoreMarker.key("us-west")).orElseThrow().value()).orElseThrow().restoredFrom());
  }
}
