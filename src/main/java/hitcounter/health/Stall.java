package hitcounter.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import hitcounter.infra.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * One figure that is late, and why: in {@code datacenter}, {@code why} is {@code counting}
 * (a queue's oldest job waits), {@code commit-failing} (a queue's commits keep failing),
 * {@code copy-failing} (copies of this datacenter to {@code subject} keep failing) or
 * {@code not-heard} (no heartbeat) or {@code view-behind} (the table of node {@code subject}
 * does not hold what {@code datacenter}'s heads said: a key missing, a value that does not
 * parse, a reload after the store went back); {@code subject} is the queue, the target
 * datacenter or the node; {@code ageSeconds} how late.
 */
public record Stall(String datacenter, String why, String subject, String detail, double ageSeconds) {
  public static final String COUNTING = "counting";
  public static final String COMMIT_FAILING = "commit-failing";
  public static final String COPY_FAILING = "copy-failing";
  public static final String NOT_HEARD = "not-heard";
  public static final String VIEW_BEHIND = "view-behind";

  /** What identifies an episode: the same datacenter, reason and subject. */
  public String episode() {
    return datacenter + "/" + why + "/" + subject;
  }

  /** The stalls as a JSON array (for reports and heartbeats). */
  public static JsonNode toJsonNode(List<Stall> stalls) {
    return toJson(stalls);
  }

  static ArrayNode toJson(List<Stall> stalls) {
    ArrayNode a = Json.mapper().createArrayNode();
    for (Stall s : stalls) {
      a.addObject().put("datacenter", s.datacenter()).put("why", s.why()).put("subject", s.subject()).put("detail", s.detail())
          .put("ageSeconds", Math.round(s.ageSeconds() * 10) / 10.0);
    }
    return a;
  }

  /** The stalls in a JSON array; entries that are not stalls are left out. */
  public static List<Stall> fromJson(JsonNode array) {
    List<Stall> out = new ArrayList<>();
    if (array == null || !array.isArray()) {
      return out;
    }
    for (JsonNode n : array) {
      if (n.path("datacenter").isTextual() && n.path("why").isTextual()) {
        out.add(new Stall(n.path("datacenter").asText(), n.path("why").asText(), n.path("subject").asText(""), n.path("detail").asText(""),
            n.path("ageSeconds").asDouble()));
      }
    }
    return out;
  }
}
