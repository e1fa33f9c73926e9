package hitcounter.audit;

import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How audit keys merge (decision 0018), for copies to other datacenters and for the merge back
 * into the source after a restore or a wipe: a run's figures by max per figure; an archive per
 * node, the fold with the larger {@code through} whole ({@link AuditArchive#merge}).
 */
public final class AuditMerge {
  private AuditMerge() {}

  /** {@code source} merged into {@code target} (null: none there): the value to write, or null when the target is not behind. */
  public static byte[] merged(byte[] source, byte[] target) {
    Map<String, Long> s = FiguresCodec.read(source);
    if (AuditArchive.isArchive(s)) {
      AuditArchive theirs = target == null ? null : AuditArchive.parse(target);
      AuditArchive merged = AuditArchive.of(s).merge(theirs == null ? AuditArchive.EMPTY : theirs);
      return merged.equals(theirs) ? null : merged.toBytes();
    }
    Map<String, Long> theirs = target == null ? Map.of() : FiguresCodec.read(target);
    Map<String, Long> out = new TreeMap<>(theirs);
    s.forEach((f, v) -> out.merge(f, v, Math::max));
    return out.equals(theirs) && target != null ? null : FiguresCodec.write(out);
  }

  /**
   * The writes (CAS, one key each) that merge a copy of datacenter {@code dc}'s audit keys back
   * into its own ({@code local}): what a restore or a wipe took there and a copy still holds.
   * Run keys the merged archive folds are left out (the archive holds them). Values that do not
   * read are left out too (the audit route reports them).
   */
  public static List<TxnOp> back(String dc, List<KvEntry> copy, List<KvEntry> local) {
    Map<String, KvEntry> mine = new HashMap<>();
    local.forEach(e -> mine.put(e.key(), e));
    String archiveKey = AuditKeys.archive(dc);
    AuditArchive archive;
    try {
      archive = AuditArchive.in(dc, local).merge(AuditArchive.in(dc, copy));
    } catch (RuntimeException bad) {
      return List.of();
    }
    List<TxnOp> ops = new ArrayList<>();
    for (KvEntry e : copy) {
      AuditKeys.Run run = AuditKeys.run(e.key());
      boolean ours = e.key().equals(archiveKey) || (run != null && run.dc().equals(dc) && !archive.folded(run.node(), run.epoch()));
      if (!ours) {
        continue;
      }
      KvEntry t = mine.get(e.key());
      try {
        byte[] m = merged(e.value(), t == null ? null : t.value());
        if (m != null) {
          ops.add(TxnOp.cas(e.key(), m, t == null ? 0 : t.modifyIndex()));
        }
      } catch (RuntimeException bad) {
        // not merged: reported where it is read
      }
    }
    return ops;
  }
}
