package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ranges of a first snapshot (found by FoldCost: a first fold of 1M pages in one range ran out of a 400 MB heap). */
class FoldPlannerTest {
  @Test
  void aFirstSnapshotIsCutIntoEqualRangesThatCoverEveryHashOnce() {
    assertEquals(List.of(0L, 0L), List.of(FoldPlanner.firstRanges(10, 192 * 1024).get(0)[0], FoldPlanner.firstRanges(10, 192 * 1024).get(0)[1]));
    List<long[]> r = FoldPlanner.firstRanges(1_000_000, 192 * 1024);
    assertEquals(128, r.size(), "1M pages at ~16 B: about three quarters of a 192 KiB shard each");
    assertEquals(0L, r.get(0)[0]);
    for (int i = 1; i < r.size(); i++) {
      assertEquals(r.get(i - 1)[1], r.get(i)[0], "contiguous");
    }
    assertEquals(0L, r.get(r.size() - 1)[1], "the last runs to the end");
  }
}
