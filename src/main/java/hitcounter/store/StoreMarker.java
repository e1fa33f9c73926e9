package hitcounter.store;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The birth certificate of a datacenter's store, {@code hitcounter/heads/<dc>/~store}: its id
 * (random, set once when the store is first created) and, after a restore, where from and when.
 * Copied with the heads into every other datacenter. A datacenter whose own Consul lacks it
 * while another datacenter holds a copy lost its Consul data: it is restored from that copy
 * before any worker commits again.
 */
public record StoreMarker(String id, long createdAt, String restoredFrom, long restoredAt) {
  public static final String NAME = "~store";

  public static String key(String dc) {
    return StoreKeys.headsPrefix(dc) + NAME;
  }

  public byte[] toBytes() {
    var o = Json.mapper().createObjectNode().put("v", 1).put("id", id).put("createdAt", createdAt);
    if (restoredFrom != null) {
      o.put("restoredFrom", restoredFrom).put("restoredAt", restoredAt);
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static Optional<StoreMarker> parse(byte[] value) {
    try {
      JsonNode o = Json.mapper().readTree(value);
      if (o == null || o.path("v").asInt() != 1 || !o.path("id").isTextual()) {
        return Optional.empty();
      }
      return Optional.of(new StoreMarker(o.path("id").asText(), o.path("createdAt").asLong(),
          o.path("restoredFrom").isTextual() ? o.path("restoredFrom").asText() : null, o.path("restoredAt").asLong()));
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
