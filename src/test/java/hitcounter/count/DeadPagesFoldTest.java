package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.DeadGenerations;
import hitcounter.count.QueueLedger.BatchJob;
import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.TxnOp;
import hitcounter.page.JobCodec;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.Manifest;
import hitcounter.store.PageStats;
import hitcounter.testkit.StoreProbe;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A deleted site's generation leaves the snapshot (decision 0019): once the keeper's dead
 * generations name it, the shards that hold its pages and stats are rewritten without them, the
 * other pages keep every count, and the folds stop once the snapshot is clean.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class DeadPagesFoldTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final BlockingQueryWatch.Settings WATCH = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
  private static final StoreSettings EAGER =
      new StoreSettings(16 * 1024, 0, 1.0, 10, 1 << 20, Duration.ofMillis(50), 200, Duration.ofMillis(100), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));
  private static final String OLD = "shop~1:/old";
  private static final String NEW = "shop~2:/new";

  /** One journal entry of q0 (and its head) with {@code hits}, stats and all, as a worker writes it. */
  private static void commit(FakeConsul consul, List<JobCodec.Hit> hits) {
    QueueLedger.Commit c = QueueLedger.empty("us-west", "q0").plan(List.of(new BatchJob(1, "s", hits.stream().map(JobCodec.Hit::page).toList(), -1, hits)), Set.of(), 1 << 20);
    for (TxnOp op : c.ops()) {
      if (op.value() != null) {
        consul.put("us-west", op.key(), op.value());
      }
    }
  }

  /** Every key of stats in the stored shards of us-west. */
  private static Set<String> storedStats(FakeConsul consul) {
    Set<String> out = new java.util.TreeSet<>();
    for (Manifest.Shard s : StoreProbe.manifest(consul, null, "us-west").shards()) {
      out.addAll(CountsCodec.decodeAll(CountsCodec.SHARD, consul.kvGetRaw(null, s.key()).toCompletableFuture().join().orElseThrow()).stats().keySet());
    }
    return out;
  }

  @Test
  void aDeadGenerationsPagesAndStatsLeaveTheSnapshotAndTheOthersKeepTheirCounts() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ActorRef<CountView.Command> view = testKit.spawn(CountView.create(consul, table, new StoreStatus(), new BadValues(new SimpleMeterRegistry()), WATCH, Duration.ofSeconds(1)));
    // This node's sites show shop's generation 2 only.
    DeadGenerations.Known dead = new DeadGenerations.Known((site, generation) -> generation >= 2);
    testKit.spawn(Folder.create(consul, view, EAGER, new hitcounter.store.SnapshotsInUse(), dead));
    List<JobCodec.Hit> hits = new ArrayList<>();
    Map<String, Long> expected = new HashMap<>();
    long minute = System.currentTimeMillis() / 60_000;
    for (int i = 0; i < 1000; i++) {
      String page = i % 4 == 0 ? "shop~1:/p" + i : "p-" + Long.toHexString(hitcounter.store.PageHash.of("seed" + i));
      hits.add(new JobCodec.Hit(page, minute, i, false));
      expected.put(page, 1L);
    }
    for (String page : List.of(OLD, OLD, OLD, NEW, NEW, "home")) {
      hits.add(new JobCodec.Hit(page, minute, 7, false));
      expected.merge(page, 1L, Long::sum);
    }
    commit(consul, hits);
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      Manifest m = StoreProbe.manifest(consul, null, "us-west");
      assertTrue(m.shards().size() >= 2, "several shards: " + m.shards().size());
      assertEquals(expected, StoreProbe.counts(consul, null, "us-west"));
      return null;
    });
    assertTrue(storedStats(consul).containsAll(Set.of(OLD, PageStats.siteKey("shop~1:"), PageStats.siteKey("shop~2:"))), storedStats(consul).toString());
    assertEquals(3L, table.countsOf(OLD).get("us-west"));

    dead.set(new DeadGenerations(Map.of("shop", 1L)));
    Map<String, Long> kept = new HashMap<>(expected);
    kept.keySet().removeIf(p -> p.startsWith("shop~1:"));
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(kept, StoreProbe.counts(consul, null, "us-west"), "generation 1 gone, every other count kept");
      Set<String> stats = storedStats(consul);
      assertFalse(stats.stream().anyMatch(k -> k.startsWith("shop~1:") || k.equals(PageStats.siteKey("shop~1:"))), stats.toString());
      assertTrue(stats.containsAll(Set.of(NEW, "home", PageStats.siteKey("shop~2:"))), stats.toString());
      assertEquals(0L, table.countsOf(OLD).get("us-west"), "the view installed the fold");
      assertEquals(2L, table.countsOf(NEW).get("us-west"));
      return null;
    });
    // Clean now: no fold is due for it any more.
    long gen = StoreProbe.manifest(consul, null, "us-west").gen();
    Thread.sleep(1000);
    assertEquals(gen, StoreProbe.manifest(consul, null, "us-west").gen(), "no fold after the snapshot is clean");
  }
}
