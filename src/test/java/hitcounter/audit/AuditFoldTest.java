package hitcounter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fold of audit keys into a datacenter's archive, and the one reading of them (decision 0018). */
class AuditFoldTest {
  private static final Duration AFTER = Duration.ofHours(1);
  private static final long NOW = 10 * 3_600_000L;

  /** A run key as this version writes it (with the JVM's id). */
  private static KvEntry run(String dc, String node, long epoch, long accepted, long index) {
    return entry(AuditKeys.key(dc, node, epoch), "{\"accepted\":" + accepted + ",\"rejected\":1,\"run\":77,\"unknown\":0}", index);
  }

  /** A run key as a version before folds wrote it. */
  private static KvEntry oldRun(String dc, String node, long epoch, long accepted, long index) {
    return entry(AuditKeys.key(dc, node, epoch), "{\"accepted\":" + accepted + ",\"rejected\":1,\"unknown\":0}", index);
  }

  private static KvEntry entry(String key, String value, long index) {
    return new KvEntry(key, value.getBytes(StandardCharsets.UTF_8), index);
  }

  @Test
  void foldsRunsAtRestOldestFirstAndReadersCountEachOnce() {
    List<KvEntry> keys = new ArrayList<>(List.of(
        run("us-west", "a", 100, 10, 5), run("us-west", "a", 200, 20, 6), run("us-west", "a", 300, 30, 7),
        run("us-west", "b", 150, 7, 8), run("eu-west", "c", 100, 99, 9)));
    // a/200 changed lately: a/300 must wait with it, or a/200 would end below "through".
    var plan = AuditFold.plan("us-west", keys, e -> e.key().endsWith("/a/200") ? NOW - 1000 : 0, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(2, plan.runs(), "a/100 and b/150");
    assertEquals(100, plan.after().through("a"));
    assertEquals(150, plan.after().through("b"));
    assertEquals(List.of(TxnOp.Verb.CAS, TxnOp.Verb.DELETE_CAS, TxnOp.Verb.DELETE_CAS), plan.ops().stream().map(TxnOp::verb).toList());
    Map<String, Map<String, Long>> before = AuditFigures.bySource(keys, (k, w) -> {});
    // After the fold, with a copy of a/100 left behind (not deleted yet): the same figures.
    keys.removeIf(e -> e.key().endsWith("/b/150"));
    keys.add(entry(AuditKeys.archive("us-west"), new String(plan.after().toBytes(), StandardCharsets.UTF_8), 20));
    assertEquals(before, AuditFigures.bySource(keys, (k, w) -> {}), "a folded run and its left-behind copy count once");
    assertEquals(10 + 20 + 30 + 7, AuditFigures.total(before, "us-west", "accepted"));
    assertEquals(99, AuditFigures.total(before, "eu-west", "accepted"));
  }

  @Test
  void aKeyFoldedAlreadyIsDeletedOnlyWhileTheArchiveIsTheOneRead() {
    AuditArchive archive = AuditArchive.EMPTY.with("a", Map.of(100L, Map.of("accepted", 10L)));
    List<KvEntry> keys = List.of(entry(AuditKeys.archive("us-west"), new String(archive.toBytes(), StandardCharsets.UTF_8), 40),
        run("us-west", "a", 100, 10, 41), run("us-west", "a", 200, 5, 42));
    var plan = AuditFold.plan("us-west", keys, e -> NOW, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(0, plan.runs(), "a/200 changed just now");
    assertEquals(List.of(TxnOp.Verb.CHECK_INDEX, TxnOp.Verb.DELETE_CAS), plan.ops().stream().map(TxnOp::verb).toList());
    assertEquals(40, plan.ops().get(0).index());
    assertEquals(AuditKeys.key("us-west", "a", 100), plan.ops().get(1).key());
  }

  @Test
  void aFoldFitsOneTransactionAndNeverWritesOverAnArchiveItCannotRead() {
    List<KvEntry> keys = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      keys.add(run("us-west", "n" + (i % 3), i, 1, i));
    }
    var plan = AuditFold.plan("us-west", keys, e -> 0, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(TxnOp.MAX_OPS, plan.ops().size());
    assertEquals(TxnOp.MAX_OPS - 1, plan.runs());
    keys.add(entry(AuditKeys.archive("us-west"), "not json", 500));
    assertTrue(AuditFold.plan("us-west", keys, e -> 0, NOW, AFTER, TxnOp.MAX_OPS).ops().isEmpty());
    List<String> bad = new ArrayList<>();
    AuditFigures.bySource(keys, (k, why) -> bad.add(k));
    assertEquals(List.of(AuditKeys.archive("us-west")), bad, "reported, not read as nothing silently");
  }

  @Test
  void copiesOfFoldedRunsLeaveOtherDatacentersOnceTheArchiveThereFoldsThem() {
    AuditArchive archive = AuditArchive.EMPTY.with("a", Map.of(100L, Map.of("accepted", 10L)));
    List<KvEntry> source = List.of(entry(AuditKeys.archive("us-west"), new String(archive.toBytes(), StandardCharsets.UTF_8), 40),
        run("us-west", "a", 200, 5, 42));
    List<KvEntry> target = List.of(entry(AuditKeys.archive("us-west"), new String(archive.toBytes(), StandardCharsets.UTF_8), 6),
        run("us-west", "a", 100, 10, 7), run("us-west", "a", 200, 4, 8), run("eu-west", "a", 50, 1, 9));
    var ops = AuditFold.staleCopies("us-west", source, target);
    assertEquals(List.of(TxnOp.deleteCas(AuditKeys.key("us-west", "a", 100), 7).key()), ops.stream().map(TxnOp::key).toList());
    assertEquals(7, ops.get(0).index());
    assertEquals(ops, AuditFold.staleCopies("us-west", source, target.subList(1, 4)), "no archive there yet: it goes once the source's landed");
    List<KvEntry> unreadable = new ArrayList<>(target.subList(1, 4));
    unreadable.add(entry(AuditKeys.archive("us-west"), "not json", 6));
    assertTrue(AuditFold.staleCopies("us-west", source, unreadable).isEmpty(), "an archive there that does not read: nothing goes");
  }

  @Test
  void aRunKeyOfAVersionBeforeFoldsIsFoldedOnlyOnceALaterRunOfItsNodeShowsItGone() {
    List<KvEntry> keys = List.of(oldRun("us-west", "a", 100, 3, 5), oldRun("us-west", "b", 100, 4, 6), oldRun("us-west", "b", 200, 1, 7));
    var plan = AuditFold.plan("us-west", keys, e -> 0, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(1, plan.runs(), "b/100 only: a/100 and b/200 may still be written under the same name");
    assertEquals(100, plan.after().through("b"));
    assertEquals(0, plan.after().through("a"));
  }

  @Test
  void copiesMergeAnArchivePerNodeTheFoldWithTheLargerThroughWhole() {
    // us-west was restored to before a fold and folded again from older figures: eu-west's copy
    // must not mix the newer through with the older, larger sums (that would leave runs out).
    AuditArchive before = AuditArchive.EMPTY.with("a", Map.of(1000L, Map.of("accepted", 5L)));
    AuditArchive after = AuditArchive.EMPTY.with("a", Map.of(1000L, Map.of("accepted", 3L))).with("a", Map.of(3000L, Map.of("accepted", 1L)));
    assertEquals(after.nodes().get("a"), before.merge(after).nodes().get("a"));
    assertEquals(after.nodes().get("a"), after.merge(before).nodes().get("a"));
    AuditArchive same = AuditArchive.EMPTY.with("a", Map.of(1000L, Map.of("accepted", 3L, "unknown", 2L)));
    assertEquals(Map.of("accepted", 5L, "rejected", 0L, "unknown", 2L), before.merge(same).nodes().get("a").sums(), "one through: the larger of each sum");
  }

  @Test
  void aCopyMergesBackWhatARestoreTookAndNothingItsArchiveFolds() {
    AuditArchive folded = AuditArchive.EMPTY.with("a", Map.of(100L, Map.of("accepted", 10L)));
    List<KvEntry> copy = List.of(entry(AuditKeys.archive("us-west"), new String(folded.toBytes(), StandardCharsets.UTF_8), 40),
        run("us-west", "a", 100, 10, 41), run("us-west", "a", 200, 6, 42), run("us-west", "b", 300, 2, 43));
    List<KvEntry> local = List.of(run("us-west", "a", 100, 8, 7), run("us-west", "a", 200, 6, 8)); // restored: no archive, a/100 older
    var ops = AuditMerge.back("us-west", copy, local);
    assertEquals(List.of(AuditKeys.archive("us-west"), AuditKeys.key("us-west", "b", 300)), ops.stream().map(TxnOp::key).toList(),
        "the archive and the run the restore took; a/100 is folded there, a/200 is as here");
    assertEquals(0, ops.get(0).index());
  }

  @Test
  void anArchiveRoundTripsAsFiguresThatOnlyGrow() {
    AuditArchive a = AuditArchive.EMPTY.with("us-west-0", Map.of(100L, Map.of("accepted", 10L, "unknown", 2L), 90L, Map.of("accepted", 1L)));
    assertEquals(100, a.through("us-west-0"));
    assertEquals(11L, a.nodes().get("us-west-0").sums().get("accepted"));
    assertEquals(a, AuditArchive.parse(a.toBytes()));
    AuditArchive b = a.with("us-west-0", Map.of(300L, Map.of("accepted", 4L)));
    b.figures().forEach((f, v) -> assertTrue(v >= a.figures().getOrDefault(f, 0L), f + " grows"));
  }
}
