package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.audit.FiguresCodec;
import hitcounter.audit.LostKeys;
import hitcounter.config.ResetRecord;
import hitcounter.fakes.FakeConsul;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Resets after a rollback of the store (decision 0012, defect 7). */
class ResetRepairTest {
  private static final ResetRepair.Settings SETTINGS = new ResetRepair.Settings(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(1));

  private static byte[] entry(String page, long hits) {
    return CountsCodec.encode(CountsCodec.ENTRY, new TreeMap<>(Map.of(page, hits)));
  }

  /** What the reset view does with the records in Consul: merge them per page, set the table's baselines. */
  private static void resetView(FakeConsul consul, CountTable table, ResetView.Resets resets) {
    Map<String, ResetRecord> merged = new HashMap<>();
    for (String dc : new String[] {"us-west", "eu-west"}) {
      consul.entry("us-west", ResetRecord.key(dc, "home")).flatMap(e -> ResetRecord.parse(e.value())).ifPresent(r -> merged.merge("home", r, ResetRecord::merge));
    }
    merged.forEach((id, r) -> table.setBaselines(id, r.baselines()));
    resets.set(merged);
  }

  /**
   * A deleted site's page whose counts left the store (its generation collected, decision 0019)
   * while this node's view still knows its reset: after a rollback settles, the repair leaves it
   * alone. Before, it wrote a reset key of the dead generation and said hits were lost.
   */
  @Test
  void aDeletedSitesPageIsNeverLoweredAfterItsCountsLeftTheStore() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ResetView.Resets resets = new ResetView.Resets();
    resets.set(Map.of("shop~1:/a", new ResetRecord(Map.of("us-west", 40L), 0, 1)));
    consul.put("us-west", LostKeys.key("us-west", "q0", "e1"), FiguresCodec.write(Map.of("hits", 1L, "from", 1L, "to", 1L, "at", System.currentTimeMillis() - 20_000)));
    assertEquals(0, ResetRepair.repair(consul, "us-west", table, resets, SETTINGS, Clock.systemUTC(), id -> !id.startsWith("shop~1:")).toCompletableFuture().join());
    assertTrue(consul.entry("us-west", ResetRecord.key("us-west", "shop~1:/a")).isEmpty(), "no reset key written for a dead page");
  }

  /**
   * A page reset at 100 hits in us-west; us-west's store then goes back to 80 (a restore that
   * took 20 hits for good, reported lost). Before, the baseline stayed 100: the next 20 hits of
   * the page showed nothing. Once the rollback settled, the keeper lowers it to the 80 that
   * survived, and every hit after shows.
   */
  @Test
  void aResetPageShowsItsNextHitsAfterARollbackTookHitsItHadReset() {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable table = new CountTable();
    ResetView.Resets resets = new ResetView.Resets();
    table.addEntry("us-west", entry("home", 100), h -> {});
    table.addEntry("eu-west", entry("home", 7), h -> {});
    // Reset in eu-west, seeing us-west 100 and eu-west 7.
    consul.put("us-west", ResetRecord.key("eu-west", "home"), new ResetRecord(Map.of("us-west", 100L, "eu-west", 7L), 0, 1).bytes());
    resetView(consul, table, resets);
    assertEquals(0, table.totalOf("home"));
    // us-west restored to 80; the worker recorded 20 hits lost, 20 s ago; nothing could be recovered.
    table.clear("us-west");
    table.addEntry("us-west", entry("home", 80), h -> {});
    long now = System.currentTimeMillis();
    String record = LostKeys.key("us-west", "q0", "e1");
    consul.put("us-west", record, FiguresCodec.write(Map.of("hits", 20L, "from", 81L, "to", 100L, "at", now - 20_000)));

    assertEquals(1, ResetRepair.repair(consul, "us-west", table, resets, SETTINGS, Clock.systemUTC()).toCompletableFuture().join());
    resetView(consul, table, resets);
    table.addEntry("us-west", entry("home", 3), h -> {});
    table.addEntry("eu-west", entry("home", 2), h -> {});
    assertEquals(Map.of("us-west", 3L, "eu-west", 2L), table.countsOf("home"), "every hit after the repair shows");
    assertTrue(FiguresCodec.read(consul.entry("us-west", record).orElseThrow().value()).containsKey("repaired"));
    assertEquals(0, ResetRepair.repair(consul, "us-west", table, resets, SETTINGS, Clock.systemUTC()).toCompletableFuture().join(), "a rollback is repaired once");

    // A reset of the page made elsewhere before the lowering (its record names us-west at 100,
    // lowered never) does not bring the old baseline back; a reset after it raises as ever.
    ResetRecord stale = new ResetRecord(Map.of("us-west", 100L), 0, 2);
    ResetRecord merged = resets.of("home").merge(stale);
    assertEquals(80L, merged.baselines().get("us-west"));
    assertEquals(83L, merged.merge(new ResetRecord(Map.of("us-west", 83L), 0, 3, merged.lowered())).baselines().get("us-west"));
  }

  @Test
  void aRollbackIsRepairedOnlyOnceItSettled() {
    long now = 1_000_000;
    assertTrue(!ResetRepair.settled(Map.of("hits", 5L, "at", now - 3_000), now, SETTINGS), "no recovery yet: a copy may still bring hits back");
    assertTrue(ResetRepair.settled(Map.of("hits", 5L, "at", now - 3_000, "recoveredAt", now - 2_500), now, SETTINGS), "recovered");
    assertTrue(ResetRepair.settled(Map.of("hits", 5L, "at", now - 10_000), now, SETTINGS), "nothing to recover");
    assertTrue(!ResetRepair.settled(Map.of("hits", 5L, "at", now - 60_000, "repaired", now - 50_000), now, SETTINGS));
    assertEquals(Map.of("a", 4L), ResetRepair.lowerings("us-west",
        Map.of("a", new ResetRecord(Map.of("us-west", 9L), 0, 1), "b", new ResetRecord(Map.of("us-west", 2L), 0, 1), "c", new ResetRecord(Map.of("eu-west", 9L), 0, 1)),
        id -> 4L));
  }

  @Test
  void loweredRecordsMergeTheSameWhateverTheOrder() {
    ResetRecord a = new ResetRecord(Map.of("us-west", 100L, "eu-west", 7L), 0, 1);
    ResetRecord lowered = a.lower("us-west", 80);
    ResetRecord other = new ResetRecord(Map.of("us-west", 120L, "eu-west", 9L), 5, 0);
    assertEquals(lowered.merge(other), other.merge(lowered));
    assertEquals(Map.of("us-west", 80L, "eu-west", 9L), lowered.merge(other).baselines());
    assertEquals(lowered, ResetRecord.parse(lowered.bytes()).orElseThrow());
    assertEquals(a, ResetRecord.parse(a.bytes()).orElseThrow(), "a record never lowered is written as before");
    assertTrue(!new String(a.bytes()).contains("lowered"));
  }
}
