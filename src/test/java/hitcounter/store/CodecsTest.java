package hitcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CodecsTest {
  @Test
  void countsRoundTripAndSharedPrefixesCompress() {
    TreeMap<String, Long> counts = new TreeMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.put("news-2026-11-" + (i % 30) + "-story-" + i, (long) (i * 7 % 1000 + 1));
    }
    byte[] v = CountsCodec.encode(CountsCodec.SHARD, counts);
    assertEquals(counts, CountsCodec.decode(CountsCodec.SHARD, v));
    long raw = counts.keySet().stream().mapToLong(k -> k.length() + 3).sum();
    assertTrue(v.length < raw / 3, v.length + " bytes for " + raw + " raw");
  }

  @Test
  void aValueOfAnotherKindOrGarbageIsRefused() {
    byte[] entry = CountsCodec.encode(CountsCodec.ENTRY, Map.of("a", 1L));
    assertThrows(CountsCodec.BadValue.class, () -> CountsCodec.decode(CountsCodec.SHARD, entry));
    assertThrows(CountsCodec.BadValue.class, () -> CountsCodec.decode(CountsCodec.ENTRY, "not json {{{".getBytes(StandardCharsets.UTF_8)));
    byte[] random = new byte[300];
    new Random(1).nextBytes(random);
    random[0] = CountsCodec.ENTRY;
    random[1] = 1;
    assertThrows(CountsCodec.BadValue.class, () -> CountsCodec.decode(CountsCodec.ENTRY, random));
  }

  @Test
  void idRangesAreCompactAndExact() {
    assertEquals("1-3,7,9-10", IdRanges.format(List.of(10L, 1L, 2L, 3L, 7L, 9L)));
    assertEquals(Set.of(1L, 2L, 3L, 7L, 9L, 10L), IdRanges.parse("1-3,7,9-10"));
    assertEquals("", IdRanges.format(List.of()));
    assertThrows(IllegalArgumentException.class, () -> IdRanges.parse("5-1"));
  }

  @Test
  void headsAndManifestsRoundTripAndGarbageIsEmpty() {
    QueueHead h = new QueueHead(12, 3400, 99, Map.of("abc", Set.of(5L, 6L, 7L), "-", Set.of(1L)), 123);
    assertEquals(h, QueueHead.parse(h.toBytes()).orElseThrow());
    assertTrue(QueueHead.parse("not json {{{".getBytes(StandardCharsets.UTF_8)).isEmpty());
    assertTrue(QueueHead.parse("{\"v\":1,\"seq\":\"x\"}".getBytes(StandardCharsets.UTF_8)).isEmpty());
    Manifest m = new Manifest(3, Map.of("q0", new Manifest.Folded(10, 500)), 7,
        List.of(new Manifest.Shard(0, "k0", 10, 1), new Manifest.Shard(Long.MIN_VALUE, "k1", 20, 2)));
    assertEquals(m, Manifest.parse(m.toBytes()).orElseThrow());
    assertEquals(0, m.shardOf(5));
    assertEquals(1, m.shardOf(-1L));
    assertTrue(Manifest.parse("[]".getBytes(StandardCharsets.UTF_8)).isEmpty());
  }

  @Test
  void theTableSumsBaseAndPendingAndInstallsSnapshotsAtomically() {
    CountTable t = new CountTable();
    t.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 3L, "about", 1L)), h -> {});
    t.addEntry("eu-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("home", 2L)), h -> {});
    assertEquals(Map.of("us-west", 3L, "eu-west", 2L), t.countsOf("home"));
    // A fold of us-west: the snapshot holds home=3, about=1; one new entry came after it.
    t.clearStaged("us-west");
    t.stageShard("us-west", CountsCodec.encode(CountsCodec.SHARD, Map.of("home", 3L, "about", 1L)));
    t.commitSnapshot("us-west", List.of(new long[] {0, 0}), List.of(new CountsCodec.Decoded(new java.util.TreeMap<>(Map.of("home", 1L)), Map.of())), h -> {});
    assertEquals(Map.of("us-west", 4L, "eu-west", 2L), t.countsOf("home"));
    assertEquals(1L, t.countsOf("about").get("us-west"));
    List<TableListings.Row> top = t.listings().top("", 10, null);
    assertEquals("home", top.get(0).page());
    assertEquals(6L, top.get(0).total());
    assertEquals(List.of("about"), t.listings().top("", 1, new TableListings.Cursor(6, "home")).stream().map(TableListings.Row::page).toList());
    assertEquals(1, t.listings().count("ab"));
  }

  /** A shard of pages the table has not seen grows its arrays while staging (found by SlowCopyIT: the staged write went to the array before it grew). */
  @Test
  void aSnapshotOfPagesNeverSeenGrowsTheTable() {
    CountTable t = new CountTable();
    java.util.TreeMap<String, Long> pages = new java.util.TreeMap<>();
    for (int i = 0; i < 5000; i++) {
      pages.put("p" + i, (long) i + 1);
    }
    t.clearStaged("us-west");
    t.stageShard("us-west", CountsCodec.encode(CountsCodec.SHARD, pages));
    t.commitSnapshot("us-west", List.of(new long[] {0, 0}), List.of(), h -> {});
    assertEquals(5000, t.size());
    assertEquals(Map.of("us-west", 4999L), t.countsOf("p4998"));
    assertEquals(5000L * 5001 / 2, t.listings().sums().get("us-west"));
  }

  /**
   * What a manifest says of archived queues names entries by epoch: a head of the same queue
   * written again after the archive (a new epoch, seqs from 1) is not covered, one archived
   * twice is covered by either archive, and the record survives its bytes.
   */
  @Test
  void archivesNameTheirEntriesByEpoch() {
    QueueHead first = new QueueHead(100, 500, 0, Map.of(), 0, List.of(new QueueHead.Epoch("e1", 1)));
    QueueHead second = new QueueHead(7, 30, 0, Map.of(), 0, List.of(new QueueHead.Epoch("e2", 1)));
    var archived = Manifest.archivedWith(Map.of(), Map.of("q0", new Manifest.Archived(100, first.epochs(), 1)));
    archived = Manifest.archivedWith(archived, Map.of("q0", new Manifest.Archived(7, second.epochs(), 2)));
    Manifest m = new Manifest(3, Map.of(), 530, List.of(), archived);
    assertEquals(m, Manifest.parse(m.toBytes()).orElseThrow());
    assertTrue(m.archiveCovers("q0", first), "the first archive's head");
    assertTrue(m.archiveCovers("q0", new QueueHead(60, 300, 0, Map.of(), 0, first.epochs())), "a copy behind it");
    assertTrue(m.archiveCovers("q0", second), "the second archive's head");
    QueueHead resumed = new QueueHead(1, 1, 0, Map.of(), 0, List.of(new QueueHead.Epoch("e3", 1)));
    assertTrue(!m.archiveCovers("q0", resumed), "a head written after the archives is live");
    assertTrue(!m.archiveCovers("q1", first));
  }
}
