package hitcounter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Edits of the sites in two datacenters that did not see each other (decision 0016): each is
 * made on what its datacenter knew, and every order of merging the two writes gives one outcome.
 */
class EntryMergeTest {
  static JsonNode json(String s) {
    try {
      return Json.mapper().readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static final VersionedValue BEFORE = new VersionedValue(json("{'blog': {'generation': 1}, 'shop': {'generation': 2}}"), 3, 1000, "us-west");

  /** Both datacenters start from BEFORE (us-west's write, copied), edit, and write their slot. */
  static VersionedValue edit(String dc, long at, java.util.function.UnaryOperator<ObjectNode> change) {
    List<VersionedValue> known = List.of(BEFORE);
    ObjectNode merged = EntryMerge.merge(known);
    ObjectNode value = EntryMerge.stamp(known, merged, change.apply(merged.deepCopy()), at, dc);
    return new VersionedValue(value, 4, at, dc);
  }

  /** A datacenter's edit of one site's {@code maxPages}, made on the merge of BEFORE. */
  static VersionedValue maxPages(String dc, long at, String site, int n) {
    return edit(dc, at, d -> {
      ((ObjectNode) d.get(site)).put("maxPages", n);
      return d;
    });
  }

  static ObjectNode mergedEveryWay(VersionedValue a, VersionedValue b) {
    List<VersionedValue> writes = new ArrayList<>(List.of(BEFORE, a, b));
    ObjectNode first = EntryMerge.merge(writes);
    Collections.reverse(writes);
    assertEquals(first, EntryMerge.merge(writes), "the order writes arrive in changes nothing");
    return first;
  }

  static ObjectNode tomb(ObjectNode doc, String name) {
    ObjectNode t = doc.putObject(name);
    t.put("deleted", true);
    t.put("generation", 1);
    return doc;
  }

  @Test
  void aDeleteInOneDatacenterAndACreateInTheOtherBothHold() {
    VersionedValue us = edit("us-west", 2000, d -> tomb(d, "blog"));
    VersionedValue eu = edit("eu-west", 2001, d -> {
      d.putObject("news").put("generation", 1);
      return d;
    });
    ObjectNode m = mergedEveryWay(us, eu);
    assertTrue(m.path("blog").path("deleted").asBoolean(), m.toString());
    assertEquals(1, m.path("news").path("generation").asLong(), m.toString());
    assertEquals(2, m.path("shop").path("generation").asLong());
    // whole-value last-writer-wins would have lost the delete: eu-west's write is the later
    assertFalse(eu.value().path("blog").path("deleted").asBoolean());
  }

  @Test
  void twoCreatesBothHold() {
    VersionedValue us = edit("us-west", 2000, d -> {
      d.putObject("a").put("generation", 1);
      return d;
    });
    VersionedValue eu = edit("eu-west", 2000, d -> {
      d.putObject("b").put("generation", 1);
      return d;
    });
    ObjectNode m = mergedEveryWay(us, eu);
    assertTrue(m.has("a") && m.has("b"), m.toString());
  }

  @Test
  void anEditOfADeletedSiteNeverBringsItBackAtItsGeneration() {
    VersionedValue us = edit("us-west", 2000, d -> tomb(d, "blog"));
    VersionedValue eu = edit("eu-west", 9000, d -> {
      ((ObjectNode) d.get("blog")).put("pattern", "[a-z]+"); // later, and a higher stamp would not matter
      return d;
    });
    ObjectNode m = mergedEveryWay(us, eu);
    assertTrue(m.path("blog").path("deleted").asBoolean(), "delete wins at one generation: " + m);
    // Created again after the delete (next generation): live.
    List<VersionedValue> after = List.of(BEFORE, us, eu);
    ObjectNode merged = EntryMerge.merge(after);
    ObjectNode again = merged.deepCopy();
    ObjectNode blog = again.putObject("blog");
    blog.put("generation", 2);
    VersionedValue recreated = new VersionedValue(EntryMerge.stamp(after, merged, again, 10_000, "eu-west"), 5, 10_000, "eu-west");
    ObjectNode m2 = EntryMerge.merge(List.of(BEFORE, us, eu, recreated));
    assertFalse(m2.path("blog").path("deleted").asBoolean(), m2.toString());
    assertEquals(2, m2.path("blog").path("generation").asLong());
  }

  @Test
  void twoEditsOfOneSiteSettleTheSameEverywhereAndTheOneThatLostCanSeeIt() {
    VersionedValue us = maxPages("us-west", 2000, "shop", 10);
    VersionedValue eu = maxPages("eu-west", 2500, "shop", 20);
    ObjectNode m = mergedEveryWay(us, eu);
    assertEquals(20, m.path("shop").path("maxPages").asLong(), "the later edit of one entry wins: " + m);
    assertEquals("eu-west", m.path("shop").path(EntryMerge.WRITTEN).path("dc").asText());
    assertEquals(2500, m.path("shop").path(EntryMerge.WRITTEN).path("version").asLong(), "a hybrid clock: the time, above what it was made on");
  }

  @Test
  void writesFromBeforeStampsMergeByTheirWrite() {
    VersionedValue old = new VersionedValue(json("{'blog': {'generation': 1, 'maxPages': 5}}"), 7, 500, "eu-west");
    ObjectNode m = EntryMerge.merge(List.of(BEFORE, old));
    assertEquals(5, m.path("blog").path("maxPages").asLong(), "the higher write version wins an unstamped entry");
    assertEquals(2, m.path("shop").path("generation").asLong(), "and entries only one write has stay");
  }

  @Test
  void anEntryLeftOutOfAWholeWriteBecomesATombstone() {
    List<VersionedValue> known = List.of(BEFORE);
    ObjectNode merged = EntryMerge.merge(known);
    ObjectNode value = EntryMerge.stamp(known, merged, json("{'shop': {'generation': 2}}"), 5000, "us-west");
    assertTrue(value.path("blog").path("deleted").asBoolean(), value.toString());
    assertEquals(merged.get("shop"), value.get("shop"), "an entry the edit did not change keeps its stamp");
  }

  // Found in review: an entry from before stamps, copied into another datacenter's write of
  // another entry, took that write's stamp and undid an edit of it made elsewhere.
  @Test
  void anUnstampedEntryCopiedIntoAnotherEditKeepsItsOwnStamp() {
    VersionedValue eu = maxPages("eu-west", 2500, "shop", 20);
    VersionedValue us = maxPages("us-west", 2600, "blog", 7);
    ObjectNode m = mergedEveryWay(us, eu);
    assertEquals(20, m.path("shop").path("maxPages").asLong(), "eu-west's edit of shop holds: " + m);
    assertEquals(7, m.path("blog").path("maxPages").asLong(), "us-west's edit of blog holds: " + m);
  }

  // Found in review: an edit made later on a copy that had not seen two earlier edits lost to
  // them (versions counted edits seen, not time).
  @Test
  void anEditMadeLaterWinsEvenOnACopyThatMissedEarlierOnes() {
    List<VersionedValue> known = List.of(BEFORE);
    ObjectNode merged = EntryMerge.merge(known);
    ObjectNode first = merged.deepCopy();
    ((ObjectNode) first.get("shop")).put("maxPages", 1);
    VersionedValue eu1 = new VersionedValue(EntryMerge.stamp(known, merged, first, 2000, "eu-west"), 4, 2000, "eu-west");
    List<VersionedValue> known2 = List.of(BEFORE, eu1);
    ObjectNode merged2 = EntryMerge.merge(known2);
    ObjectNode second = merged2.deepCopy();
    ((ObjectNode) second.get("shop")).put("maxPages", 2);
    VersionedValue eu2 = new VersionedValue(EntryMerge.stamp(known2, merged2, second, 2100, "eu-west"), 5, 2100, "eu-west");
    VersionedValue us = maxPages("us-west", 3000, "shop", 3);
    assertEquals(3, EntryMerge.merge(List.of(BEFORE, eu2, us)).path("shop").path("maxPages").asLong());
  }

  @Test
  void theDefaultSiteIsNeverMadeATombstone() {
    VersionedValue withDefault = new VersionedValue(json("{'default': {'enabled': true}, 'blog': {'generation': 1}}"), 3, 1000, "us-west");
    List<VersionedValue> known = List.of(withDefault);
    ObjectNode merged = EntryMerge.merge(known);
    ObjectNode value = EntryMerge.stamp(known, merged, json("{'blog': {'generation': 1}}"), 5000, "us-west");
    assertFalse(value.path("default").path("deleted").asBoolean(), value.toString());
    assertTrue(Sites.problemOf("default", json("{'deleted': true}")).isPresent());
    assertTrue(Sites.problemOf("blog", json("{'written': {'version': 'x'}}")).isPresent());
  }
}
