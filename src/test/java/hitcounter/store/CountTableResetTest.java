package hitcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.ResetRecord;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CountTableResetTest {
  private static byte[] entry(Map<String, Long> counts) {
    return CountsCodec.encode(CountsCodec.ENTRY, new TreeMap<>(counts));
  }

  @Test
  void aResetShowsOnlyWhatWasCountedAfterWhatItSaw() {
    CountTable t = new CountTable();
    t.addEntry("us-west", entry(Map.of("home", 10L, "about", 3L)), h -> {});
    t.addEntry("eu-west", entry(Map.of("home", 4L)), h -> {});
    // us-west resets home seeing us-west 10, eu-west 4.
    t.setBaselines("home", Map.of("us-west", 10L, "eu-west", 4L));
    assertEquals(Map.of("eu-west", 0L, "us-west", 0L), t.countsOf("home"));
    // eu-west counted 2 more it had not shown us-west (cut off), us-west 1 after the reset.
    t.addEntry("eu-west", entry(Map.of("home", 2L)), h -> {});
    t.addEntry("us-west", entry(Map.of("home", 1L)), h -> {});
    assertEquals(3, t.totalOf("home"));
    assertEquals(Map.of("eu-west", 6L, "us-west", 11L), t.rawCountsOf("home"), "the counts themselves are untouched");
    assertEquals(List.of("about", "home"), t.listings().top("", 10, null).stream().map(TableListings.Row::page).sorted().toList());
    assertEquals(6, t.listings().sum("", false));
  }

  @Test
  void theTablesFiguresLeaveOutDeletedSitesPagesWhoseResetsMayBeGone() {
    CountTable t = new CountTable();
    t.addEntry("us-west", entry(Map.of("home", 10L, "blog~1:home", 7L, "blog~2:home", 2L)), h -> {});
    t.setBaselines("blog~1:home", Map.of("us-west", 7L)); // a node that still knows the reset (a restarted one does not)
    java.util.function.Predicate<String> shown = prefix -> !prefix.equals("blog~1:");
    assertEquals(Map.of("us-west", 12L), t.listings().sums(shown));
    assertEquals(2, t.listings().size(shown));
    assertEquals(Map.of("us-west", 12L), t.listings().sums(), "all pages: the reset one shows 0 here");
  }

  @Test
  void aFoldStillWritesTheCountsNotWhatIsShown() {
    CountTable t = new CountTable();
    t.addEntry("us-west", entry(Map.of("home", 10L)), h -> {});
    t.setBaselines("home", Map.of("us-west", 10L));
    var collected = t.collect("us-west", List.of(new long[] {0, 0}));
    assertEquals(List.of(10L), collected.get(0).counts());
  }

  @Test
  void aResetThatArrivesBeforeTheCountsItSawStillMasksThem() {
    CountTable t = new CountTable();
    t.setBaselines("late", Map.of("eu-west", 7L));
    t.addEntry("eu-west", entry(Map.of("late", 9L)), h -> {});
    assertEquals(2, t.totalOf("late"));
    assertEquals(0, t.listings().count("", false) - 1, "one page with a total");
  }

  @Test
  void aDeletedPageWithNothingSinceIsLeftOutOfListings() {
    CountTable t = new CountTable();
    t.addEntry("us-west", entry(Map.of("junk", 5L, "keep", 1L)), h -> {});
    t.setBaselines("junk", Map.of("us-west", 5L));
    assertEquals(List.of("keep"), t.listings().top("", 10, null).stream().map(TableListings.Row::page).toList());
    assertEquals(Map.of("", 1), t.listings().pagesBySite());
  }

  @Test
  void resetRecordsMergeByMaxWhateverTheOrder() {
    ResetRecord a = new ResetRecord(Map.of("us-west", 10L, "eu-west", 4L), 0, 1000);
    ResetRecord b = new ResetRecord(Map.of("eu-west", 6L), 2000, 0);
    ResetRecord ab = a.merge(b);
    assertEquals(ab, b.merge(a));
    assertEquals(Map.of("us-west", 10L, "eu-west", 6L), ab.baselines());
    assertTrue(ab.deleted(), "the delete came last");
    assertEquals(ab, ResetRecord.parse(ab.bytes()).orElseThrow());
    assertEquals(null, hitcounter.config.ResetShards.merged(a.bytes(), a.bytes()), "nothing to copy when the copy holds it");
    assertEquals(ab, ResetRecord.parse(hitcounter.config.ResetShards.merged(b.bytes(), a.bytes())).orElseThrow());
  }

  @Test
  void theCachedTotalsFollowEveryWrite() {
    CountTable t = new CountTable();
    t.addEntry("us-west", entry(Map.of("a", 1L)), h -> {});
    assertEquals(1, t.listings().sum("", false));
    assertEquals(1, t.listings().sum("", false), "read twice at rest: the same");
    t.addEntry("eu-west", entry(Map.of("a", 2L, "b", 5L)), h -> {});
    assertEquals(List.of("b", "a"), t.listings().top("", 10, null).stream().map(TableListings.Row::page).toList());
    t.setBaselines("b", Map.of("eu-west", 5L));
    assertEquals(List.of("a"), t.listings().top("", 10, null).stream().map(TableListings.Row::page).toList());
    t.clear("eu-west");
    assertEquals(1, t.listings().sum("", false));
  }

  @Test
  void pagesAreCountedPerSite() {
    CountTable t = new CountTable();
    t.addEntry("us-west", entry(Map.of("blog~1:a", 1L, "blog~1:b", 2L, "shop~3:x", 1L, "home", 4L)), h -> {});
    assertEquals(Map.of("", 1, "blog~1:", 2, "shop~3:", 1), t.listings().pagesBySite());
    assertEquals(List.of("home"), t.listings().top("", true, 10, null).stream().map(TableListings.Row::page).toList());
    assertEquals(2, t.listings().count("blog~1:", false));
  }
}
