package hitcounter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reset records folded into their datacenter's shards (decision 0019): when, and that every reader sees the same resets. */
class ResetFoldTest {
  private static final Duration AFTER = Duration.ofMinutes(10);
  private static final long NOW = 10 * 3_600_000L;
  private static final ResetRecord HOME = new ResetRecord(Map.of("us-west", 120L, "eu-west", 44L), 0, 1000);
  private static final ResetRecord ABOUT = new ResetRecord(Map.of("us-west", 7L), 2000, 0);

  private static KvEntry record(String dc, String id, ResetRecord r, long index) {
    return new KvEntry(ResetRecord.key(dc, id), r.bytes(), index);
  }

  private static KvEntry shard(String dc, Map<String, ResetRecord> records, long index) {
    String id = records.keySet().iterator().next();
    return new KvEntry(ResetShards.key(dc, ResetShards.shardOf(id)), ResetShards.bytes(records), index);
  }

  /** What the reset view makes of a prefix: records and shards merged per page. */
  private static Map<String, ResetRecord> view(String dc, List<KvEntry> entries) {
    return ResetFold.holdings(dc, entries);
  }

  /** {@code entries} after the transactions of {@code plan} (all committed). */
  private static List<KvEntry> apply(List<KvEntry> entries, ResetFold.Plan plan) {
    Map<String, KvEntry> out = new HashMap<>();
    entries.forEach(e -> out.put(e.key(), e));
    long index = 1000;
    for (List<TxnOp> txn : plan.txns()) {
      for (TxnOp op : txn) {
        switch (op.verb()) {
          case CAS -> out.put(op.key(), new KvEntry(op.key(), op.value(), ++index));
          case DELETE_CAS -> out.remove(op.key());
          default -> { }
        }
      }
    }
    return new ArrayList<>(out.values());
  }

