package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One datacenter's word on the visitor salt of one UTC day ({@code hitcounter/salts/<dc>/<day>}):
 * the 16 random bytes it proposed, and, once decided, the salt it uses that day (the highest
 * proposal it held when it decided) and whether it held every datacenter's proposal then.
 * Written only by the datacenter it names; copied to the others by the replicator.
 */
public record SaltRecord(String proposal, long proposedAt, String salt, boolean heardAll, long decidedAt) {
  public static final String ROOT = "hitcounter/salts/";

  public static String prefix(String dc) {
    return ROOT + dc + "/";
  }

  public static String key(String dc, LocalDate day) {
    return prefix(dc) + day;
  }

  /** The datacenter and day a salt key names, or empty. */
  public static Optional<Named> named(String key) {
    if (!key.startsWith(ROOT)) {
      return Optional.empty();
    }
    String[] parts = key.substring(ROOT.length()).split("/");
    if (parts.length != 2) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Named(parts[0], LocalDate.parse(parts[1])));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  public record Named(String dc, LocalDate day) {}

  public static SaltRecord proposed(byte[] sixteen, long at) {
    return new SaltRecord(HexFormat.of().formatHex(sixteen), at, null, false, 0);
  }

  public boolean decided() {
    return salt != null;
  }

  public SaltRecord decide(String salt, boolean heardAll, long at) {
    return new SaltRecord(proposal, proposedAt, salt, heardAll, at);
  }

  public byte[] saltBytes() {
    return HexFormat.of().parseHex(salt);
  }

  /** A copy merges by keeping the decided record: a decision is never taken back. */
  public SaltRecord merge(SaltRecord other) {
    if (other == null || (!other.decided() && decided())) {
      return this;
    }
    return other;
  }

  public byte[] bytes() {
    ObjectNode n = Json.mapper().createObjectNode().put("proposal", proposal).put("proposedAt", proposedAt);
    if (salt != null) {
      n.put("salt", salt).put("heardAll", heardAll).put("decidedAt", decidedAt);
    }
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static Optional<SaltRecord> parse(byte[] value) {
    try {
      JsonNode n = Json.mapper().readTree(value);
      String proposal = n.path("proposal").asText("");
      String salt = n.hasNonNull("salt") ? n.get("salt").asText() : null;
      if (!isHex16(proposal) || (salt != null && !isHex16(salt))) {
        return Optional.empty();
      }
      return Optional.of(new SaltRecord(proposal, n.path("proposedAt").asLong(0), salt, n.path("heardAll").asBoolean(false), n.path("decidedAt").asLong(0)));
    } catch (java.io.IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean isHex16(String s) {
    return s.length() == 32 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
}
