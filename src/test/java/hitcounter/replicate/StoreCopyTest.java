package hitcounter.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Copies of a store whose source went back, and copies made from a stale view of the source. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreCopyTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static void entry(FakeConsul consul, long seq, Map<String, Long> counts) {
    consul.put("us-west", StoreKeys.entry("us-west", "q0", seq), CountsCodec.encode(CountsCodec.ENTRY, counts));
  }

  private static void head(FakeConsul consul, long seq, long counted) {
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(seq, counted, 0, Map.of(), 0).toBytes());
  }

  /** A fold of everything through {@code seq} into snapshot {@code gen}, its entries collected here. */
  private static void fold(FakeConsul consul, int gen, long seq, long counted, Map<String, Long> counts) {
    byte[] shard = CountsCodec.encode(CountsCodec.SHARD, counts);
    String version = gen + "-x";
    consul.put("us-west", StoreKeys.shard("us-west", version, 0), shard);
    Manifest m = new Manifest(gen, Map.of("q0", new Manifest.Folded(seq, counted)), 0,
        List.of(new Manifest.Shard(0, StoreKeys.shard("us-west", version, 0), shard.length, counts.size())));
    consul.put("us-west", StoreKeys.manifest("us-west", version), m.toBytes());
    consul.put("us-west", StoreKeys.snapshotPointer("us-west"), new SnapshotPointer(gen, StoreKeys.manifest("us-west", version)).toBytes());
    for (long s = 1; s <= seq; s++) {
      consul.remove("us-west", StoreKeys.entry("us-west", "q0", s));
    }
  }

  /** This datacenter's store as a node sees it before any fold: queue q0 at {@code head}. */
  private static StoreCopy.Local beforeAnyFold(QueueHead head) {
    return new StoreCopy.Local(SnapshotPointer.NONE, Map.of(), Map.of("q0", head), Map.of("q0", head.toBytes()), null);
  }

  private void replicate(FakeConsul consul) {
    var watch = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
    LiveSettings live = new LiveSettings(ConfigFactory.parseString("hitcounter.replication.interval = 20ms").withFallback(ConfigFactory.load()));
    testKit.spawn(Replicator.create(consul, live, new ReplicationSettings(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(3), Duration.ofMillis(50), Duration.ofHours(1)),
        new CopyStatus(), () -> "{}".getBytes(StandardCharsets.UTF_8), watch, Duration.ofSeconds(1)));
  }

  /**
   * The source restored to a snapshot folded through entry 2 while its copy held one folded
   * through entry 4, with the same head: the copy goes back to the older snapshot and gets
   * entries 3-4 again, which the newer snapshot had let it collect. Before, equal heads meant
   * "nothing to copy": the copy named entries it did not hold and every view of it failed.
   */
  @Test
  void aCopyThatGoesBackGetsTheEntriesItsNewerSnapshotHadCollected() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("eu-west", "hitcounter/other", new byte[0]);
    entry(consul, 1, Map.of("home", 5L));
    entry(consul, 2, Map.of("home", 1L));
    head(consul, 2, 6);
    fold(consul, 1, 2, 6, Map.of("home", 6L));
    entry(consul, 3, Map.of("news", 2L));
    entry(consul, 4, Map.of("news", 1L));
    head(consul, 4, 9);
    replicate(consul);
    TestProbe<Void> probe = testKit.createTestProbe();
    Map<String, Long> all = Map.of("home", 6L, "news", 3L);
    probe.awaitAssert(() -> {
      assertEquals(all, StoreProbe.counts(consul, "eu-west", "us-west"));
      return null;
    });
    var backup = consul.snapshot("us-west");
    fold(consul, 2, 4, 9, all);
    probe.awaitAssert(() -> {
      assertEquals(2, StoreProbe.manifest(consul, "eu-west", "us-west").gen());
      assertTrue(consul.entry("eu-west", StoreKeys.entry("us-west", "q0", 3)).isEmpty(), "collected in the copy");
      return null;
    });
    consul.restore("us-west", backup);
    consul.put("us-west", "hitcounter/wake", new byte[0]);
    probe.awaitAssert(() -> {
      assertEquals(1, StoreProbe.manifest(consul, "eu-west", "us-west").gen(), "the copy follows its source back");
      assertEquals(all, StoreProbe.counts(consul, "eu-west", "us-west"));
      return null;
    });
  }

  /** The source restored to before its first fold: the copy's snapshot goes and every entry is copied again. */
  @Test
  void aSourceRestoredToBeforeItsFirstFoldTakesTheCopysSnapshotAway() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("eu-west", "hitcounter/other", new byte[0]);
    entry(consul, 1, Map.of("home", 5L));
    entry(consul, 2, Map.of("home", 1L));
    head(consul, 2, 6);
    replicate(consul);
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      assertEquals(Map.of("home", 6L), StoreProbe.counts(consul, "eu-west", "us-west"));
      return null;
    });
    var backup = consul.snapshot("us-west");
    fold(consul, 1, 2, 6, Map.of("home", 6L));
    probe.awaitAssert(() -> {
      assertEquals(1, StoreProbe.manifest(consul, "eu-west", "us-west").gen());
      assertTrue(consul.entry("eu-west", StoreKeys.entry("us-west", "q0", 1)).isEmpty());
      return null;
    });
    consul.restore("us-west", backup);
    consul.put("us-west", "hitcounter/wake", new byte[0]);
    probe.awaitAssert(() -> {
      assertTrue(consul.entry("eu-west", StoreKeys.snapshotPointer("us-west")).isEmpty(), "no snapshot in the copy either");
      assertEquals(Map.of("home", 6L), StoreProbe.counts(consul, "eu-west", "us-west"));
      return null;
    });
  }

  /**
   * A node whose view of its own store is behind (a keeper just handed over) does not move a
   * copy back: the source's Consul is read again, holds more, and the round fails with nothing
   * written. Before, the copy went back to the stale view and its live snapshot became garbage.
   */
  @Test
  void aStaleViewOfTheSourceNeverMovesACopyBack() {
    FakeConsul consul = new FakeConsul("us-west");
    entry(consul, 1, Map.of("home", 5L));
    head(consul, 1, 5);
    fold(consul, 1, 1, 5, Map.of("home", 5L));
    entry(consul, 2, Map.of("news", 1L));
    head(consul, 2, 6);
    fold(consul, 2, 2, 6, Map.of("home", 5L, "news", 1L));
    StoreCopy copy = new StoreCopy(consul);
    QueueHead h2 = new QueueHead(2, 6, 0, Map.of(), 0);
    var current = new StoreCopy.Local(new SnapshotPointer(2, StoreKeys.manifest("us-west", "2-x")), Map.of("q0", 2L), Map.of("q0", h2), Map.of("q0", h2.toBytes()), null);
    copy.round("eu-west", current, null, "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();
    assertEquals(Map.of("home", 5L, "news", 1L), StoreProbe.counts(consul, "eu-west", "us-west"));

    // What the node saw one fold ago (that manifest is still there, within its grace).
    QueueHead h1 = new QueueHead(1, 5, 0, Map.of(), 0);
    var stale = new StoreCopy.Local(new SnapshotPointer(1, StoreKeys.manifest("us-west", "1-x")), Map.of("q0", 1L), Map.of("q0", h1), Map.of("q0", h1.toBytes()), null);
    assertThrows(CompletionException.class, () -> copy.round("eu-west", stale, null, "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join());
    assertEquals(2, StoreProbe.manifest(consul, "eu-west", "us-west").gen(), "the copy stays where its source is");
    assertEquals(Map.of("home", 5L, "news", 1L), StoreProbe.counts(consul, "eu-west", "us-west"));
  }

  /**
   * The first snapshot copied over a journal of a million entries: the garbage is one range,
   * made into keys 64 at a time as they are deleted. Before, a list of every key ever
   * committed was held in the keeper's heap.
   */
  @Test
  void theFirstSnapshotOverALongJournalListsItsGarbageAsRanges() {
    FakeConsul consul = new FakeConsul("us-west");
    long seq = 1_000_000;
    consul.put("eu-west", StoreKeys.head("us-west", "q0"), new QueueHead(seq, seq, 0, Map.of(), 0).toBytes());
    head(consul, seq, seq);
    fold(consul, 1, 0, seq, Map.of("home", seq));
    Manifest m = new Manifest(1, Map.of("q0", new Manifest.Folded(seq, seq)), 0, StoreProbe.manifest(consul, null, "us-west").shards());
    consul.put("us-west", StoreKeys.manifest("us-west", "1-x"), m.toBytes());
    QueueHead h = new QueueHead(seq, seq, 0, Map.of(), 0);
    var local = new StoreCopy.Local(new SnapshotPointer(1, StoreKeys.manifest("us-west", "1-x")), Map.of("q0", seq), Map.of("q0", h), Map.of("q0", h.toBytes()), null);
    StoreCopy.Result r = new StoreCopy(consul).round("eu-west", local, null, "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();
    assertEquals(seq, r.garbage().size());
    assertEquals(1, r.garbage().entries().size(), "one range, not a million keys");
    Iterator<List<String>> batches = r.garbage().batches(64);
    List<String> first = batches.next();
    assertEquals(64, first.size());
    assertEquals(StoreKeys.entry("us-west", "q0", 1), first.get(0));
    List<String> last = new ArrayList<>();
    while (batches.hasNext()) {
      last = batches.next();
    }
    assertEquals(StoreKeys.entry("us-west", "q0", seq), last.get(last.size() - 1));
  }

  /**
   * A target wiped after a round: the next round, from what the last one left, finds nothing
   * to copy, and its heartbeat would say "current" over an empty copy. The heartbeat checks the
   * copy's heads and pointer, fails, and the round after reads the target again and copies
   * everything. Before, the heartbeat went through and the wiped copy was called fresh.
   */
  @Test
  void aHeartbeatToAWipedTargetFailsAndTheNextRoundCopiesAgain() {
    FakeConsul consul = new FakeConsul("us-west");
    entry(consul, 1, Map.of("home", 5L));
    head(consul, 1, 5);
    fold(consul, 1, 1, 5, Map.of("home", 5L));
    entry(consul, 2, Map.of("news", 1L));
    head(consul, 2, 6);
    QueueHead h = new QueueHead(2, 6, 0, Map.of(), 0);
    var local = new StoreCopy.Local(new SnapshotPointer(1, StoreKeys.manifest("us-west", "1-x")), Map.of("q0", 1L), Map.of("q0", h), Map.of("q0", h.toBytes()), null);
    StoreCopy copy = new StoreCopy(consul);
    byte[] beat = "{}".getBytes(StandardCharsets.UTF_8);
    StoreCopy.Result first = copy.round("eu-west", local, null, beat).toCompletableFuture().join();
    assertEquals(Map.of("home", 5L, "news", 1L), StoreProbe.counts(consul, "eu-west", "us-west"));

    consul.restore("eu-west", new java.util.TreeMap<>());
    assertThrows(CompletionException.class, () -> copy.round("eu-west", local, first.remote(), beat).toCompletableFuture().join());
    assertTrue(consul.entry("eu-west", HeartbeatView.ROOT + "us-west").isEmpty(), "no heartbeat over an empty copy");
    copy.round("eu-west", local, null, beat).toCompletableFuture().join();
    assertEquals(Map.of("home", 5L, "news", 1L), StoreProbe.counts(consul, "eu-west", "us-west"));
  }

  /**
   * A rollback of the source, confirmed: the entries only the copy holds (from the first one the
   * source names otherwise) are brought back into the source, into a queue of their own, once,
   * before the copy follows, and the loss record says so. Before, the copy followed and the hits
   * were silently absent (only the audit's gap grew).
   */
  @Test
  void whatOnlyTheCopyHeldIsBroughtBackBeforeTheCopyFollows() {
    FakeConsul consul = new FakeConsul("us-west");
    entry(consul, 1, Map.of("home", 5L));
    entry(consul, 2, Map.of("gone", 2L));
    entry(consul, 3, Map.of("gone", 1L));
    head(consul, 3, 8);
    QueueHead h3 = new QueueHead(3, 8, 0, Map.of(), 0);
    StoreCopy copy = new StoreCopy(consul);
    byte[] beat = "{}".getBytes(StandardCharsets.UTF_8);
    copy.round("eu-west", beforeAnyFold(h3), null, beat)
        .toCompletableFuture().join();
    assertEquals(Map.of("home", 5L, "gone", 3L), StoreProbe.counts(consul, "eu-west", "us-west"));

    // Back to entry 1, then entry 2 written again in a new epoch.
    consul.remove("us-west", StoreKeys.entry("us-west", "q0", 2));
    consul.remove("us-west", StoreKeys.entry("us-west", "q0", 3));
    consul.put("us-west", StoreKeys.entry("us-west", "q0", "x1", 2), CountsCodec.encode(CountsCodec.ENTRY, Map.of("new", 1L)));
    QueueHead h2 = new QueueHead(2, 6, 0, Map.of(), 0, List.of(new QueueHead.Epoch("x1", 2)));
    consul.put("us-west", StoreKeys.head("us-west", "q0"), h2.toBytes());
    var local = beforeAnyFold(h2);
    copy.round("eu-west", local, null, beat).toCompletableFuture().join();
    assertEquals(Map.of("home", 5L, "new", 1L, "gone", 3L), StoreProbe.counts(consul, null, "us-west"), "brought back here");
    var record = consul.entry("us-west", hitcounter.audit.LostKeys.key("us-west", "q0", "")).orElseThrow();
    Map<String, Long> figures = hitcounter.audit.FiguresCodec.read(record.value());
    assertEquals(3L, figures.get("hits"), "entries 2 and 3 of the copy held 3 hits");
    assertEquals(3L, figures.get("recovered"));
    assertEquals(2L, figures.get("from"));
    assertEquals(3L, figures.get("to"));
    // The copy followed its source; the next rounds copy the recovery queue and bring nothing twice.
    String rq = RollbackRecovery.recoveryQueue("q0", "");
    QueueHead rh = QueueHead.parse(consul.entry("us-west", StoreKeys.head("us-west", rq)).orElseThrow().value()).orElseThrow();
    var withRecovered = new StoreCopy.Local(SnapshotPointer.NONE, Map.of(), Map.of("q0", h2, rq, rh), Map.of("q0", h2.toBytes(), rq, rh.toBytes()), null);
    copy.round("eu-west", withRecovered, null, beat).toCompletableFuture().join();
    copy.round("eu-west", withRecovered, null, beat).toCompletableFuture().join();
    assertEquals(Map.of("home", 5L, "new", 1L, "gone", 3L), StoreProbe.counts(consul, "eu-west", "us-west"));
    assertEquals(Map.of("home", 5L, "new", 1L, "gone", 3L), StoreProbe.counts(consul, null, "us-west"));
  }

  /**
   * Garbage a round made (moving the copy to snapshot 2) is deleted after the copy went back to
   * snapshot 1 with its source: what snapshot 1 names stays. Before, the delete was blind and
   * took the shard and entries the copy had just got back: the copy could not be read.
   */
  @Test
  void garbageFromBeforeARollbackSparesWhatTheCopyNamesNow() {
    FakeConsul consul = new FakeConsul("us-west");
    entry(consul, 1, Map.of("home", 5L));
    head(consul, 1, 5);
    fold(consul, 1, 1, 5, Map.of("home", 5L));
    entry(consul, 2, Map.of("news", 1L));
    head(consul, 2, 6);
    QueueHead h2 = new QueueHead(2, 6, 0, Map.of(), 0);
    var atGen1 = new StoreCopy.Local(new SnapshotPointer(1, StoreKeys.manifest("us-west", "1-x")), Map.of("q0", 1L), Map.of("q0", h2), Map.of("q0", h2.toBytes()), null);
    StoreCopy copy = new StoreCopy(consul);
    byte[] beat = "{}".getBytes(StandardCharsets.UTF_8);
    copy.round("eu-west", atGen1, null, beat).toCompletableFuture().join();
    var backup = consul.snapshot("us-west");

    fold(consul, 2, 2, 6, Map.of("home", 5L, "news", 1L));
    var atGen2 = new StoreCopy.Local(new SnapshotPointer(2, StoreKeys.manifest("us-west", "2-x")), Map.of("q0", 2L), Map.of("q0", h2), Map.of("q0", h2.toBytes()), null);
    StoreCopy.Result moved = copy.round("eu-west", atGen2, null, beat).toCompletableFuture().join();
    assertTrue(moved.garbage().size() > 0);

    consul.restore("us-west", backup);
    copy.round("eu-west", atGen1, null, beat).toCompletableFuture().join();
    copy.delete("eu-west", moved.garbage()).toCompletableFuture().join();
    assertEquals(1, StoreProbe.manifest(consul, "eu-west", "us-west").gen());
    assertEquals(Map.of("home", 5L, "news", 1L), StoreProbe.counts(consul, "eu-west", "us-west"));
  }

  /**
   * A confirmed rollback under load: the source's Consul has moved on since this node's view
   * (one more entry, in the new epoch). The view is an earlier moment of the same store, so the
   * copy follows. Before, only an exact match went on, and under steady load no round did.
   */
  @Test
  void aRollbackIsFollowedWhileTheSourceKeepsCommitting() {
    FakeConsul consul = new FakeConsul("us-west");
    entry(consul, 1, Map.of("home", 5L));
    entry(consul, 2, Map.of("gone", 2L));
    head(consul, 2, 7);
    QueueHead h2 = new QueueHead(2, 7, 0, Map.of(), 0);
    StoreCopy copy = new StoreCopy(consul);
    byte[] beat = "{}".getBytes(StandardCharsets.UTF_8);
    copy.round("eu-west", beforeAnyFold(h2), null, beat)
        .toCompletableFuture().join();

    consul.remove("us-west", StoreKeys.entry("us-west", "q0", 2));
    consul.put("us-west", StoreKeys.entry("us-west", "q0", "x1", 2), CountsCodec.encode(CountsCodec.ENTRY, Map.of("new", 1L)));
    QueueHead seen = new QueueHead(2, 6, 0, Map.of(), 0, List.of(new QueueHead.Epoch("x1", 2)));
    consul.put("us-west", StoreKeys.entry("us-west", "q0", "x1", 3), CountsCodec.encode(CountsCodec.ENTRY, Map.of("new", 1L)));
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new QueueHead(3, 7, 0, Map.of(), 0, List.of(new QueueHead.Epoch("x1", 2))).toBytes());
    var view = beforeAnyFold(seen);
    copy.round("eu-west", view, null, beat).toCompletableFuture().join();
    assertEquals(Map.of("home", 5L, "new", 1L), StoreProbe.counts(consul, "eu-west", "us-west"));
    Map<String, Long> lost = hitcounter.audit.FiguresCodec.read(consul.entry("us-west", hitcounter.audit.LostKeys.key("us-west", "q0", "")).orElseThrow().value());
    assertEquals(2L, lost.get("hits"));
    assertEquals(2L, lost.get("recovered"));
    assertEquals(Map.of("home", 5L, "new", 2L, "gone", 2L), StoreProbe.counts(consul, null, "us-west"), "brought back here");
  }

  /**
   * A recovery repeated after the source folded past where it parted from the copy (a round cut
   * off after the recovery committed, or another target's copy): the rollback keeps its name (the
   * epoch of its first lost entry) and nothing comes back twice. Before, the rollback was named
   * by the first seq after the source's folded one, which a fold changed: entry 3 came back twice.
   */
  @Test
  void aRecoveryRepeatedAfterAFoldBringsNothingTwice() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("eu-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 5L)));
    consul.put("eu-west", StoreKeys.entry("us-west", "q0", 2), CountsCodec.encode(CountsCodec.ENTRY, Map.of("gone", 2L)));
    consul.put("eu-west", StoreKeys.entry("us-west", "q0", 3), CountsCodec.encode(CountsCodec.ENTRY, Map.of("gone", 1L)));
    QueueHead copyHead = new QueueHead(3, 8, 0, Map.of(), 0);
    var copy = new StoreCopy.Remote(SnapshotPointer.NONE, 0, Map.of("q0", copyHead), Map.of("q0", 1L), null);
    RollbackRecovery recovery = new RollbackRecovery(consul, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    QueueHead restored = new QueueHead(2, 6, 0, Map.of(), 0, List.of(new QueueHead.Epoch("x1", 2)));
    recovery.recover("eu-west", new StoreCopy.Remote(SnapshotPointer.NONE, 0, Map.of("q0", restored), Map.of(), null), Map.of(), copy)
        .toCompletableFuture().join();
    String rq = RollbackRecovery.recoveryQueue("q0", "");
    assertEquals(3L, QueueHead.parse(consul.entry("us-west", StoreKeys.head("us-west", rq)).orElseThrow().value()).orElseThrow().counted());

    // The source wrote on and folded through entry 2 (of its new epoch) meanwhile.
    QueueHead later = new QueueHead(4, 8, 0, Map.of(), 0, List.of(new QueueHead.Epoch("x1", 2)));
    recovery.recover("eu-west", new StoreCopy.Remote(SnapshotPointer.NONE, 0, Map.of("q0", later), Map.of(), null), Map.of("q0", 2L), copy)
        .toCompletableFuture().join();
    assertEquals(3L, QueueHead.parse(consul.entry("us-west", StoreKeys.head("us-west", rq)).orElseThrow().value()).orElseThrow().counted(),
        "brought back once");
    assertEquals(1, consul.kvKeys(null, hitcounter.audit.LostKeys.ROOT).toCompletableFuture().join().size());
  }

  /**
   * A snapshot copy cut off (a shard collected here under it, as a fold replaced it) goes on with
   * the next snapshot where it got to: shards the target holds already are not sent again. Before,
   * every round started over from the target's old manifest, and a copy slower than a fold never
   * finished.
   */
  @Test
  void aSnapshotCopyCutOffGoesOnWithTheNextSnapshotWhereItGotTo() {
    FakeConsul consul = new FakeConsul("us-west");
    List<Manifest.Shard> shards = new ArrayList<>();
    long shardBytes = 0;
    for (int n = 0; n < 3; n++) {
      Map<String, Long> pages = new java.util.TreeMap<>();
      for (int p = 0; p < 300; p++) {
        pages.put("p-" + Long.toHexString(hitcounter.store.PageHash.of(n + "/" + p)), 1L);
      }
      byte[] shard = CountsCodec.encode(CountsCodec.SHARD, pages);
      shardBytes += n < 2 ? shard.length : 0;
      consul.put("us-west", StoreKeys.shard("us-west", "1-a", n), shard);
      shards.add(new Manifest.Shard(n, StoreKeys.shard("us-west", "1-a", n), shard.length, pages.size()));
    }
    Manifest m1 = new Manifest(1, Map.of("q0", new Manifest.Folded(0, 0)), 0, shards);
    consul.put("us-west", StoreKeys.manifest("us-west", "1-a"), m1.toBytes());
    consul.remove("us-west", StoreKeys.shard("us-west", "1-a", 2)); // collected under the copy
    QueueHead h = new QueueHead(0, 0, 0, Map.of(), 0);
    StoreCopy copy = new StoreCopy(consul);
    byte[] beat = "{}".getBytes(StandardCharsets.UTF_8);
    var atM1 = new StoreCopy.Local(new SnapshotPointer(1, StoreKeys.manifest("us-west", "1-a")), Map.of(), Map.of("q0", h), Map.of("q0", h.toBytes()), null);
    assertThrows(CompletionException.class, () -> copy.round("eu-west", atM1, null, beat).toCompletableFuture().join());

    // The next snapshot keeps shards 0 and 1 and rewrites shard 2.
    byte[] rewritten = CountsCodec.encode(CountsCodec.SHARD, Map.of("page-2", 9L));
    consul.put("us-west", StoreKeys.shard("us-west", "2-b", 2), rewritten);
    Manifest m2 = new Manifest(2, Map.of("q0", new Manifest.Folded(0, 0)), 0,
        List.of(shards.get(0), shards.get(1), new Manifest.Shard(2, StoreKeys.shard("us-west", "2-b", 2), rewritten.length, 1)));
    consul.put("us-west", StoreKeys.manifest("us-west", "2-b"), m2.toBytes());
    var atM2 = new StoreCopy.Local(new SnapshotPointer(2, StoreKeys.manifest("us-west", "2-b")), Map.of(), Map.of("q0", h), Map.of("q0", h.toBytes()), null);
    StoreCopy.Result r = copy.round("eu-west", atM2, null, beat).toCompletableFuture().join();
    assertEquals(2, StoreProbe.manifest(consul, "eu-west", "us-west").gen());
    assertTrue(r.bytes() < shardBytes, "shards 0 and 1 were not sent again: " + r.bytes() + " bytes sent, they are " + shardBytes);
    assertEquals(9L, StoreProbe.counts(consul, "eu-west", "us-west").get("page-2"));
  }

  /**
   * A round that copies a snapshot holds the journal entries it copies after it, as it holds the
   * snapshot: found by SlowCopyIT, where a round slower than a fold and its grace found the
   * entries after its snapshot collected ("an entry to copy is gone locally") round after round.
   */
  @Test
  void aRoundCopyingASnapshotHoldsTheEntriesAfterIt() {
    FakeConsul consul = new FakeConsul("us-west");
    fold(consul, 1, 2, 2, Map.of("home", 2L));
    entry(consul, 3, Map.of("home", 1L));
    entry(consul, 4, Map.of("home", 1L));
    QueueHead h = new QueueHead(4, 4, 0, Map.of(), 0);
    head(consul, 4, 4);
    var inUse = new hitcounter.store.SnapshotsInUse();
    StoreCopy copy = new StoreCopy(consul, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), inUse);
    var local = new StoreCopy.Local(new SnapshotPointer(1, StoreKeys.manifest("us-west", "1-x")), Map.of("q0", 2L), Map.of("q0", h), Map.of("q0", h.toBytes()), null);
    List<Boolean> held = new ArrayList<>();
    consul.beforeNextTxn(() -> held.add(inUse.inUse(h.entryKey("us-west", "q0", 3)) && inUse.inUse(h.entryKey("us-west", "q0", 4))));
    copy.round("eu-west", local, null, "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();
    assertEquals(List.of(true), held, "the entries after the snapshot were held while it was copied");
    assertFalse(inUse.inUse(h.entryKey("us-west", "q0", 3)), "and released after the round");
    assertEquals(Map.of("home", 4L), StoreProbe.counts(consul, "eu-west", "us-west"));
  }

  /**
   * A store declared new (another marker) while a copy of the store before it exists: the copy
   * is not written over. Before, the copy followed the new, empty store, and the last copy of
   * those counts was gone.
   */
  @Test
  void aCopyOfAnotherStoreIsNeverWrittenOver() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("eu-west", hitcounter.store.StoreMarker.key("us-west"), new hitcounter.store.StoreMarker("old-store", 1, null, 0).toBytes());
    consul.put("eu-west", StoreKeys.entry("us-west", "q0", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 5L)));
    consul.put("eu-west", StoreKeys.head("us-west", "q0"), new QueueHead(1, 5, 0, Map.of(), 0).toBytes());
    byte[] marker = consul.entry("us-west", hitcounter.store.StoreMarker.key("us-west")).orElseThrow().value();
    // This store has a snapshot and a journal after it: a round that refuses holds none of it (a
    // refusal lasts until an operator decides; before, each round leaked a hold of every entry).
    QueueHead h = new QueueHead(2, 2, 0, Map.of(), 0);
    var fresh = new StoreCopy.Local(new SnapshotPointer(1, StoreKeys.manifest("us-west", "1-x")), Map.of("q0", 1L), Map.of("q0", h), Map.of("q0", h.toBytes()), marker);
    var inUse = new hitcounter.store.SnapshotsInUse();
    StoreCopy copy = new StoreCopy(consul, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), inUse);
    assertThrows(CompletionException.class, () -> copy.round("eu-west", fresh, null, "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join());
    assertEquals(Map.of("home", 5L), StoreProbe.counts(consul, "eu-west", "us-west"));
    assertFalse(inUse.inUse(h.entryKey("us-west", "q0", 2)), "the refused round holds nothing");
  }

  /**
   * A queue archived by a fold and back before the next copy round: the copy still has its old
   * head, further on than the new one. The copy follows (it gets the archive with the snapshot
   * and the new head with its entry), and nothing is brought back: the old entries' hits are in
   * the archive. Before, the copy's old head was kept and views there asked for entries that
   * were gone; a recovery would have counted the archived hits twice.
   */
  @Test
  void aQueueArchivedAndBackBeforeTheNextCopyIsFollowedNotRecovered() {
    FakeConsul consul = new FakeConsul("us-west");
    for (long seq = 1; seq <= 3; seq++) {
      consul.put("eu-west", StoreKeys.entry("us-west", "q0", seq), CountsCodec.encode(CountsCodec.ENTRY, Map.of("old", 1L)));
    }
    consul.put("eu-west", StoreKeys.head("us-west", "q0"), new QueueHead(3, 3, 0, Map.of(), 0).toBytes());
    // The fold that archived q0: its hits in the shard and the archive, no head, no queue.
    byte[] shard = CountsCodec.encode(CountsCodec.SHARD, Map.of("old", 3L));
    consul.put("us-west", StoreKeys.shard("us-west", "2-x", 0), shard);
    Manifest m = new Manifest(2, Map.of(), 3, List.of(new Manifest.Shard(0, StoreKeys.shard("us-west", "2-x", 0), shard.length, 1)));
    consul.put("us-west", StoreKeys.manifest("us-west", "2-x"), m.toBytes());
    consul.put("us-west", StoreKeys.snapshotPointer("us-west"), new SnapshotPointer(2, StoreKeys.manifest("us-west", "2-x")).toBytes());
    // Back: a new head from entry 1, in a new epoch.
    consul.put("us-west", StoreKeys.entry("us-west", "q0", "n1", 1), CountsCodec.encode(CountsCodec.ENTRY, Map.of("new", 1L)));
    QueueHead back = new QueueHead(1, 1, 0, Map.of(), 0, List.of(new QueueHead.Epoch("n1", 1)));
    consul.put("us-west", StoreKeys.head("us-west", "q0"), back.toBytes());
    var local = new StoreCopy.Local(new SnapshotPointer(2, StoreKeys.manifest("us-west", "2-x")), Map.of(), Map.of("q0", back), Map.of("q0", back.toBytes()), null);
    new StoreCopy(consul).round("eu-west", local, null, "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();
    assertEquals(Map.of("old", 3L, "new", 1L), StoreProbe.counts(consul, "eu-west", "us-west"));
    assertEquals(Map.of("old", 3L, "new", 1L), StoreProbe.counts(consul, null, "us-west"), "nothing brought back");
    assertTrue(consul.kvKeys(null, hitcounter.audit.LostKeys.ROOT).toCompletableFuture().join().isEmpty());
  }
}
