package hitcounter.replicate;

import hitcounter.config.VersionedValue;
import hitcounter.audit.FiguresCodec;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The copy of a datacenter's keys into another datacenter as a state-based CRDT merge: a key is
 * written only when the merge makes it grow, with a CAS on the copy's ModifyIndex, so copies
 * can be repeated, reordered or raced and still converge.
 */
public final class MaxMerge {
  private MaxMerge() {}

  /** How one key's source value merges into its copy: the new copy, or null when it is not behind. */
  public interface Merge {
    byte[] merged(byte[] source, byte[] target);
  }

  /** Grow-only maps of counters (counts, audit): per entry, the larger count wins. */
  public static final Merge COUNTERS =
      (source, target) -> {
        Map<String, Long> theirs = target == null ? Map.of() : FiguresCodec.read(target);
        Map<String, Long> merged = merge(FiguresCodec.read(source), theirs);
        return merged.equals(theirs) ? null : FiguresCodec.write(merged);
      };

  /**
   * Audit keys (decision 0018): a run's figures as {@link #COUNTERS}; a datacenter's archive per
   * node, the fold with the larger {@code through} whole ({@link hitcounter.audit.AuditArchive#merge}).
   */
  public static final Merge AUDIT = hitcounter.audit.AuditMerge::merged;

  /** Versioned settings: the winning write ({@link VersionedValue#ORDER}) stays. */
  public static final Merge LAST_WRITER =
      (source, target) -> {
        Optional<VersionedValue> s = VersionedValue.parse(source);
        Optional<VersionedValue> t = target == null ? Optional.empty() : VersionedValue.parse(target);
        return s.isPresent() && s.get().newerThan(t.orElse(null)) ? source : null;
      };

  /**
   * Visitor salts: a decided record wins over an undecided one, and a later decision over an
   * earlier one (the datacenter lost its records, a wiped Consul, and decided again).
   */
  public static final Merge SALTS =
      (source, target) -> {
        hitcounter.config.SaltRecord s = hitcounter.config.SaltRecord.parse(source).orElseThrow(() -> new IllegalArgumentException("not a salt"));
        Optional<hitcounter.config.SaltRecord> t = target == null ? Optional.empty() : hitcounter.config.SaltRecord.parse(target);
        if (t.isEmpty()) {
          return source;
        }
        if (!s.decided()) {
          return null;
        }
        return !t.get().decided() || (!s.salt().equals(t.get().salt()) && s.decidedAt() > t.get().decidedAt()) ? source : null;
      };

  /** The CAS operations that bring {@code target} up to {@code source} with counter merges. */
  public static List<TxnOp> plan(List<KvEntry> source, List<KvEntry> target) {
    return plan(source, target, COUNTERS);
  }

  public static List<TxnOp> plan(List<KvEntry> source, List<KvEntry> target, Merge merge) {
    return plan(source, target, merge, null);
  }

  public static List<TxnOp> plan(List<KvEntry> source, List<KvEntry> target, Merge merge, hitcounter.infra.consul.BadValues bad) {
    Map<String, KvEntry> byKey = new HashMap<>();
    target.forEach(e -> byKey.put(e.key(), e));
    List<TxnOp> ops = new ArrayList<>();
    for (KvEntry s : source) {
      KvEntry t = byKey.get(s.key());
      byte[] merged;
      try {
        merged = merge.merged(s.value(), t == null ? null : t.value());
      } catch (RuntimeException badValue) {
        // A value that does not parse (here or there) is not copied; the rest still is.
        if (bad != null) {
          bad.skipped("replicator", s.key(), "not a value this copy can merge");
        }
        continue;
      }
      if (merged != null) {
        ops.add(TxnOp.cas(s.key(), merged, t == null ? 0 : t.modifyIndex()));
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
