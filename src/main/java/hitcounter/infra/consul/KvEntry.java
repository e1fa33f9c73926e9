package hitcounter.infra.consul;

import java.nio.charset.StandardCharsets;

/** One Consul KV entry: key, raw value (empty when null), and its ModifyIndex (the CAS token). */
public record KvEntry(String key, byte[] value, long modifyIndex) {
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }
}
