package hitcounter.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hitcounter.count.CountCodec;
import hitcounter.count.Keys;
import hitcounter.fakes.FakeConsul;
import com.typesafe.config.ConfigFactory;
import hitcounter.config.LiveSettings;
import hitcounter.infra.consul.BlockingQueryWatch;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicatorTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  @Test
  void copiesOwnSlotsToEveryOtherDatacenterAndNeverLowersThem() {
    FakeConsul consul = new FakeConsul("us-west");
    String mine = Keys.bucketKey("us-west", "q0", 3);
    String theirs = Keys.bucketKey("eu-west", "q0", 3);
    consul.put("eu-west", theirs, CountCodec.counts(Map.of("home", 9L)));
    consul.put("ap-south", "hitcounter/other", new byte[0]);
    consul.put("us-west", mine, CountCodec.counts(Map.of("home", 5L)));
    // A stale, larger copy already in ap-south (e.g. written before a partition) is kept.
    consul.put("ap-south", mine, CountCodec.counts(Map.of("home", 4L, "old", 1L)));
    var watch = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
    LiveSettings live = new LiveSettings(ConfigFactory.parseString("hitcounter.replication.interval = 20ms").withFallback(ConfigFactory.load()));
    testKit.spawn(
        Replicator.create(consul, live, new ReplicationSettings(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(3)), watch, Duration.ofSeconds(1)));
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      assertEquals(Map.of("home", 5L), CountCodec.counts(consul.entry("eu-west", mine).orElseThrow().value()));
      assertEquals(Map.of("home", 5L, "old", 1L), CountCodec.counts(consul.entry("ap-south", mine).orElseThrow().value()));
      return null;
    });
    // Heartbeats land everywhere, its own datacenter included.
    probe.awaitAssert(() -> {
      for (String dc : java.util.List.of("us-west", "eu-west", "ap-south")) {
        assertEquals(true, consul.entry(dc, HeartbeatView.ROOT + "us-west").isPresent(), dc);
      }
      return null;
    });
    // Only its own slots travel: eu-west's key is not copied by us-west.
    assertEquals(true, consul.entry("us-west", theirs).isEmpty());

    consul.put("us-west", mine, CountCodec.counts(Map.of("home", 8L)));
    probe.awaitAssert(() -> {
      assertEquals(Map.of("home", 8L), CountCodec.counts(consul.entry("eu-west", mine).orElseThrow().value()));
      return null;
    });
  }
}
