package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.fakes.FakeBeanstalk;
import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.store.CountTable;
import hitcounter.store.Manifest;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.StoreProbe;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Workers, the count view and the folder together on a fake Consul. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CountStoreTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final BlockingQueryWatch.Settings WATCH = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));
  private static final StoreSettings EAGER =
      new StoreSettings(16 * 1024, 0, 1.0, 10, 1 << 20, Duration.ofMillis(50), 200, Duration.ofMillis(100), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));

  private ActorRef<CountView.Command> view(FakeConsul consul, CountTable table, StoreStatus status, SimpleMeterRegistry registry) {
    return testKit.spawn(CountView.create(consul, table, status, new BadValues(registry), WATCH, Duration.ofSeconds(1)));
  }

  private void worker(FakeConsul consul, FakeBeanstalk queue, String name) {
    worker(consul, queue, name, new WorkerHealth());
  }

  private ActorRef<Worker.Command> worker(FakeConsul consul, FakeBeanstalk queue, String name, WorkerHealth health) {
    return testKit.spawn(Worker.create("us-west", new QueueRef(name, "127.0.0.1", 1), consul, queue, () -> WorkerTest.SETTINGS, new WorkerStats(), health, CommitFaults.none()));
  }

  /** Entries {@code from}..{@code to} of queue q0, one hit on page(seq) each, and the head at {@code to}. */
  private static void journal(FakeConsul consul, int from, int to) {
    for (int seq = from; seq <= to; seq++) {
      consul.put("us-west", StoreKeys.entry("us-west", "q0", seq), hitcounter.store.CountsCodec.encode(hitcounter.store.CountsCodec.ENTRY, Map.of(page(seq), 1L)));
    }
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new hitcounter.store.QueueHead(to, to, 0, Map.of(), 0).toBytes());
  }

  /** Page ids that do not compress much, so 3000 of them need several shards. */
  private static String page(int i) {
    return "p-" + Long.toHexString(hitcounter.store.PageHash.of("seed" + i));
  }

  @Test
  void theViewFollowsEntriesAndFoldsKeepEveryCountWhileTheJournalIsCollected() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    StoreStatus status = new StoreStatus();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ActorRef<CountView.Command> view = view(consul, table, status, registry);
    testKit.spawn(Folder.create(consul, view, EAGER));
    FakeBeanstalk q0 = new FakeBeanstalk();
    FakeBeanstalk q1 = new FakeBeanstalk();
    worker(consul, q0, "q0");
    worker(consul, q1, "q1");
    int pages = 3000;
    for (int i = 0; i < pages; i++) {
      (i % 2 == 0 ? q0 : q1).put(page(i) + "\nhome");
    }
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(Map.of("us-west", (long) pages), table.countsOf("home"));
      assertEquals(1L, table.countsOf(page(2999)).get("us-west"));
      Manifest m = StoreProbe.manifest(consul, null, "us-west");
      assertTrue(m.gen() >= 1, "folded at least once");
      assertTrue(m.shards().size() >= 2, "3000 pages do not fit one 16 KiB shard: " + m.shards().size());
      return null;
    });
    // The store itself holds the same counts, and after the fold the journal is collected.
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      Map<String, Long> stored = StoreProbe.counts(consul, null, "us-west");
      assertEquals(pages, stored.get("home"));
      assertEquals(pages + 1, stored.size());
      Manifest m = StoreProbe.manifest(consul, null, "us-west");
      long entries = consul.kvKeys(null, StoreKeys.storePrefix("us-west") + "j/").toCompletableFuture().join().size();
      long live = StoreProbe.heads(consul, null, "us-west").entrySet().stream().mapToLong(e -> e.getValue().seq() - m.foldedSeq(e.getKey())).sum();
      assertEquals(live, entries, "only entries after the snapshot remain");
      long shards = consul.kvKeys(null, StoreKeys.storePrefix("us-west") + "s/").toCompletableFuture().join().size();
      assertEquals(m.shards().size(), shards, "replaced shards are collected");
      return null;
    });
    assertEquals(2L * pages, status.get().get("us-west").counted());
  }

  /**
   * A flip that committed, answered 409 (as a connection pool's retry of the committed request
   * is): the folder read the pointer back before deleting anything. Before, it took the 409 for
   * a lost race and deleted the manifest the pointer named: every view failed on it for good.
   */
  @Test
  void aFlipThatCommittedButWasAnsweredConflictKeepsItsSnapshot() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.commitThenConflict = StoreKeys.snapshotPointer("us-west");
    CountTable table = new CountTable();
    StoreStatus status = new StoreStatus();
    ActorRef<CountView.Command> view = view(consul, table, status, new SimpleMeterRegistry());
    testKit.spawn(Folder.create(consul, view, EAGER));
    FakeBeanstalk q0 = new FakeBeanstalk();
    worker(consul, q0, "q0");
    for (int i = 0; i < 300; i++) {
      q0.put(page(i) + "\nhome");
    }
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertTrue(consul.commitThenConflict == null, "the first flip was answered 409 after it committed");
      Manifest m = StoreProbe.manifest(consul, null, "us-west");
      assertTrue(m.gen() >= 1);
      assertEquals(300L, StoreProbe.counts(consul, null, "us-west").get("home"));
      return null;
    });
    for (int i = 0; i < 300; i++) {
      q0.put(page(i));
    }
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(2L, table.countsOf(page(7)).get("us-west"));
      assertTrue(StoreProbe.manifest(consul, null, "us-west").gen() >= 2, "folds go on");
      assertEquals(2L, StoreProbe.counts(consul, null, "us-west").get(page(7)));
      return null;
    });
  }

  /**
   * The store restored to an earlier state while a worker commits and a view follows, as
   * {@code consul snapshot restore} does (old values and ModifyIndexes, no watcher woken until
   * the next write): the worker writes in a new epoch, so no entry name is used twice; the view
   * sees the names change, reloads, and shows what is stored. Before epochs, entry 2 was written
   * again under the name the view had applied, and the view kept the old one, as fresh.
   */
  @Test
  void aRestoredStoreIsWrittenInANewEpochAndTheViewReloads() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    view(consul, table, new StoreStatus(), new SimpleMeterRegistry());
    FakeBeanstalk q0 = new FakeBeanstalk();
    worker(consul, q0, "q0");
    TestProbe<Void> probe = testKit.createTestProbe();
    q0.put("before");
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1L, table.countsOf("before").get("us-west"));
      return null;
    });
    var snapshot = consul.snapshot("us-west");
    q0.put("lost");
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1L, table.countsOf("lost").get("us-west"));
      return null;
    });
    consul.restore("us-west", snapshot);
    q0.put("after");
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      Map<String, Long> stored = StoreProbe.counts(consul, null, "us-west");
      assertEquals(Map.of("before", 1L, "after", 1L), stored, "the hit committed after the snapshot is gone from the store");
      assertEquals(1L, table.countsOf("after").getOrDefault("us-west", 0L));
      assertEquals(0L, table.countsOf("lost").getOrDefault("us-west", 0L), "the view shows what is stored");
      return null;
    });
    assertEquals(java.util.Set.of(), consul.reusedNames, "no name written twice");
    // The worker that wrote the lost entry recorded what it held, for the audit.
    var lost = consul.kvKeys(null, hitcounter.audit.LostKeys.prefix("us-west")).toCompletableFuture().join();
    assertEquals(1, lost.size(), lost.toString());
    assertEquals(1L, hitcounter.audit.FiguresCodec.read(consul.entry("us-west", lost.get(0)).orElseThrow().value()).get("hits"));
  }

  /**
   * The worker that wrote the entries a restore took was started again in between (a failure,
   * a rebalance back): it still knows what its queue's last commit on this node left, and
   * records the loss. Before, what it wrote lived in the worker and went with it.
   */
  @Test
  void aWorkerStartedAgainStillWitnessesWhatARestoreTook() {
    FakeConsul consul = new FakeConsul("us-west");
    WorkerHealth health = new WorkerHealth();
    FakeBeanstalk q0 = new FakeBeanstalk();
    ActorRef<Worker.Command> first = worker(consul, q0, "q0", health);
    TestProbe<Void> probe = testKit.createTestProbe();
    q0.put("before");
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1L, StoreProbe.counts(consul, null, "us-west").get("before"));
      return null;
    });
    var snapshot = consul.snapshot("us-west");
    q0.put("lost");
    q0.put("lost");
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(2L, StoreProbe.counts(consul, null, "us-west").get("lost"));
      return null;
    });
    testKit.stop(first);
    worker(consul, q0, "q0", health);
    consul.restore("us-west", snapshot);
    q0.put("after");
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      var lost = consul.kvKeys(null, hitcounter.audit.LostKeys.prefix("us-west")).toCompletableFuture().join();
      assertEquals(1, lost.size(), lost.toString());
      assertEquals(2L, hitcounter.audit.FiguresCodec.read(consul.entry("us-west", lost.get(0)).orElseThrow().value()).get("hits"));
      return null;
    });
  }

  /**
   * A restore to a snapshot older than the folder's last flip: folds go on from the restored
   * manifest. Before, the folder skipped every input older than the generation it flipped last,
   * so after a restore it never folded again and the journal grew for good.
   */
  @Test
  void foldsGoOnAfterARestoreToAnOlderSnapshot() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ActorRef<CountView.Command> view = view(consul, table, new StoreStatus(), new SimpleMeterRegistry());
    testKit.spawn(Folder.create(consul, view, EAGER));
    FakeBeanstalk q0 = new FakeBeanstalk();
    worker(consul, q0, "q0");
    TestProbe<Void> probe = testKit.createTestProbe();
    for (int i = 0; i < 300; i++) {
      q0.put(page(i));
    }
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertTrue(StoreProbe.manifest(consul, null, "us-west").gen() >= 1);
      return null;
    });
    long restoredGen = StoreProbe.manifest(consul, null, "us-west").gen();
    var snapshot = consul.snapshot("us-west");
    for (int round = 1; round <= 2; round++) {
      for (int i = 0; i < 300; i++) {
        q0.put(page(i));
      }
      long atLeast = restoredGen + round;
      probe.awaitAssert(Duration.ofSeconds(20), () -> {
        assertTrue(StoreProbe.manifest(consul, null, "us-west").gen() >= atLeast);
        return null;
      });
    }
    consul.restore("us-west", snapshot);
    for (int i = 0; i < 300; i++) {
      q0.put(page(i) + "\nafter");
    }
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      Manifest m = StoreProbe.manifest(consul, null, "us-west");
      assertTrue(m.gen() > restoredGen, "a fold after the restore");
      assertTrue(m.foldedSeq("q0") > 0);
      assertEquals(300L, StoreProbe.counts(consul, null, "us-west").get("after"));
      assertEquals(300L, table.countsOf("after").get("us-west"));
      return null;
    });
    assertEquals(java.util.Set.of(), consul.reusedNames, "no name written twice");
  }

  /**
   * The table a fold writes is checked against the stored heads first. Here an entry is written
   * again under the name the view applied (as a worker of the version before epochs does after a
   * restore): the view cannot tell by names, but the head's counted hits disagree with what the
   * table was built from, so the table is loaded again and the fold writes what is stored.
   * Before, the fold wrote the view's old figures into the snapshot, for every datacenter.
   */
  @Test
  void aTableThatDisagreesWithTheStoredHeadsIsNeverWrittenIntoASnapshot() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ActorRef<CountView.Command> view = view(consul, table, new StoreStatus(), new SimpleMeterRegistry());
    journal(consul, 1, 20);
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1L, table.countsOf(page(20)).get("us-west"));
      return null;
    });
    consul.put("us-west", StoreKeys.entry("us-west", "q0", 20), hitcounter.store.CountsCodec.encode(hitcounter.store.CountsCodec.ENTRY, Map.of(page(20), 5L)));
    consul.put("us-west", StoreKeys.head("us-west", "q0"), new hitcounter.store.QueueHead(20, 24, 0, Map.of(), 0).toBytes());
    testKit.spawn(Folder.create(consul, view, EAGER));
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertTrue(StoreProbe.manifest(consul, null, "us-west").gen() >= 1, "folded");
      assertEquals(5L, StoreProbe.counts(consul, null, "us-west").get(page(20)), "the snapshot holds what is stored");
      assertEquals(5L, table.countsOf(page(20)).get("us-west"));
      return null;
    });
  }

  /**
   * A fold planned from what the view held just before a restore it has not seen yet (Consul
   * wakes no watcher on a restore): the heads read again before the flip no longer hold what it
   * folded, and it is not flipped. Before, the flip's CAS matched (no pointer before, none after)
   * and a snapshot folded past the restored heads was flipped in: the entries written again under
   * new names were skipped by every reader, and the lost ones counted twice once brought back
   * (recovery-chaos: 3,162 duplicated, 1,535 missing).
   */
  @Test
  void aFoldFromBeforeARestoreIsNeverFlippedIntoIt() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ActorRef<CountView.Command> view = view(consul, table, new StoreStatus(), new SimpleMeterRegistry());
    journal(consul, 1, 10);
    var backup = consul.snapshot("us-west");
    journal(consul, 11, 20);
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1L, table.countsOf(page(20)).get("us-west"));
      return null;
    });
    consul.restore("us-west", backup);
    testKit.spawn(Folder.create(consul, view, EAGER));
    Thread.sleep(1500);
    var pointer = consul.entry("us-west", StoreKeys.snapshotPointer("us-west"));
    if (pointer.isPresent()) {
      assertTrue(StoreProbe.manifest(consul, null, "us-west").foldedSeq("q0") <= 10, "never folded past the restored head");
    }
  }

  /**
   * A snapshot a copy is still reading is not collected when a newer fold replaces it: its
   * manifest and shards stay until the copy is done, then go. Before, they went 5 s after the
   * next flip, and a copy slower than the folds never finished (defect 9).
   */
  @Test
  void aSnapshotACopyIsReadingStaysUntilTheCopyIsDone() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ActorRef<CountView.Command> view = view(consul, table, new StoreStatus(), new SimpleMeterRegistry());
    hitcounter.store.SnapshotsInUse reading = new hitcounter.store.SnapshotsInUse();
    testKit.spawn(Folder.create(consul, view, EAGER, reading));
    FakeBeanstalk q0 = new FakeBeanstalk();
    worker(consul, q0, "q0");
    for (int i = 0; i < 300; i++) {
      q0.put(page(i));
    }
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertTrue(StoreProbe.manifest(consul, null, "us-west").gen() >= 1);
      return null;
    });
    var pointer = hitcounter.store.SnapshotPointer.parse(consul.entry("us-west", StoreKeys.snapshotPointer("us-west")).orElseThrow().value()).orElseThrow();
    Manifest copied = StoreProbe.manifest(consul, null, "us-west");
    java.util.List<String> keys = new java.util.ArrayList<>();
    keys.add(pointer.manifestKey());
    copied.shards().forEach(sh -> keys.add(sh.key()));
    Object copy = reading.use(keys);
    for (int i = 0; i < 300; i++) {
      q0.put(page(i));
    }
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      assertTrue(StoreProbe.manifest(consul, null, "us-west").gen() > pointer.gen(), "folded again");
      return null;
    });
    try {
      Thread.sleep(1000); // several garbage graces
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    for (String k : keys) {
      assertTrue(consul.entry("us-west", k).isPresent(), k + " is read by a copy");
    }
    reading.release(copy);
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertTrue(consul.entry("us-west", pointer.manifestKey()).isEmpty(), "collected once the copy is done");
      return null;
    });
  }

  @Test
  void aQueueAtRestIsArchivedAndComesBackWithANewHeadCountingOn() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    StoreStatus status = new StoreStatus();
    ActorRef<CountView.Command> view = view(consul, table, status, new SimpleMeterRegistry());
    StoreSettings archiving = new StoreSettings(16 * 1024, 0, 1.0, 10, 1 << 20, Duration.ofMillis(50), 200, Duration.ofMillis(100), Duration.ofHours(1),
        Duration.ofMillis(300), Duration.ofHours(1), Duration.ofHours(1));
    testKit.spawn(Folder.create(consul, view, archiving));
    FakeBeanstalk gone = new FakeBeanstalk();
    ActorRef<Worker.Command> w = testKit.spawn(Worker.create("us-west", new QueueRef("gone", "127.0.0.1", 1), consul, gone, () -> WorkerTest.SETTINGS,
        new WorkerStats(), new WorkerHealth(), CommitFaults.none()));
    for (int i = 0; i < 40; i++) {
      gone.put("home");
    }
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(40L, table.countsOf("home").get("us-west"));
      return null;
    });
    testKit.stop(w);
    // The node is gone for good: its head, entries and name leave the store; its hits stay.
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertTrue(consul.entry("us-west", StoreKeys.head("us-west", "gone")).isEmpty(), "head archived");
      Manifest m = StoreProbe.manifest(consul, null, "us-west");
      assertEquals(40, m.archivedCounted());
      assertTrue(!m.queues().containsKey("gone"));
      assertEquals(0, consul.kvKeys(null, StoreKeys.entriesPrefix("us-west", "gone")).toCompletableFuture().join().size());
      return null;
    });
    assertEquals(40L, table.countsOf("home").get("us-west"));
    // The view reports what the archive holds once it has read the new manifest (not at once).
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(40L, status.get().get("us-west").counted());
      return null;
    });
    // It comes back after all: a new head, and counting goes on from the archive.
    FakeBeanstalk back = new FakeBeanstalk();
    worker(consul, back, "gone");
    for (int i = 0; i < 5; i++) {
      back.put("home");
    }
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(45L, table.countsOf("home").get("us-west"));
      assertEquals(45L, StoreProbe.counts(consul, null, "us-west").get("home"));
      return null;
    });
  }

  @Test
  void aQueueOfTheOldLayoutThatNoWorkerDrainsIsMovedAndItsOldKeysCollected() {
    FakeConsul consul = new FakeConsul("us-west");
    consul.put("us-west", StoreKeys.legacyApplied("us-west", "old-node"), "[1,2]".getBytes(StandardCharsets.UTF_8));
    consul.put("us-west", StoreKeys.legacyCountPrefix("us-west", "old-node") + "0", "{\"home\":7}".getBytes(StandardCharsets.UTF_8));
    consul.put("us-west", StoreKeys.legacyCountPrefix("us-west", "old-node") + "5", "{\"news\":3}".getBytes(StandardCharsets.UTF_8));
    CountTable table = new CountTable();
    ActorRef<CountView.Command> view = view(consul, table, new StoreStatus(), new SimpleMeterRegistry());
    StoreSettings legacy = new StoreSettings(16 * 1024, 0, 1.0, 10, 1 << 20, Duration.ofMillis(50), 200, Duration.ofMillis(100), Duration.ofHours(1),
        Duration.ofHours(1), Duration.ofMillis(300), Duration.ofMillis(100));
    testKit.spawn(Folder.create(consul, view, legacy));
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(7L, table.countsOf("home").get("us-west"));
      assertEquals(3L, table.countsOf("news").get("us-west"));
      return null;
    });
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(0, consul.kvKeys(null, "hitcounter/count/").toCompletableFuture().join().size(), "old buckets collected");
      assertEquals(0, consul.kvKeys(null, "hitcounter/applied/").toCompletableFuture().join().size(), "old applied record collected");
      return null;
    });
  }

  @Test
  void aBadValueIsSkippedAndCountingGoesOn() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    consul.put("us-west", StoreKeys.head("us-west", "zz-bad"), "not json {{{".getBytes(StandardCharsets.UTF_8));
    consul.put("us-west", StoreKeys.head("eu-west", "q9"), "{\"v\":1,\"seq\":1,\"counted\":1,\"applied\":{}}".getBytes(StandardCharsets.UTF_8));
    consul.put("us-west", StoreKeys.entry("eu-west", "q9", 1), "garbage".getBytes(StandardCharsets.UTF_8));
    view(consul, table, new StoreStatus(), registry);
    FakeBeanstalk q0 = new FakeBeanstalk();
    worker(consul, q0, "q0");
    for (int i = 0; i < 30; i++) {
      q0.put("home");
    }
    TestProbe<Void> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(30L, table.countsOf("home").get("us-west"));
      assertTrue(registry.get("hitcounter.consul.bad.values").counter().count() >= 2);
      return null;
    });
  }
}
