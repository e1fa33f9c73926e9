package hitcounter.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import hitcounter.config.LiveSettings;
import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.store.CountsCodec;
import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.StoreProbe;
import java.nio.charset.StandardCharsets;
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

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicatorTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static void entry(FakeConsul consul, String queue, long seq, Map<String, Long> counts) {
    consul.put("us-west", StoreKeys.entry("us-west", queue, seq), CountsCodec.encode(CountsCodec.ENTRY, counts));
  }

  private static void head(FakeConsul consul, String queue, long seq, long counted) {
    consul.put("us-west", StoreKeys.head("us-west", queue), new QueueHead(seq, counted, 0, Map.of(), 0).toBytes());
  }

  @Test
  void copiesItsOwnStoreEverywhereEntriesThenSnapshots() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("eu-west", StoreKeys.head("eu-west", "e0"), new QueueHead(1, 9, 0, Map.of(), 0).toBytes());
    consul.put("ap-south", "hitcounter/other", new byte[0]);
    entry(consul, "q0", 1, Map.of("home", 5L));
    entry(consul, "q0", 2, Map.of("home", 1L, "about", 2L));
    head(consul, "q0", 2, 8);
    var watch = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
    LiveSettings live = new LiveSettings(ConfigFactory.parseString("hitcounter.replication.interval = 20ms").withFallback(ConfigFactory.load()));
    CopyStatus status = new CopyStatus();
    testKit.spawn(Replicator.create(consul, live, new ReplicationSettings(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(3), Duration.ofMillis(50), Duration.ofHours(1)), status,
        () -> "{}".getBytes(StandardCharsets.UTF_8), watch, Duration.ofSeconds(1)));
    TestProbe<Void> probe = testKit.createTestProbe();
    Map<String, Long> expected = Map.of("home", 6L, "about", 2L);
    probe.awaitAssert(() -> {
      assertEquals(expected, StoreProbe.counts(consul, "eu-west", "us-west"));
      assertEquals(expected, StoreProbe.counts(consul, "ap-south", "us-west"));
      return null;
    });
    // Heartbeats land everywhere, its own datacenter included; only its own keys travel.
    probe.awaitAssert(() -> {
      for (String dc : List.of("us-west", "eu-west", "ap-south")) {
        assertTrue(consul.entry(dc, HeartbeatView.ROOT + "us-west").isPresent(), dc);
      }
      return null;
    });
    assertTrue(consul.entry("us-west", StoreKeys.head("eu-west", "e0")).isEmpty());

    // A fold here: entries 1-2 become a snapshot; a new entry 3 comes after it.
    byte[] shard = CountsCodec.encode(CountsCodec.SHARD, expected);
    consul.put("us-west", StoreKeys.shard("us-west", "1-x", 0), shard);
    Manifest m = new Manifest(1, Map.of("q0", new Manifest.Folded(2, 8)), 0, List.of(new Manifest.Shard(0, StoreKeys.shard("us-west", "1-x", 0), shard.length, 2)));
    consul.put("us-west", StoreKeys.manifest("us-west", "1-x"), m.toBytes());
    consul.put("us-west", StoreKeys.snapshotPointer("us-west"), new SnapshotPointer(1, StoreKeys.manifest("us-west", "1-x")).toBytes());
    consul.remove("us-west", StoreKeys.entry("us-west", "q0", 1));
    consul.remove("us-west", StoreKeys.entry("us-west", "q0", 2));
    entry(consul, "q0", 3, Map.of("news", 4L));
    head(consul, "q0", 3, 12);
    probe.awaitAssert(() -> {
      assertEquals(Map.of("home", 6L, "about", 2L, "news", 4L), StoreProbe.counts(consul, "eu-west", "us-west"));
      assertEquals(1, StoreProbe.manifest(consul, "eu-west", "us-west").gen());
      // What the snapshot replaced in the copy is collected there too.
      assertTrue(consul.entry("eu-west", StoreKeys.entry("us-west", "q0", 1)).isEmpty());
      return null;
    });
    probe.awaitAssert(() -> {
      assertEquals(0.0, status.targets().get("eu-west").ageSeconds(System.currentTimeMillis()), "up to date: no copy waits");
      return null;
    });
  }

  /**
   * The source's store went back (a restore of an older Consul snapshot) and was written again in
   * a new epoch: what only the copy held comes back into the source, and the copy, ahead of its
   * source, follows it. Before, a copy never moved backwards: the two datacenters showed
   * different figures for this datacenter, both fresh.
   */
  @Test
  void aCopyAheadOfItsRolledBackSourceFollowsIt() {
    FakeConsul consul = new FakeConsul("us-west");
    entry(consul, "q0", 1, Map.of("home", 5L));
    entry(consul, "q0", 2, Map.of("gone", 2L));
    entry(consul, "q0", 3, Map.of("gone", 1L));
    head(consul, "q0", 3, 8);
    var watch = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
    LiveSettings live = new LiveSettings(ConfigFactory.parseString("hitcounter.replication.interval = 20ms").withFallback(ConfigFactory.load()));
    consul.put("eu-west", "hitcounter/other", new byte[0]);
    testKit.spawn(Replicator.create(consul, live, new ReplicationSettings(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(3), Duration.ofMillis(50), Duration.ofHours(1)),
        new CopyStatus(), () -> "{}".getBytes(StandardCharsets.UTF_8), watch, Duration.ofSeconds(1)));
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      assertEquals(Map.of("home", 5L, "gone", 3L), StoreProbe.counts(consul, "eu-west", "us-west"));
      return null;
    });
    // Back to entry 1, then entry 2 written again, in a new epoch.
    consul.remove("us-west", StoreKeys.entry("us-west", "q0", 2));
    consul.remove("us-west", StoreKeys.entry("us-west", "q0", 3));
    consul.put("us-west", StoreKeys.entry("us-west", "q0", "x1", 2), CountsCodec.encode(CountsCodec.ENTRY, Map.of("new", 1L)));
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(2, 6, 0, Map.of(), 0, List.of(new QueueHead.Epoch("x1", 2))).toBytes());
    probe.awaitAssert(() -> {
      // What only the copy held (entries 2 and 3) came back into the source, then to the copy.
      assertEquals(Map.of("home", 5L, "new", 1L, "gone", 3L), StoreProbe.counts(consul, "eu-west", "us-west"));
      assertEquals(Map.of("home", 5L, "new", 1L, "gone", 3L), StoreProbe.counts(consul, null, "us-west"));
      return null;
    });
  }

  @Test
  void aReplicatorThatStopsLeavesNoCopyWaitingBehind() {
    // Found in the lab: the keeper moved at cluster formation; the node that stopped being the
    // keeper kept its copy targets "pending" forever and reported "copies to eu-west wait"
    // (stale answers in both datacenters) while the new keeper copied fine.
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("eu-west", StoreKeys.head("eu-west", "e0"), new QueueHead(1, 9, 0, Map.of(), 0).toBytes());
    consul.failTxns.set(1_000_000);
    entry(consul, "q0", 1, Map.of("home", 5L));
    head(consul, "q0", 1, 5);
    var watch = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
    LiveSettings live = new LiveSettings(ConfigFactory.parseString("hitcounter.replication.interval = 20ms").withFallback(ConfigFactory.load()));
    CopyStatus status = new CopyStatus();
    var replicator = testKit.spawn(Replicator.create(consul, live, new ReplicationSettings(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(3), Duration.ofMillis(50), Duration.ofHours(1)), status,
        () -> "{}".getBytes(StandardCharsets.UTF_8), watch, Duration.ofSeconds(1)));
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      assertTrue(status.targets().containsKey("eu-west"), "a copy to eu-west waits");
      return null;
    });
    testKit.stop(replicator);
    probe.awaitAssert(() -> {
      assertEquals(Map.of(), status.targets(), "another node copies now: nothing of this one waits");
      return null;
    });
  }

  @Test
  void aLongBacklogIsCopiedAFewEntriesAtATimeNotAllAtOnce() {
    // Found in the lab after a 5-minute WAN cut: a round fetched every entry to copy at once
    // (thousands), overflowed the node's Consul pool (max-open-requests 512), failed, and
    // tried again: the copy never caught up, and the node's own commits failed too.
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("eu-west", StoreKeys.head("eu-west", "e0"), new QueueHead(1, 9, 0, Map.of(), 0).toBytes());
    int backlog = 1500;
    for (int seq = 1; seq <= backlog; seq++) {
      entry(consul, "q0", seq, Map.of("p" + seq, 1L));
    }
    head(consul, "q0", backlog, backlog);
    consul.maxOpenGets = 64;
    var watch = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
    LiveSettings live = new LiveSettings(ConfigFactory.parseString("hitcounter.replication.interval = 20ms").withFallback(ConfigFactory.load()));
    CopyStatus status = new CopyStatus();
    testKit.spawn(Replicator.create(consul, live, new ReplicationSettings(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(3), Duration.ofMillis(50), Duration.ofHours(1)), status,
        () -> "{}".getBytes(StandardCharsets.UTF_8), watch, Duration.ofSeconds(1)));
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(backlog, StoreProbe.counts(consul, "eu-west", "us-west").size());
      return null;
    });
    assertEquals(0, consul.refusedGets.get(), "never more GETs open than the pool takes");
  }
}
