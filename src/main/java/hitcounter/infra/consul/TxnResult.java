package hitcounter.infra.consul;

import java.util.List;
import java.util.Map;

/**
 * What a transaction did: committed, with the new ModifyIndex of each key it wrote and the
 * values of the keys it read, or rolled back because a check failed (a CAS conflict, a key to
 * read that does not exist), with Consul's reasons.
 */
public record TxnResult(boolean committed, Map<String, Long> modifyIndexes, Map<String, KvEntry> read, List<String> errors) {
  public static TxnResult committed(Map<String, Long> modifyIndexes) {
    return new TxnResult(true, modifyIndexes, Map.of(), List.of());
  }

  public static TxnResult committed(Map<String, Long> modifyIndexes, Map<String, KvEntry> read) {
    return new TxnResult(true, modifyIndexes, read, List.of());
  }

  public static TxnResult conflict(List<String> errors) {
    return new TxnResult(false, Map.of(), Map.of(), errors);
  }
}
