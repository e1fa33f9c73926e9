package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.DeadGenerations;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.GonePrefixes;
import hitcounter.store.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /** Four shards of equal hash ranges, holding {@code pages} of us-west (installed as the table's snapshot). */
  private static SourceState fourShards(CountTable table, Map<String, Long> pages) {
    List<Manifest.Shard> shards = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      shards.add(new Manifest.Shard((long) i << 62, "s" + i, 1000, 10));
    }
    SourceState s = new SourceState("us-west");
    s.manifest = new Manifest(1, Map.of(), 0, shards);
    table.clearStaged("us-west");
    table.stageShard("us-west", CountsCodec.encode(CountsCodec.SHARD, pages));
    table.commitSnapshot("us-west", List.<long[]>of(new long[] {0, 0}), List.of(), h -> {});
    return s;
  }

  private static Map<String, Long> pages(String prefix, int n) {
    Map<String, Long> out = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      out.put(prefix + "/p" + i, 1L);
    }
    return out;
  }

  /**
   * A small deleted site's pages lie in every shard: its drop is spread over folds of at most
   * {@code maxShards} shards each (before, one fold rewrote every shard that held one, which at a
   * million pages was the whole snapshot at once), and the snapshot is clean only once a pass
   * finds none.
   */
  @Test
  void aDeadGenerationsShardsAreRewrittenAFewAtATimeUntilNoneHoldsOne() {
    CountTable table = new CountTable();
    Map<String, Long> all = pages("shop~1:", 200);
    all.putAll(pages("blog~1:", 50));
    SourceState s = fourShards(table, all);
    DeadGenerations dead = new DeadGenerations(Map.of("shop", 1L));
    GonePrefixes gone = new GonePrefixes(p -> DeadGenerations.Known.deadPrefix(dead, p), p -> false);
    int keys = FoldPlanner.sweep(table, s, dead, gone, 2);
    assertEquals(2, s.dirty.cardinality(), "two shards at most");
    assertTrue(keys > 0 && keys < 200, "the keys of two shards: " + keys);
    assertNotEquals(dead, s.cleanOf);
    s.dirty.clear(); // the fold did not drop them yet: the next pass marks again
    FoldPlanner.sweep(table, s, dead, gone, 8);
    assertEquals(4, s.dirty.cardinality(), "200 pages by hash lie in every shard");
    // What only the journal holds makes no fold due: every fold leaves it out anyway.
    CountTable journal = new CountTable();
    SourceState j = fourShards(journal, pages("blog~1:", 5));
    journal.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, pages("shop~1:", 5)), h -> {});
    assertEquals(0, FoldPlanner.sweep(journal, j, dead, gone, 2));
    assertEquals(0, j.dirty.cardinality());
    // Once the table holds none (the folds installed), the snapshot is clean: no pass any more.
    CountTable clean = new CountTable();
    SourceState t = fourShards(clean, pages("blog~1:", 50));
    assertEquals(0, FoldPlanner.sweep(clean, t, dead, gone, 2));
    assertEquals(dead, t.cleanOf);
  }

  /**
   * A dead generation this node's sites still show (its config view behind) is kept, and the
   * snapshot is not taken as clean of it: a pass a minute later drops it. Before, the pass that
   * kept it marked the snapshot clean and the pages stayed for good.
   */
  @Test
  void aDeadGenerationTheSitesStillShowIsKeptAndLookedAtAgain() {
    CountTable table = new CountTable();
    SourceState s = fourShards(table, pages("shop~1:", 20));
    DeadGenerations dead = new DeadGenerations(Map.of("shop", 1L));
    boolean[] shown = {true};
    GonePrefixes gone = new GonePrefixes(p -> DeadGenerations.Known.deadPrefix(dead, p), p -> shown[0]);
    assertEquals(0, FoldPlanner.sweep(table, s, dead, gone, 32));
    assertNotEquals(dead, s.cleanOf);
    assertEquals(0, s.dirty.cardinality());
    shown[0] = false;
    assertEquals(0, FoldPlanner.sweep(table, s, dead, gone, 32), "not at every check");
    s.heldBackUntil = 0; // a minute later
    assertEquals(20, FoldPlanner.sweep(table, s, dead, gone, 32));
    assertTrue(s.dirty.cardinality() > 0);
  }

  /** Pages of the default site and of live generations are never gone, whatever their names hold. */
  @Test
  void onlyTheDeadGenerationsPrefixIsGone() {
    DeadGenerations dead = new DeadGenerations(Map.of("shop", 1L));
    for (String p : List.of("shop~1:", "shop~01:", "shop~2:", "shop~10:", "blog~1:", "", "~site/")) {
      assertEquals(p.equals("shop~1:"), DeadGenerations.Known.deadPrefix(dead, p), p);
    }
    CountTable table = new CountTable();
    SourceState s = fourShards(table, Map.of("shop~1:/x", 1L, "shop~2:/x", 1L, "shop~10:/x", 1L, "/shop~1:/x", 1L, "home", 1L));
    GonePrefixes gone = new GonePrefixes(p -> DeadGenerations.Known.deadPrefix(dead, p), p -> false);
    assertEquals(1, FoldPlanner.sweep(table, s, dead, gone, 32), "only shop~1:/x");
    var collected = table.collect("us-west", List.of(new long[] {0, 0}), gone).get(0).byPage();
    assertEquals(java.util.Set.of("shop~2:/x", "shop~10:/x", "/shop~1:/x", "home"), collected.keySet());
  }

  private static final StoreSettings SMALL = new StoreSettings(16 * 1024, 0, 1.0, 10, 1 << 20, java.time.Duration.ofMillis(50), 200,
      java.time.Duration.ofMillis(100), java.time.Duration.ofHours(1), java.time.Duration.ofHours(1), java.time.Duration.ofHours(1), java.time.Duration.ofHours(1));

  private static hitcounter.store.Collected range(long lo, long hi, int firstSlot, int pages) {
    int[] slots = new int[pages];
    long[] hits = new long[pages];
    for (int i = 0; i < pages; i++) {
      slots[i] = firstSlot + i;
      hits[i] = 1;
    }
    return new hitcounter.store.Collected(lo, hi, slots, hits, new int[0], i -> null, Map.of(),
        slot -> "p-" + Long.toHexString(hitcounter.store.PageHash.of("seed" + slot))); // names that do not compress much
  }

  /**
   * Shards a delete left small merge: a fold that rewrites a small shard takes its small
   * neighbour along, and adjacent rewritten ranges that are small together become one shard.
   * Before, a snapshot kept its high-water count of shards for good (a big site deleted left
   * hundreds of near-empty shard keys).
   */
  @Test
  void smallNeighbouringShardsMergeWhenOneIsRewritten() {
    CountTable table = new CountTable();
    SourceState s = fourShards(table, pages("blog~1:", 8));
    s.manifest = new Manifest(1, Map.of(), 0, List.of(
        new Manifest.Shard(0, "s0", 100_000, 10), new Manifest.Shard(1L << 62, "s1", 300, 10), new Manifest.Shard(2L << 62, "s2", 200, 10),
        new Manifest.Shard(3L << 62, "s3", 100_000, 10)));
    s.dirty.set(1);
    s.unfoldedEntries = 1000;
    FoldInput in = FoldPlanner.collect(table, s, SMALL);
    assertEquals(List.of(1, 2), in.rewritten(), "the small shard takes its small neighbour, not the big ones");

    FoldInput three = new FoldInput(true, "test", "us-west", s.manifest, "m", 1, Map.of(), List.of(1, 2),
        List.of(range(1L << 62, 2L << 62, 0, 3), range(2L << 62, 3L << 62, 3, 3)), List.of(), Map.of(), 0, Map.of());
    FoldPlanner.Plan plan = FoldPlanner.plan(three, 16 * 1024, "n");
    assertEquals(3, plan.manifest().shards().size(), "s0, the merged one, s3");
    Manifest.Shard merged = plan.manifest().shards().get(1);
    assertEquals(1L << 62, merged.lo());
    assertEquals(6, merged.pages());
    assertEquals(1, plan.shards().size());
    assertTrue(plan.garbage().containsAll(List.of("s1", "s2")));
    // Ranges that are not adjacent stay apart; so do ranges too big to merge.
    FoldInput apart = new FoldInput(true, "test", "us-west", s.manifest, "m", 1, Map.of(), List.of(0, 2),
        List.of(range(0, 1L << 62, 0, 3), range(2L << 62, 3L << 62, 3, 3)), List.of(), Map.of(), 0, Map.of());
    assertEquals(4, FoldPlanner.plan(apart, 16 * 1024, "n").manifest().shards().size());
    FoldInput big = new FoldInput(true, "test", "us-west", s.manifest, "m", 1, Map.of(), List.of(1, 2),
        List.of(range(1L << 62, 2L << 62, 0, 3), range(2L << 62, 3L << 62, 3, 5000)), List.of(), Map.of(), 0, Map.of());
    Manifest.Shard small = FoldPlanner.plan(big, 16 * 1024, "n").manifest().shards().get(1);
    assertEquals(1L << 62, small.lo());
    assertEquals(3, small.pages(), "a range of 5,000 pages is no small shard: nothing merges into it");
    // The last range (to the end of the hash space) merges with the one before it.
    FoldInput last = new FoldInput(true, "test", "us-west", s.manifest, "m", 1, Map.of(), List.of(2, 3),
        List.of(range(2L << 62, 3L << 62, 0, 3), range(3L << 62, 0, 3, 3)), List.of(), Map.of(), 0, Map.of());
    List<Manifest.Shard> after = FoldPlanner.plan(last, 16 * 1024, "n").manifest().shards();
    assertEquals(3, after.size());
    assertEquals(6, after.get(2).pages());
  }
}
