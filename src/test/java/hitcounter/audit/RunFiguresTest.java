package hitcounter.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.TxnOp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A JVM's audit figures through folds, a wipe and a restore: every acknowledged hit in the audit once (decision 0018). */
class RunFiguresTest {
  private final FakeConsul consul = new FakeConsul("us-west");
  private final long[] now = {0};

  private RunFigures run(String node, long start) {
    return new RunFigures(consul, "us-west", node, start, Duration.ofMinutes(15), () -> now[0]);
  }

  private static Map<String, Long> total(long accepted) {
    return Map.of("accepted", accepted, "rejected", 0L, "unknown", 0L);
  }

  /** Publishes until the run key holds {@code accepted} (a write that met a changed key looks first). */
  private void settle(RunFigures run, long accepted) {
    for (int i = 0; i < 5 && !run.holds(total(accepted)); i++) {
      run.publish(total(accepted)).toCompletableFuture().join();
    }
    assertTrue(run.holds(total(accepted)));
  }

  private void fold() {
    var entries = consul.kvTree(null, AuditKeys.prefix("us-west"), 0, Duration.ZERO).toCompletableFuture().join().value();
    var plan = AuditFold.plan("us-west", entries, e -> 0, 10 * 3_600_000L, Duration.ofHours(1), TxnOp.MAX_OPS);
    assertTrue(consul.txn(null, plan.ops()).toCompletableFuture().join().committed());
  }

  private long audited() {
    var entries = consul.kvTree(null, AuditKeys.ROOT, 0, Duration.ZERO).toCompletableFuture().join().value();
    return AuditFigures.total(AuditFigures.bySource(entries, (k, w) -> {}), "us-west", "accepted");
  }

  private long auditKeys() {
    return consul.kvTree(null, AuditKeys.ROOT, 0, Duration.ZERO).toCompletableFuture().join().value().size();
  }

  @Test
  void aFoldedRunGoesOnUnderANewEpochAndEveryHitCountsOnce() {
    RunFigures run = run("a", 1000);
    settle(run, 5);
    assertEquals(1000, run.epoch());
    fold();
    assertEquals(5, audited());
    assertEquals(1, auditKeys(), "the archive only");
    settle(run, 8);
    assertEquals(1001, run.epoch(), "a new name above the archive's through");
    assertEquals(8, audited());
    assertEquals(Map.of("accepted", 5L, "rejected", 0L, "unknown", 0L), run.handed());
    fold();
    settle(run, 9);
    assertEquals(9, audited());
    assertEquals(2, auditKeys(), "the archive and the run written last");
  }

  @Test
  void aLookDueAtEveryPublishStillLetsTheFiguresBeWritten() {
    // Found by AuditArchiveIT (fold-after 2 s, so a look every 500 ms, as often as a publish):
    // every publish looked and none wrote.
    RunFigures run = new RunFigures(consul, "us-west", "a", 1000, Duration.ZERO, () -> now[0]);
    for (int i = 0; i < 3; i++) {
      run.publish(total(5)).toCompletableFuture().join();
    }
    assertEquals(5, audited());
  }

  @Test
  void aRunStartsAboveWhatTheArchiveFoldedForItsNode() {
    consul.put("us-west", AuditKeys.archive("us-west"), AuditArchive.EMPTY.with("a", Map.of(5000L, total(3))).toBytes());
    RunFigures run = run("a", 1000); // a clock behind the last run's
    settle(run, 2);
    assertEquals(5001, run.epoch());
    assertEquals(5, audited());
  }

  @Test
  void twoJvmsOfOneNodeNameNeverShareARunKey() {
    RunFigures one = run("a", 1000);
    RunFigures two = run("a", 1000); // same name, same start
    settle(one, 5);
    settle(two, 7);
    assertTrue(one.epoch() != two.epoch(), one.epoch() + " and " + two.epoch());
    assertEquals(12, audited());
    fold();
    settle(one, 6);
    settle(two, 9);
    assertTrue(one.epoch() != two.epoch(), one.epoch() + " and " + two.epoch());
    assertEquals(15, audited());
  }

  @Test
  void anIdleRunLooksAtItsKeySoAFoldNeverTakesARestoredOlderValue() {
    RunFigures run = run("a", 1000);
    settle(run, 3);
    var older = consul.snapshot("us-west");
    settle(run, 5);
    consul.restore("us-west", older); // a/1000 holds 3 again; the node takes no hit
    now[0] += Duration.ofMinutes(16).toMillis();
    settle(run, 5); // a look, well before a fold (1 h at rest) could take 3
    assertEquals(5, audited());
    fold();
    settle(run, 6);
    assertEquals(6, audited());
  }

  @Test
  void aFoldHiddenByARestoreAndBroughtBackByACopyTakesNothingTwiceAndLosesNothing() {
    RunFigures run = run("a", 1000);
    settle(run, 5);
    var beforeFold = consul.snapshot("us-west");
    now[0] += Duration.ofHours(2).toMillis();
    fold(); // a/1000 (5) folded; eu-west's copy of the archive has it
    byte[] copiedArchive = consul.entry("us-west", AuditKeys.archive("us-west")).orElseThrow().value();
    consul.restore("us-west", beforeFold); // the fold is gone here, a/1000 = 5 is back as this JVM wrote it
    settle(run, 7); // idle for two hours: the run is closed, the 2 new hits go under a new one
    assertTrue(run.epoch() > 1000);
    var local = consul.kvTree(null, AuditKeys.prefix("us-west"), 0, Duration.ZERO).toCompletableFuture().join().value();
    var copy = java.util.List.of(new hitcounter.infra.consul.KvEntry(AuditKeys.archive("us-west"), copiedArchive, 3));
    for (TxnOp op : AuditMerge.back("us-west", copy, local)) {
      assertTrue(consul.txn(null, java.util.List.of(op)).toCompletableFuture().join().committed());
    }
    assertEquals(7, audited(), "the fold back from the copy (5) and the new run (2)");
    settle(run, 8);
    assertEquals(8, audited());
  }

  @Test
  void aWipeOrARestoreThatUndoesAFoldGetsEveryFigureBackOnce() {
    RunFigures run = run("a", 1000);
    settle(run, 5);
    var beforeFold = consul.snapshot("us-west");
    fold();
    settle(run, 8);
    consul.restore("us-west", beforeFold); // the archive without the fold, a/1000 = 5 back, a/1001 gone
    assertEquals(5, audited());
    settle(run, 9);
    assertEquals(9, audited());
    consul.restore("us-west", Map.of()); // wiped
    settle(run, 10);
    assertEquals(10, audited(), "the folded run's key written back with what the fold took, the rest under the current run");
  }
}
