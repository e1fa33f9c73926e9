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
 * copies converge whatever their order:
 *
 * <pre>
 * hitcounter/resets/&lt;dc that wrote it&gt;/&lt;counted id&gt;  {"baselines": {"us-west": 120, "eu-west": 44}, "deletedAt": 0, "resetAt": 1764...}
 * </pre>
 */
public record ResetRecord(Map<String, Long> baselines, long deletedAt, long resetAt) {
  public static final String ROOT = "hitcounter/resets/";

  public static String prefix(String dc) {
    return ROOT + dc + "/";
  }

  public static String key(String dc, String countedId) {
    return prefix(dc) + countedId;
  }

  /** The counted id of a reset key, or null. */
  public static String countedIdOf(String key) {
    if (!key.startsWith(ROOT)) {
      return null;
    }
    int slash = key.indexOf('/', ROOT.length());
    return slash < 0 || slash == key.length() - 1 ? null : key.substring(slash + 1);
  }

  public boolean deleted() {
    return deletedAt > 0 && deletedAt >= resetAt;
  }

  /** Both records in one: per datacenter the larger baseline, the later times. */
  public ResetRecord merge(ResetRecord other) {
    if (other == null) {
      return this;
    }
    Map<String, Long> b = new TreeMap<>(baselines);
    other.baselines.forEach((dc, n) -> b.merge(dc, n, Math::max));
    return new ResetRecord(b, Math.max(deletedAt, other.deletedAt), Math.max(resetAt, other.resetAt));
  }

  public byte[] bytes() {
    ObjectNode n = Json.mapper().createObjectNode();
    ObjectNode b = n.putObject("baselines");
    new TreeMap<>(baselines).forEach(b::put);
    n.put("deletedAt", deletedAt);
    n.put("resetAt", resetAt);
    try {
      return Json.mapper().writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Optional<ResetRecord> parse(byte[] value) {
    try {
      JsonNode n = Json.mapper().readTree(value);
      if (n == null || !n.isObject() || !n.path("baselines").isObject()) {
        return Optional.empty();
      }
      Map<String, Long> b = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.get("baselines").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isIntegralNumber() || e.getValue().asLong() < 0) {
          return Optional.empty();
        }
        b.put(e.getKey(), e.getValue().asLong());
      }
      return Optional.of(new ResetRecord(b, n.path("deletedAt").asLong(0), n.path("resetAt").asLong(0)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
