package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueueLedgerTest {
  private static final int BUCKETS = 4;

  @Test
  void countsNewJobsAndRecordsThemInTheSameTransaction() {
    QueueLedger empty = QueueLedger.read("us-west", "q0", List.of(), Optional.empty());
    QueueLedger.Commit c = empty.plan(List.of(new Hit(1, "home"), new Hit(2, "home"), new Hit(3, "about")), Set.of(), BUCKETS);
    assertEquals(List.of(1L, 2L, 3L), c.counted());
    assertTrue(c.skipped().isEmpty());
    TxnOp applied = c.ops().get(c.ops().size() - 1);
    assertEquals(Keys.appliedKey("us-west", "q0"), applied.key());
    assertEquals(0, applied.index(), "a new record must not exist yet");
    assertEquals(Set.of(1L, 2L, 3L), CountCodec.ids(applied.value()));
    long home = c.ops().stream()
        .filter(op -> op.key().equals(Keys.bucketKey("us-west", "q0", Keys.bucketOf("home", BUCKETS))))
        .mapToLong(op -> CountCodec.counts(op.value()).get("home")).sum();
    assertEquals(2, home);
    assertTrue(c.ops().stream().allMatch(op -> op.verb() == TxnOp.Verb.CAS));
  }

  @Test
  void skipsJobsAlreadyRecordedAndPrunesDeletedOnes() {
    String bucket = Keys.bucketKey("us-west", "q0", Keys.bucketOf("home", BUCKETS));
    QueueLedger ledger =
        QueueLedger.read(
            "us-west",
            "q0",
            List.of(new KvEntry(bucket, CountCodec.counts(Map.of("home", 10L)), 40)),
            Optional.of(new KvEntry(Keys.appliedKey("us-west", "q0"), CountCodec.ids(Set.of(5L, 6L)), 41)));
    QueueLedger.Commit c = ledger.plan(List.of(new Hit(6, "home"), new Hit(7, "home")), Set.of(5L), BUCKETS);
    assertEquals(List.of(7L), c.counted());
    assertEquals(List.of(6L), c.skipped());
    TxnOp bucketOp = c.ops().get(0);
    assertEquals(40, bucketOp.index());
    assertEquals(11L, CountCodec.counts(bucketOp.value()).get("home"));
    TxnOp appliedOp = c.ops().get(1);
    assertEquals(41, appliedOp.index());
    assertEquals(Set.of(6L, 7L), CountCodec.ids(appliedOp.value()), "5 is gone, 6 stays until deleted, 7 is new");
    assertEquals(Set.of(5L), ledger.unknownApplied(Set.of(6L), Set.of()));
  }

  @Test
  void takesTheNewIndexesOfACommittedTransaction() {
    QueueLedger.Commit c = QueueLedger.read("d", "q", List.of(), Optional.empty()).plan(List.of(new Hit(1, "p")), Set.of(), 1);
    QueueLedger after = c.after().withIndexes(Map.of(Keys.bucketKey("d", "q", 0), 99L, Keys.appliedKey("d", "q"), 99L));
    QueueLedger.Commit next = after.plan(List.of(new Hit(2, "p")), Set.of(1L), 1);
    assertEquals(99, next.ops().get(0).index());
    assertEquals(2L, CountCodec.counts(next.ops().get(0).value()).get("p"));
    assertEquals(Set.of(2L), CountCodec.ids(next.ops().get(1).value()));
  }
}
