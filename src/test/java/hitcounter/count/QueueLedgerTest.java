package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.count.QueueLedger.BatchJob;
import hitcounter.count.QueueLedger.Ref;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueueLedgerTest {
  private static BatchJob job(long id, String... pages) {
    return new BatchJob(id, "s1", List.of(pages));
  }

  @Test
  void countsNewJobsAsOneEntryWrittenWithTheHeadInOneTransaction() {
    QueueLedger empty = QueueLedger.empty("us-west", "q0");
    QueueLedger.Commit c = empty.plan(List.of(job(1, "home"), job(2, "home", "about")), Set.of(), 64 * 1024);
    assertEquals(2, c.counted().size());
    assertEquals(3, c.countedHits());
    assertEquals(2, c.ops().size());
    TxnOp head = c.ops().get(0);
    TxnOp entry = c.ops().get(1);
    assertEquals(StoreKeys.head("us-west", "q0"), head.key());
    assertEquals(0, head.index(), "a new head must not exist yet");
    assertEquals(StoreKeys.entry("us-west", "q0", 1), entry.key());
    assertEquals(0, entry.index(), "an entry is written once");
    assertEquals(Map.of("home", 2L, "about", 1L), CountsCodec.decode(CountsCodec.ENTRY, entry.value()));
    QueueHead after = QueueHead.parse(head.value()).orElseThrow();
    assertEquals(1, after.seq());
    assertEquals(3, after.counted());
    assertEquals(Set.of(1L, 2L), after.applied().get("s1"));
  }

  @Test
  void skipsAppliedJobsAndDropsGoneOnes() {
    QueueHead head = new QueueHead(4, 10, 100, Map.of("s1", Set.of(7L, 8L), "s0", Set.of(3L)), 0);
    QueueLedger ledger = new QueueLedger("us-west", "q0", head, 55);
    QueueLedger.Commit c = ledger.plan(List.of(job(7, "home"), job(9, "home")), Set.of(new Ref("s0", 3)), 64 * 1024);
    assertEquals(List.of(7L), c.skipped().stream().map(BatchJob::id).toList());
    assertEquals(List.of(9L), c.counted().stream().map(BatchJob::id).toList());
    assertEquals(55, c.ops().get(0).index());
    assertEquals(StoreKeys.entry("us-west", "q0", 5), c.ops().get(1).key());
    assertEquals(Map.of("s1", Set.of(7L, 8L, 9L)), c.after().applied(), "s0/3 is gone, 9 is new");
  }

  @Test
  void aJobOfAnotherSessionWithTheSameIdIsNotApplied() {
    QueueLedger ledger = new QueueLedger("us-west", "q0", new QueueHead(1, 1, 1, Map.of("old", Set.of(1L)), 0), 5);
    QueueLedger.Commit c = ledger.plan(List.of(new BatchJob(1, "new", List.of("home"))), Set.of(), 64 * 1024);
    assertEquals(1, c.counted().size());
    assertEquals(Map.of("old", Set.of(1L)), ledger.unknownApplied(List.of(new BatchJob(1, "new", List.of("home"))), Set.of()));
  }

  @Test
  void aPeekShowsGoneWhatIsMissingOrHeldByAnotherSession() {
    Map<String, Set<Long>> asked = Map.of("s1", Set.of(1L, 2L, 3L));
    Set<Ref> gone = QueueLedger.goneAfterPeek(asked, Map.of(1L, "s1", 2L, "s2"));
    assertEquals(Set.of(new Ref("s1", 2), new Ref("s1", 3)), gone);
  }

  @Test
  void aBatchOverTheEntryBudgetIsCutAfterTheLastJobThatFits() {
    List<BatchJob> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(job(i + 1, "a-page-id-of-some-length-" + i));
    }
    QueueLedger.Commit c = QueueLedger.empty("us-west", "q0").plan(batch, Set.of(), 1000);
    assertTrue(c.counted().size() >= 20 && c.counted().size() < 100, "counted " + c.counted().size());
    assertEquals(100, c.counted().size() + c.carried().size());
    assertEquals(c.counted().size() + 1, c.carried().get(0).id(), "carried in order");
    assertTrue(c.entryBytes() <= 1000);
    assertEquals(Set.copyOf(c.counted().stream().map(BatchJob::id).toList()), c.after().applied().get("s1"), "carried jobs are not applied");
  }

  @Test
  void pruningWritesOnlyWhenSomethingLeaves() {
    QueueLedger ledger = new QueueLedger("us-west", "q0", new QueueHead(2, 2, 2, Map.of("s1", Set.of(1L, 2L)), 0), 9);
    assertTrue(ledger.prune(Set.of(new Ref("s1", 5))).isEmpty());
    List<TxnOp> ops = ledger.prune(Set.of(new Ref("s1", 1), new Ref("s1", 2)));
    assertEquals(1, ops.size());
    assertEquals(9, ops.get(0).index());
    QueueHead after = QueueHead.parse(ops.get(0).value()).orElseThrow();
    assertEquals(0, after.appliedCount());
    assertEquals(2, after.seq(), "a prune appends no entry");
  }
}