  @Test
  void recordsAtRestThatEveryDatacenterHoldsFoldIntoShardsAndTheResetsStayTheSame() {
    List<KvEntry> local = List.of(record("us-west", "home", HOME, 5), record("us-west", "blog~1:/a b", ABOUT, 6), record("eu-west", "x", HOME, 7));
    Map<String, List<KvEntry>> copies = Map.of("eu-west", List.of(record("us-west", "home", HOME, 50), record("us-west", "blog~1:/a b", ABOUT, 51)));
    var plan = ResetFold.plan("us-west", local, copies, e -> 0, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(2, plan.folded());
    List<KvEntry> after = apply(local, plan);
    assertEquals(view("us-west", local), view("us-west", after));
    assertTrue(after.stream().noneMatch(e -> e.key().equals(ResetRecord.key("us-west", "home"))), "the record went");
    assertTrue(after.stream().anyMatch(e -> e.key().equals(ResetRecord.key("eu-west", "x"))), "another datacenter's records are its own keeper's");
    assertTrue(after.stream().allMatch(e -> !e.key().startsWith(ResetRecord.prefix("us-west")) || ResetShards.isShard(e.key())));
    for (List<TxnOp> txn : plan.txns()) {
      assertEquals(TxnOp.Verb.CAS, txn.get(0).verb());
      assertEquals(0, txn.get(0).index(), "a new shard: created only if still absent");
    }
    // Folded again with nothing new: nothing to do.
    assertTrue(ResetFold.plan("us-west", after, copies, e -> 0, NOW, AFTER, TxnOp.MAX_OPS).txns().isEmpty());
  }

  @Test
  void aRecordStaysWhileItChangedLatelyOrAnotherDatacenterLacksIt() {
    List<KvEntry> local = List.of(record("us-west", "home", HOME, 5), record("us-west", "about", ABOUT, 6));
    ResetRecord older = new ResetRecord(Map.of("us-west", 100L), 0, 500);
    Map<String, List<KvEntry>> copies = Map.of("eu-west", List.of(record("us-west", "home", older, 50), record("us-west", "about", ABOUT, 51)));
    var plan = ResetFold.plan("us-west", local, copies, e -> e.key().endsWith("about") ? NOW - 1000 : 0, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(0, plan.folded(), "home: eu-west has an older record only; about: changed a second ago");
    assertTrue(plan.txns().isEmpty());
    // eu-west holds home in its copy of the shard: that is holding it.
    Map<String, List<KvEntry>> shardThere = Map.of("eu-west", List.of(shard("us-west", Map.of("home", HOME), 60)));
    assertEquals(1, ResetFold.plan("us-west", local, shardThere, e -> 0, NOW, AFTER, TxnOp.MAX_OPS).folded());
  }

  @Test
  void aRecordItsShardCoversIsDeletedAtOnceAndAShardThatDoesNotReadIsNeverWritten() {
    KvEntry s = shard("us-west", Map.of("home", HOME), 40);
    List<KvEntry> local = new ArrayList<>(List.of(s, record("us-west", "home", HOME, 41)));
    var plan = ResetFold.plan("us-west", local, Map.of(), e -> NOW, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(1, plan.txns().size());
    assertEquals(List.of(TxnOp.Verb.CHECK_INDEX, TxnOp.Verb.DELETE_CAS), plan.txns().get(0).stream().map(TxnOp::verb).toList());
    assertEquals(40, plan.txns().get(0).get(0).index());
    local.set(0, new KvEntry(s.key(), "not json".getBytes(StandardCharsets.UTF_8), 40));
    assertTrue(ResetFold.plan("us-west", local, Map.of(), e -> 0, NOW, AFTER, TxnOp.MAX_OPS).txns().isEmpty());
  }

  @Test
  void aFullShardTakesNoMoreRecordsAndATransactionStaysUnder64Operations() {
    List<KvEntry> local = new ArrayList<>();
    for (int i = 0; i < 20_000 && local.size() < 100; i++) {
      if (ResetShards.shardOf("p" + i) == 3) {
        local.add(record("us-west", "p" + i, HOME, i + 1));
      }
    }
    var plan = ResetFold.plan("us-west", local, Map.of(), e -> 0, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(1, plan.txns().size());
    assertEquals(TxnOp.MAX_OPS, plan.txns().get(0).size());
    assertEquals(TxnOp.MAX_OPS - 1, plan.folded(), "the rest next round");
    // A shard near its size takes nothing more.
    Map<String, ResetRecord> big = new HashMap<>();
    int perRecord = ResetShards.bytes(Map.of("q000000", HOME, "q000001", HOME)).length - ResetShards.bytes(Map.of("q000000", HOME)).length;
    int i = 0;
    for (; big.size() < (ResetShards.MAX_SHARD_BYTES - 2 * perRecord) / perRecord; i++) {
      String id = String.format("q%06d", i);
      if (ResetShards.shardOf(id) == 3) {
        big.put(id, HOME);
      }
    }
    for (; ; i++) { // then up to the last byte a short entry could take
      String id = String.format("%d", i);
      if (ResetShards.shardOf(id) == 3) {
        Map<String, ResetRecord> more = new HashMap<>(big);
        more.put(id, HOME);
        if (ResetShards.bytes(more).length > ResetShards.MAX_SHARD_BYTES) {
          break;
        }
        big = more;
      }
    }
    assertTrue(ResetShards.bytes(big).length <= ResetShards.MAX_SHARD_BYTES);
    local.add(new KvEntry(ResetShards.key("us-west", 3), ResetShards.bytes(big), 9999));
    var full = ResetFold.plan("us-west", local, Map.of(), e -> 0, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(0, full.folded());
    assertTrue(full.full() > 0);
  }

  @Test
  void copiesOfFoldedRecordsLeaveOtherDatacentersOnceTheirShardsCoverThem() {
    ResetRecord newer = new ResetRecord(Map.of("us-west", 130L, "eu-west", 44L), 0, 3000);
    List<KvEntry> source = List.of(shard("us-west", Map.of("home", HOME), 10), record("us-west", "about", ABOUT, 11));
    List<KvEntry> target = List.of(record("us-west", "home", HOME, 20), record("us-west", "about", ABOUT, 21), record("us-west", "blog", newer, 22));
    List<TxnOp> stale = ResetFold.staleCopies("us-west", source, target);
    assertEquals(List.of(TxnOp.deleteCas(ResetRecord.key("us-west", "home"), 20)), stale,
        "about is still a record at the source (its own fold); blog is not covered (a restore at the source took it: merged back)");
    // The merge back brings blog home, and nothing the shards cover.
    List<TxnOp> back = ResetFold.back("us-west", target, source);
    assertEquals(List.of(ResetRecord.key("us-west", "blog")), back.stream().map(TxnOp::key).toList());
  }

  @Test
  void shardsMergePerPageInCopies() {
    ResetRecord lowered = HOME.lower("us-west", 3);
    byte[] a = ResetShards.bytes(Map.of("home", HOME, "about", ABOUT));
    byte[] b = ResetShards.bytes(Map.of("home", lowered));
    Map<String, ResetRecord> m = ResetShards.parse(hitcounter.config.ResetShards.merged(a, b));
    assertEquals(Map.of("home", lowered, "about", ABOUT), m, "a lowering wins over the baseline it lowered");
    assertNull(hitcounter.config.ResetShards.merged(b, ResetShards.bytes(m)), "not behind: not written");
    assertEquals(HOME, ResetRecord.parse(hitcounter.config.ResetShards.merged(HOME.bytes(), null)).orElseThrow(), "records merge as before");
  }

  @Test
  void pagesOfASiteEveryDatacenterSawDeletedLeaveRecordsShardsCopiesAndMergesBack() {
    DeadGenerations dead = DeadGenerations.seenByAll(List.of(
        hitcounter.infra.Json.mapper().createObjectNode().set("blog", hitcounter.infra.Json.mapper().createObjectNode().put("generation", 2).put("deleted", true)),
        hitcounter.infra.Json.mapper().createObjectNode().set("blog", hitcounter.infra.Json.mapper().createObjectNode().put("generation", 2).put("deleted", true))));
    assertTrue(dead.dead("blog~1:home") && dead.dead("blog~2:/a") && !dead.dead("blog~3:home") && !dead.dead("home") && !dead.dead("shop~1:home"));
    String gone = "blog~2:home";
    String kept = "shop~1:home";
    KvEntry shard = new KvEntry(ResetShards.key("us-west", ResetShards.shardOf(gone)), ResetShards.bytes(Map.of(gone, HOME)), 40);
    List<KvEntry> local = List.of(shard, record("us-west", "blog~1:about", ABOUT, 41), record("us-west", kept, HOME, 42));
    var plan = ResetFold.plan("us-west", local, Map.of(), e -> NOW, NOW, AFTER, TxnOp.MAX_OPS, dead);
    List<KvEntry> after = apply(local, plan);
    Map<String, ResetRecord> held = view("us-west", after);
    assertEquals(Map.of(kept, HOME), held, "the deleted site's record and shard entry went, at once; shop's record waits for its fold");
    assertEquals(2, plan.dropped());
    // A copy elsewhere that still holds them: its records go, its shard is written without them, nothing comes back.
    List<KvEntry> copy = List.of(new KvEntry(shard.key(), ResetShards.bytes(Map.of(gone, HOME)), 70), record("us-west", "blog~1:about", ABOUT, 71));
    assertEquals(List.of(TxnOp.deleteCas(ResetRecord.key("us-west", "blog~1:about"), 71)), ResetFold.staleCopies("us-west", after, copy, dead));
    assertTrue(ResetFold.back("us-west", copy, after, dead).stream().allMatch(op -> ResetShards.parse(op.value()).isEmpty()),
        "the copy's shard merged back holds none of them");
    byte[] rewritten = ResetShards.merged(after.stream().filter(e -> e.key().equals(shard.key())).findFirst().orElseThrow().value(), copy.get(0).value(), dead);
    assertEquals(Map.of(), ResetShards.parse(rewritten), "the copy is written without them");
    // Not yet seen deleted by every datacenter: nothing is dead.
    DeadGenerations notAll = DeadGenerations.seenByAll(List.of(
        hitcounter.infra.Json.mapper().createObjectNode().set("blog", hitcounter.infra.Json.mapper().createObjectNode().put("generation", 2).put("deleted", true)),
        hitcounter.infra.Json.mapper().createObjectNode().set("blog", hitcounter.infra.Json.mapper().createObjectNode().put("generation", 2))));
    assertTrue(notAll.dead("blog~1:home") && !notAll.dead("blog~2:home"), "generation 2 lives on where the delete has not arrived");
  }

  @Test
  void aRecordTheViewWouldSkipIsNeverFoldedAndABadShardStopsOnlyItself() {
    String good = "home";
    String other = null;
    for (int i = 0; other == null; i++) {
      if (ResetShards.shardOf("p" + i) != ResetShards.shardOf(good)) {
        other = "p" + i;
      }
    }
    KvEntry badRecord = new KvEntry(ResetRecord.prefix("us-west") + "a!20b", HOME.bytes(), 5);
    KvEntry badShard = new KvEntry(ResetShards.key("us-west", ResetShards.shardOf(good)), "{\"pages\": {\"home\": 7}}".getBytes(StandardCharsets.UTF_8), 6);
    List<KvEntry> local = List.of(badRecord, badShard, record("us-west", good, HOME, 7), record("us-west", other, HOME, 8));
    var plan = ResetFold.plan("us-west", local, Map.of(), e -> 0, NOW, AFTER, TxnOp.MAX_OPS);
    assertEquals(1, plan.folded(), "only the record whose shard reads: " + plan);
    assertEquals(ResetShards.key("us-west", ResetShards.shardOf(other)), plan.txns().get(0).get(0).key());
    // A copy whose shard does not read: none of its records that shard would hold goes.
    List<KvEntry> source = List.of(shard("us-west", Map.of(good, HOME), 10));
    List<KvEntry> target = List.of(badShard, record("us-west", good, HOME, 20));
    assertTrue(ResetFold.staleCopies("us-west", source, target).isEmpty());
    // The view keeps the rest of a shard with one bad entry.
    List<String> bad = new ArrayList<>();
    Map<String, ResetRecord> read = ResetShards.parseEach(("{\"pages\": {\"home\": " + HOME.toJson() + ", \"a b\": " + HOME.toJson() + "}}")
        .getBytes(StandardCharsets.UTF_8), bad::add);
    assertEquals(Map.of("home", HOME), read);
    assertEquals(List.of("a b"), bad);
  }

  @Test
  void aPageCalledTildeWatchIsNoWatchMarker() {
    assertEquals("hitcounter/resets/us-west/!7Ewatch", ResetRecord.key("us-west", "~watch"));
    assertEquals("~watch", ResetRecord.countedIdOf(ResetRecord.key("us-west", "~watch")));
    assertEquals("a~b", ResetRecord.countedIdOf(ResetRecord.key("us-west", "a~b")));
  }
}
