package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.fakes.FakeConsul;
import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.health.Stall;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.replicate.DatacenterStates;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A view that cannot apply what the heads name is a stall of this node, with its reason, and
 * this node's answers are stale while it lasts. Before, a view stuck on a missing entry logged
 * at DEBUG, and every answer said "fresh".
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ViewHealthTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final BlockingQueryWatch.Settings WATCH = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));

  @Test
  void aViewStuckOnAMissingEntryIsLateWithItsReasonUntilTheEntryIsThere() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ViewHealth health = new ViewHealth();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    testKit.spawn(CountView.create(consul, table, new StoreStatus(), health, new BadValues(registry), WATCH, Duration.ofSeconds(1)));
    DatacenterStates states = new DatacenterStates();
    Freshness freshness = new Freshness("us-west", "us-west-0", states, new LocalStalls(Duration.ofSeconds(15)), health, Duration.ofSeconds(1));
    consul.put("us-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 2L)));
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(1, 2, 0, Map.of(), 0).toBytes());
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(2L, table.countsOf("home").get("us-west"));
      assertEquals(Map.of(), health.behind());
      return null;
    });
    states.heard("us-west", 1, Map.of(), System.currentTimeMillis());
    assertFalse(freshness.of(List.of("us-west")).stale());

    // The head names entry 2, which this Consul does not hold.
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(2, 3, 0, Map.of(), 0).toBytes());
    java.util.concurrent.atomic.AtomicLong beats = new java.util.concurrent.atomic.AtomicLong(1);
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      states.heard("us-west", beats.incrementAndGet(), Map.of(), System.currentTimeMillis());
      Freshness.Report r = freshness.of(List.of("us-west"));
      assertTrue(r.stale(), "this node's table lacks entry 2");
      Stall s = r.late().get(0);
      assertEquals(Stall.VIEW_BEHIND, s.why());
      assertEquals("us-west-0", s.subject());
      assertTrue(s.detail().contains("missing"), s.detail());
      return null;
    });
    // Another node's freshness is not this node's table.
    Freshness other = new Freshness("us-west", "us-west-1", states, new LocalStalls(Duration.ofSeconds(15)), new ViewHealth(), Duration.ofSeconds(1));
    assertFalse(other.of(List.of("us-west")).stale());

    consul.put("us-west", StoreKeys.entry("us-west", "q0", 2), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 1L)));
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(3L, table.countsOf("home").get("us-west"));
      states.heard("us-west", beats.incrementAndGet(), Map.of(), System.currentTimeMillis());
      assertFalse(freshness.of(List.of("us-west")).stale());
      return null;
    });
  }

  /**
   * After a quiet spell, a new head is not "behind since the spell began": the blocking query
   * proved the old heads held until it answered. Before, the first hit after a quiet minute
   * made answers stale with a lag of that minute until the view caught up.
   */
  @Test
  void aHeadAfterAQuietSpellIsNotLateByTheSpell() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ViewHealth health = new ViewHealth();
    testKit.spawn(CountView.create(consul, table, new StoreStatus(), health, new BadValues(new SimpleMeterRegistry()), WATCH, Duration.ofSeconds(1)));
    DatacenterStates states = new DatacenterStates();
    Freshness freshness = new Freshness("us-west", "us-west-0", states, new LocalStalls(Duration.ofSeconds(15)), health, Duration.ofSeconds(1));
    consul.put("us-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 2L)));
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(1, 2, 0, Map.of(), 0).toBytes());
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(Map.of(), health.behind());
      return null;
    });
    Thread.sleep(2000);
    // A head naming an entry not there yet: behind from now on, not from two seconds ago.
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(2, 3, 0, Map.of(), 0).toBytes());
    probe.awaitAssert(Duration.ofSeconds(2), () -> {
      assertTrue(health.behind().containsKey("us-west"));
      return null;
    });
    states.heard("us-west", 1, Map.of(), System.currentTimeMillis());
    assertFalse(freshness.of(List.of("us-west")).stale(), "behind for less than stale-after");
    assertTrue(System.currentTimeMillis() - health.behind().get("us-west").sinceMillis() < 1000);
  }
}
