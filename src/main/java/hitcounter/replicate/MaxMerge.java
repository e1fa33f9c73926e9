package hitcounter.replicate;

import hitcounter.count.CountCodec;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The copy of a datacenter's count keys into another datacenter, as a state-based G-Counter
 * merge: per key, per page, the larger count wins. A key is written only when the merge makes it
 * larger, with a CAS on the copy's ModifyIndex, so copies can be repeated, reordered or raced
 * and still converge.
 */
public final class MaxMerge {
  private MaxMerge() {}

  /** The CAS operations that bring {@code target} up to {@code source} (empty when it already is). */
  public static List<TxnOp> plan(List<KvEntry> source, List<KvEntry> target) {
    Map<String, KvEntry> byKey = new HashMap<>();
    target.forEach(e -> byKey.put(e.key(), e));
    List<TxnOp> ops = new ArrayList<>();
    for (KvEntry s : source) {
      KvEntry t = byKey.get(s.key());
      Map<String, Long> theirs = t == null ? Map.of() : CountCodec.counts(t.value());
      Map<String, Long> merged = merge(CountCodec.counts(s.value()), theirs);
      if (!merged.equals(theirs)) {
        ops.add(TxnOp.cas(s.key(), CountCodec.counts(merged), t == null ? 0 : t.modifyIndex()));
      }
    }
    return ops;
  }

  static Map<String, Long> merge(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> out = new TreeMap<>(b);
    a.forEach((page, n) -> out.merge(page, n, Math::max));
    return out;
  }
}
