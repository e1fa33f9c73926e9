package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.io.IOException;
import java.util.Comparator;
import java.util.Optional;

/**
 * One datacenter's write of a setting: the value, its version, when and where it was written.
 * Which write wins is the same everywhere: the higher version; at equal versions (two
 * datacenters wrote while cut off from each other) the later wall-clock time; at equal times
 * the datacenter whose name sorts last.
 */
public record VersionedValue(JsonNode value, long version, long at, String dc) {
  public static final Comparator<VersionedValue> ORDER =
      Comparator.comparingLong(VersionedValue::version)
          .thenComparingLong(VersionedValue::at)
          .thenComparing(VersionedValue::dc);

  public boolean newerThan(VersionedValue other) {
    return other == null || ORDER.compare(this, other) > 0;
  }

  public byte[] bytes() {
    ObjectNode o = Json.mapper().createObjectNode();
    o.set("value", value);
    o.put("version", version);
    o.put("at", at);
    o.put("dc", dc);
    try {
      return Json.mapper().writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Optional<VersionedValue> parse(byte[] bytes) {
    try {
      JsonNode o = Json.mapper().readTree(bytes);
      if (o == null || !o.has("value") || !o.has("version")) {
        return Optional.empty();
      }
      return Optional.of(new VersionedValue(o.get("value"), o.path("version").asLong(), o.path("at").asLong(), o.path("dc").asText()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
