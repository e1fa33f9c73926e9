package hitcounter.store;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Which manifest is a datacenter's snapshot now: {@code hitcounter/heads/<dc>/~snapshot}. */
public record SnapshotPointer(long gen, String manifestKey) {
  public static final SnapshotPointer NONE = new SnapshotPointer(0, "");

  public byte[] toBytes() {
    return Json.mapper().createObjectNode().put("v", 1).put("gen", gen).put("manifest", manifestKey).toString().getBytes(StandardCharsets.UTF_8);
  }

  public static Optional<SnapshotPointer> parse(byte[] value) {
    try {
      JsonNode o = Json.mapper().readTree(value);
      if (o == null || o.path("v").asInt() != 1 || !o.path("gen").canConvertToLong() || !o.path("manifest").isTextual()) {
        return Optional.empty();
      }
      return Optional.of(new SnapshotPointer(o.path("gen").asLong(), o.path("manifest").asText()));
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
