package hitcounter.infra.consul;

import java.util.List;
import java.util.Map;

/**
 * What a transaction did: committed, with the new ModifyIndex of each key it wrote, or rolled
 * back because a check failed (a CAS conflict), with Consul's reasons.
 */
public record TxnResult(boolean committed, Map<String, Long> modifyIndexes, List<String> errors) {
  public static TxnResult committed(Map<String, Long> modifyIndexes) {
    return new TxnResult(true, modifyIndexes, List.of());
  }

  public static TxnResult conflict(List<String> errors) {
    return new TxnResult(false, Map.of(), errors);
  }
}
