package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A reset (or delete) of one page, as an observed-reset record (decision 0010): per datacenter,
 * the largest count of the page there that a reset saw ({@code baselines}); the page shows, per
 * datacenter, its count less that baseline. Hits a datacenter took that the resetting node had
 * not seen yet (it was cut off) stay counted. {@code deletedAt} and {@code resetAt} are the
 * times (ms) of the latest delete and reset: a page is deleted (left out of listings until it
 * is hit again) when its latest one was a delete. Records merge by max, field by field, so
 * copies converge whatever their order; except that a baseline lowered after a rollback of its
 * datacenter's store ({@code lowered}: how many times, per datacenter; {@link
 * hitcounter.count.ResetRepair}) wins over every baseline of fewer lowerings:
 *
 * <pre>
 * hitcounter/resets/&lt;dc that wrote it&gt;/&lt;counted id, {@link #segment}&gt;  {"baselines": {"us-west": 120, "eu-west": 44}, "deletedAt": 0, "resetAt": 1764..., "lowered": {"eu-west": 1}}
 * </pre>
 */
public record ResetRecord(Map<String, Long> baselines, long deletedAt, long resetAt, Map<String, Long> lowered) {
  public ResetRecord(Map<String, Long> baselines, long deletedAt, long resetAt) {
    this(baselines, deletedAt, resetAt, Map.of());
  }

  public ResetRecord {
    baselines = Map.copyOf(baselines);
    lowered = Map.copyOf(lowered);
  }

  /** How many times {@code dc}'s baseline was lowered after a rollback (0: never). */
  public long loweredIn(String dc) {
    return lowered.getOrDefault(dc, 0L);
  }

  /** This record with {@code dc}'s baseline set to {@code baseline}, winning over every baseline of {@code dc} merged so far. */
  public ResetRecord lower(String dc, long baseline) {
    Map<String, Long> b = new TreeMap<>(baselines);
    b.put(dc, baseline);
    Map<String, Long> l = new TreeMap<>(lowered);
    l.put(dc, loweredIn(dc) + 1);
    return new ResetRecord(b, deletedAt, resetAt, l);
  }

  public static final String ROOT = "hitcounter/resets/";

  public static String prefix(String dc) {
    return ROOT + dc + "/";
  }

  /** The key of the reset of {@code countedId} written by {@code dc}: the id as a Consul key segment ({@link #segment}). */
  public static String key(String dc, String countedId) {
    return prefix(dc) + segment(countedId);
  }

  /**
   * A counted id as one Consul key segment, safe in a URL unescaped: a page id (with its site's
   * prefix) is itself; any other byte of its UTF-8 (a URL path's slashes, spaces, non-ASCII)
   * is written {@code !XX}, and so is a leading {@code ~}. A page id never holds {@code !}.
   */
  public static String segment(String countedId) {
    String s = hitcounter.page.LineEscape.escape(countedId, '!', ResetRecord::plainInKey);
    // A leading '~' is written !7E: "~watch" would be the prefix's watch marker, which listings leave out.
    return s.startsWith("~") ? "!7E" + s.substring(1) : s;
  }

  /** Bytes a key segment holds as they are: a page id's and a site prefix's ({@code [A-Za-z0-9._~:-]}). */
  private static boolean plainInKey(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' || c == '-' || c == ':';
  }

  /** The counted id of a key segment ({@link #segment}), or null when it is not one. */
  public static String unsegment(String segment) {
    return hitcounter.page.LineEscape.unescape(segment, '!');
  }

  /** The counted id of a reset key, or null. */
  public static String countedIdOf(String key) {
    if (!key.startsWith(ROOT)) {
      return null;
    }
    int slash = key.indexOf('/', ROOT.length());
    return slash < 0 || slash == key.length() - 1 ? null : unsegment(key.substring(slash + 1));
  }

  public boolean deleted() {
    return deletedAt > 0 && deletedAt >= resetAt;
  }

  /**
   * Both records in one: per datacenter the baseline of the more lowered record, the larger of
   * equally lowered ones; the later times.
   */
  public ResetRecord merge(ResetRecord other) {
    if (other == null) {
      return this;
    }
    Map<String, Long> b = new TreeMap<>();
    Map<String, Long> l = new TreeMap<>();
    java.util.Set<String> dcs = new java.util.TreeSet<>(baselines.keySet());
    dcs.addAll(other.baselines.keySet());
    for (String dc : dcs) {
      long mine = loweredIn(dc);
      long theirs = other.loweredIn(dc);
      Long value = mine > theirs ? baselines.get(dc)
          : theirs > mine ? other.baselines.get(dc)
          : Math.max(baselines.getOrDefault(dc, 0L), other.baselines.getOrDefault(dc, 0L));
      b.put(dc, value == null ? 0L : value);
      if (Math.max(mine, theirs) > 0) {
        l.put(dc, Math.max(mine, theirs));
      }
    }
    return new ResetRecord(b, Math.max(deletedAt, other.deletedAt), Math.max(resetAt, other.resetAt), l);
  }

  public byte[] bytes() {
    try {
      return Json.mapper().writeValueAsBytes(toJson());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The record as JSON ({@link #bytes}; an entry of a {@link ResetShards} shard). */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    ObjectNode b = n.putObject("baselines");
    new TreeMap<>(baselines).forEach(b::put);
    n.put("deletedAt", deletedAt);
    n.put("resetAt", resetAt);
    if (!lowered.isEmpty()) {
      ObjectNode l = n.putObject("lowered");
      new TreeMap<>(lowered).forEach(l::put);
    }
    return n;
  }

  public static Optional<ResetRecord> parse(byte[] value) {
    try {
      return parse(Json.mapper().readTree(value));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The record of a JSON node ({@link #toJson}), or empty. */
  public static Optional<ResetRecord> parse(JsonNode n) {
    try {
      if (n == null || !n.isObject() || !n.path("baselines").isObject()) {
        return Optional.empty();
      }
      Optional<Map<String, Long>> b = counts(n.get("baselines"));
      Optional<Map<String, Long>> l = n.has("lowered") ? counts(n.get("lowered")) : Optional.of(Map.of());
      if (b.isEmpty() || l.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new ResetRecord(b.get(), n.path("deletedAt").asLong(0), n.path("resetAt").asLong(0), l.get()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** An object of non-negative integers by datacenter, or empty. */
  private static Optional<Map<String, Long>> counts(JsonNode node) {
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }
    Map<String, Long> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isIntegralNumber() || e.getValue().asLong() < 0) {
        return Optional.empty();
      }
      out.put(e.getKey(), e.getValue().asLong());
    }
    return Optional.of(out);
  }
}
