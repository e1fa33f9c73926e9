package hitcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Entry names in epochs (decision 0012): which epoch names which seq, and how the list stays short. */
class QueueHeadEpochsTest {
  private static QueueHead head(long seq, List<QueueHead.Epoch> epochs) {
    return new QueueHead(seq, seq, 0, Map.of(), 0, epochs);
  }

  @Test
  void entriesBeforeTheFirstEpochKeepTheirNamesFromBeforeEpochs() {
    QueueHead h = head(9, List.of(new QueueHead.Epoch("a1", 5), new QueueHead.Epoch("b2", 8)));
    assertEquals("", h.epochOf(4));
    assertEquals("a1", h.epochOf(5));
    assertEquals("a1", h.epochOf(7));
    assertEquals("b2", h.epochOf(8));
    assertEquals("b2", h.epoch());
    assertEquals(StoreKeys.entry("us-west", "q0", 4), h.entryKey("us-west", "q0", 4));
    assertEquals("hitcounter/store/us-west/j/q0/7~a1", h.entryKey("us-west", "q0", 7));
    assertEquals(7, StoreKeys.entrySeq("7~a1"));
    assertEquals(4, StoreKeys.entrySeq("4"));
  }

  @Test
  void aNewEpochIsListedFromItsFirstEntryAndFoldedEpochsLeave() {
    QueueHead h = head(9, List.of(new QueueHead.Epoch("a1", 5)));
    assertEquals(List.of(new QueueHead.Epoch("a1", 5)), h.epochsWith("a1", 10, 0), "the same epoch goes on");
    assertEquals(List.of(new QueueHead.Epoch("a1", 5), new QueueHead.Epoch("c3", 10)), h.epochsWith("c3", 10, 8));
    // Folded through 9: no key of a1 is read any more.
    assertEquals(List.of(new QueueHead.Epoch("c3", 10)), h.epochsWith("c3", 10, 9));
    assertEquals(List.of(new QueueHead.Epoch("c3", 10)), head(9, List.of()).epochsWith("c3", 10, 0));
    assertEquals(List.of(), head(9, List.of()).epochsWith("", 10, 0), "store-format 1 keeps names without epochs");
  }

  @Test
  void twoHeadsNameARangeAlikeOnlyWhenEverySeqHasTheSameEpoch() {
    QueueHead before = head(12, List.of(new QueueHead.Epoch("a1", 5)));
    QueueHead goneOn = head(20, List.of(new QueueHead.Epoch("a1", 5), new QueueHead.Epoch("b2", 13)));
    QueueHead rewritten = head(12, List.of(new QueueHead.Epoch("a1", 5), new QueueHead.Epoch("b2", 11)));
    assertTrue(goneOn.sameNames(before, 1, 12));
    assertFalse(rewritten.sameNames(before, 1, 12), "entries 11 and 12 were written again");
    assertTrue(rewritten.sameNames(before, 1, 10));
    assertFalse(head(12, List.of(new QueueHead.Epoch("z9", 1))).sameNames(before, 3, 4));
  }

  @Test
  void epochsTravelInTheHeadAndABadOneIsNotAHead() {
    QueueHead h = new QueueHead(9, 30, 100, Map.of("s", java.util.Set.of(3L)), 0, List.of(new QueueHead.Epoch("a1", 5)));
    assertEquals(h, QueueHead.parse(h.toBytes()).orElseThrow());
    assertEquals(List.of(), QueueHead.parse(new QueueHead(1, 1, 1, Map.of(), 0).toBytes()).orElseThrow().epochs());
    String bad = "{\"v\":1,\"seq\":3,\"counted\":3,\"applied\":{},\"epochs\":[[\"A/B\",1]]}";
    assertTrue(QueueHead.parse(bad.getBytes(StandardCharsets.UTF_8)).isEmpty());
    String unordered = "{\"v\":1,\"seq\":3,\"counted\":3,\"applied\":{},\"epochs\":[[\"a\",3],[\"b\",2]]}";
    assertTrue(QueueHead.parse(unordered.getBytes(StandardCharsets.UTF_8)).isEmpty());
  }

  /**
   * Where a store rolled back parts from a copy of it made before: at the rollback's new epoch,
   * even once the source folded past it and pruned what came before (before, the first seq after
   * the source's folded one was taken, and the rollback got another name after each fold).
   */
  @Test
  void aRollbackPartsFromItsCopyAtItsNewEpochWhateverWasFoldedSince() {
    QueueHead copy = head(40, List.of(new QueueHead.Epoch("e1", 10)));
    QueueHead restored = head(31, List.of(new QueueHead.Epoch("e1", 10), new QueueHead.Epoch("e2", 26)));
    assertEquals(26, restored.partsFrom(copy, 0));
    QueueHead foldedPast = head(45, List.of(new QueueHead.Epoch("e2", 26)));
    assertEquals(26, foldedPast.partsFrom(copy, 30), "e1 pruned here, folded through 30: still 26");
    QueueHead notWrittenYet = head(25, List.of(new QueueHead.Epoch("e1", 10)));
    assertEquals(26, notWrittenYet.partsFrom(copy, 0));
    // An old epoch the copy pruned is not a rollback; nor is a new epoch past the copy's head.
    QueueHead olderList = head(40, List.of(new QueueHead.Epoch("e0", 3), new QueueHead.Epoch("e1", 10)));
    assertEquals(41, olderList.partsFrom(copy, 0));
    QueueHead restarted = head(50, List.of(new QueueHead.Epoch("e1", 10), new QueueHead.Epoch("e3", 45)));
    assertTrue(restarted.partsFrom(copy, 0) > copy.seq());
  }
}
