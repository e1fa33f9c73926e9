package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a setting whose value is a map (the sites) merges across datacenters: entry by entry, never
 * the whole value (decision 0016). Each datacenter's write holds the whole map as that datacenter
 * knew it, and each entry carries the stamp of its last edit ({@code "written": {"version",
 * "at", "dc"}}; an entry written before stamps has its write's). An entry's winner is, in order:
 * the higher {@code generation} (a site created again after a delete); at one generation, a
 * tombstone ({@code "deleted": true}: a delete is never undone by an edit made elsewhere of the
 * generation it deleted); then the later stamp (version, time, datacenter name). A lexicographic
 * maximum: the same on every node whatever the order writes arrive in. Entries are never removed,
 * only replaced by tombstones, so the merged map is the union of every write's.
 */
public final class EntryMerge {
  public static final String WRITTEN = "written";

  private EntryMerge() {}

  /** An entry with the stamp it is ordered by. */
  private record Stamped(JsonNode entry, long version, long at, String dc) {}

  private static final Comparator<Stamped> ORDER = Comparator.<Stamped>comparingLong(s -> s.entry().path("generation").asLong(0))
      .thenComparing(s -> s.entry().path("deleted").asBoolean(false))
      .thenComparingLong(Stamped::version)
      .thenComparingLong(Stamped::at)
      .thenComparing(Stamped::dc);

  private static Stamped stamped(JsonNode entry, VersionedValue write) {
    JsonNode w = entry.path(WRITTEN);
    return w.isObject()
        ? new Stamped(entry, w.path("version").asLong(), w.path("at").asLong(), w.path("dc").asText())
        : new Stamped(entry, write.version(), write.at(), write.dc());
  }

  /** Every entry's winner over {@code writes} (one per datacenter). */
  public static ObjectNode merge(List<VersionedValue> writes) {
    Map<String, Stamped> best = new TreeMap<>();
    for (VersionedValue w : writes) {
      if (!w.value().isObject()) {
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = w.value().fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        Stamped s = stamped(e.getValue(), w);
        best.merge(e.getKey(), s, (a, b) -> ORDER.compare(a, b) >= 0 ? a : b);
      }
    }
    // Each entry keeps the stamp it won by, also one it took from its write (written before
    // stamps): copied into a later write it must not take that write's stamp instead.
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    best.forEach((k, s) -> out.set(k, s.entry().has(WRITTEN) ? s.entry() : withStamp(s.entry(), s.version(), s.at(), s.dc())));
    return out;
  }

  /**
   * The value a datacenter writes after an edit: {@code edited} (the change applied to {@code
   * merged}), each entry that differs from its merged one stamped {@code (the highest version
   * any write gave that entry + 1, now, dc)}, each entry the edit left out made a tombstone of
   * its generation; entries it did not touch keep their stamps.
   */
  public static ObjectNode stamp(List<VersionedValue> writes, ObjectNode merged, JsonNode edited, long now, String dc) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ObjectNode next = edited != null && edited.isObject() ? (ObjectNode) edited : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = next.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode before = merged.get(e.getKey());
      if (before != null && withoutStamp(before).equals(withoutStamp(e.getValue()))) {
        out.set(e.getKey(), before);
      } else {
        out.set(e.getKey(), withStamp(e.getValue(), next(writes, e.getKey(), now), now, dc));
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = merged.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!out.has(e.getKey()) && e.getKey().equals(hitcounter.page.PageKey.DEFAULT_SITE)) {
        out.set(e.getKey(), e.getValue()); // the default site is never deleted (it can be disabled)
      } else if (!out.has(e.getKey())) {
        ObjectNode tomb = JsonNodeFactory.instance.objectNode();
        tomb.put("deleted", true);
        tomb.put("generation", Math.max(1, e.getValue().path("generation").asLong(1)));
        out.set(e.getKey(), withStamp(tomb, next(writes, e.getKey(), now), now, dc));
      }
    }
    return out;
  }

  /**
   * The version of a new edit of entry {@code key}: above every version any write gave it, and at
   * least the time (a hybrid clock): an edit made after another, even by a node that did not see
   * the other's earlier edits, is the later one whenever the clocks agree; one made on a copy
   * that knew an edit always comes after it.
   */
  private static long next(List<VersionedValue> writes, String key, long now) {
    return Math.max(highest(writes, key) + 1, now);
  }

  /** The highest stamp version any write gave entry {@code key} (0: none). */
  private static long highest(List<VersionedValue> writes, String key) {
    long v = 0;
    for (VersionedValue w : writes) {
      JsonNode e = w.value().path(key);
      if (e.isObject()) {
        v = Math.max(v, stamped(e, w).version());
      }
    }
    return v;
  }

  public static JsonNode withoutStamp(JsonNode entry) {
    if (!entry.isObject() || !entry.has(WRITTEN)) {
      return entry;
    }
    ObjectNode o = ((ObjectNode) entry).deepCopy();
    o.remove(WRITTEN);
    return o;
  }

  private static JsonNode withStamp(JsonNode entry, long version, long at, String dc) {
    ObjectNode o = entry.isObject() ? ((ObjectNode) entry).deepCopy() : JsonNodeFactory.instance.objectNode();
    ObjectNode w = o.putObject(WRITTEN);
    w.put("version", version);
    w.put("at", at);
    w.put("dc", dc);
    return o;
  }
}
