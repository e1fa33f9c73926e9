package hitcounter.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The head of one queue's journal: the seq of its last entry, the hits counted from it so far,
 * the bytes of its entries so far, and its applied record (per session, the ids of jobs counted
 * but not yet known deleted: exactly-once). Written by the queue's worker in the same
 * transaction as each entry; small, so readers watch it. {@code migratedAt} is when the queue's
 * counts were moved from the layout before the count store (0: never).
 */
public record QueueHead(long seq, long counted, long bytes, Map<String, Set<Long>> applied, long migratedAt) {
  public static final QueueHead EMPTY = new QueueHead(0, 0, 0, Map.of(), 0);

  public QueueHead {
    TreeMap<String, Set<Long>> copy = new TreeMap<>();
    applied.forEach((s, ids) -> {
      if (!ids.isEmpty()) {
        copy.put(s, Set.copyOf(new TreeSet<>(ids)));
      }
    });
    applied = java.util.Collections.unmodifiableMap(copy);
  }

  public boolean isApplied(String session, long id) {
    Set<Long> ids = applied.get(session);
    return ids != null && ids.contains(id);
  }

  public int appliedCount() {
    return applied.values().stream().mapToInt(Set::size).sum();
  }

  public byte[] toBytes() {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("v", 1);
    o.put("seq", seq);
    o.put("counted", counted);
    o.put("bytes", bytes);
    ObjectNode a = o.putObject("applied");
    applied.forEach((s, ids) -> a.put(s, IdRanges.format(ids)));
    if (migratedAt > 0) {
      o.put("migratedAt", migratedAt);
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The head in {@code value}, or empty when the value is not a head (a bad value is skipped, not fatal). */
  public static Optional<QueueHead> parse(byte[] value) {
    try {
      JsonNode o = Json.mapper().readTree(value);
      if (o == null || !o.isObject() || o.path("v").asInt() != 1 || !o.path("seq").canConvertToLong()
          || o.path("seq").asLong() < 0 || !o.path("counted").canConvertToLong() || !o.path("applied").isObject()) {
        return Optional.empty();
      }
      Map<String, Set<Long>> applied = new TreeMap<>();
      var it = o.path("applied").fields();
      while (it.hasNext()) {
        var f = it.next();
        if (!f.getValue().isTextual()) {
          return Optional.empty();
        }
        applied.put(f.getKey(), IdRanges.parse(f.getValue().asText()));
      }
      return Optional.of(new QueueHead(o.path("seq").asLong(), o.path("counted").asLong(), o.path("bytes").asLong(), applied, o.path("migratedAt").asLong(0)));
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
