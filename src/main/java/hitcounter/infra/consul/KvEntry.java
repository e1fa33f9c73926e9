package hitcounter.infra.consul;

import java.nio.charset.StandardCharsets;

/** One Consul KV entry: key, raw value (empty when null), and its ModifyIndex (the CAS token). */
public record KvEntry(String key, byte[] value, long modifyIndex) {
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** Whether two readings of a prefix hold the same keys at the same ModifyIndex (a null reading: never). */
  public static boolean sameVersions(java.util.List<KvEntry> a, java.util.List<KvEntry> b) {
    if (a == null || b == null || a.size() != b.size()) {
      return false;
    }
    java.util.Map<String, Long> indexes = new java.util.HashMap<>();
    a.forEach(e -> indexes.put(e.key(), e.modifyIndex()));
    return b.stream().allMatch(e -> Long.valueOf(e.modifyIndex()).equals(indexes.get(e.key())));
  }
}
