package hitcounter.audit;

import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Which audit keys to fold into a datacenter's archive (decision 0018), as a pure planner: the
 * runs of each node whose key has not changed for {@code foldAfter}, oldest first, up to the
 * first one that did (a later run folded above an earlier one not folded would leave that one
 * out); keys already folded (a copy came back, a restore) are deleted. One transaction: the
 * archive by CAS, each key deleted by CAS on the index read, so a key written meanwhile stops
 * the whole fold and its writer sees it was not folded.
 */
public final class AuditFold {
  /** The figure of a run key naming the JVM that writes it ({@link RunFigures}). */
  public static final String RUN = "run";

  private AuditFold() {}

  /** A fold: its operations (empty: nothing due), the runs it folds, the keys it deletes, and the archive after it. */
  public record Plan(List<TxnOp> ops, int runs, int deleted, AuditArchive after) {
    public static final Plan NONE = new Plan(List.of(), 0, 0, AuditArchive.EMPTY);
  }

  /**
   * The fold of datacenter {@code dc}'s audit keys {@code entries} at {@code now} (ms); {@code
   * since} says since when a key has held its ModifyIndex. At most {@code maxOps} operations (a
   * Consul transaction takes 64).
   */
  public static Plan plan(String dc, List<KvEntry> entries, ToLongFunction<KvEntry> since, long now, Duration foldAfter, int maxOps) {
    String archiveKey = AuditKeys.archive(dc);
    KvEntry archiveEntry = entries.stream().filter(e -> e.key().equals(archiveKey)).findFirst().orElse(null);
    AuditArchive archive;
    try {
      archive = archiveEntry == null ? AuditArchive.EMPTY : AuditArchive.parse(archiveEntry.value());
    } catch (RuntimeException bad) {
      return Plan.NONE; // never write over an archive that cannot be read
    }
    Map<String, TreeMap<Long, KvEntry>> runs = new TreeMap<>();
    for (KvEntry e : entries) {
      AuditKeys.Run run = AuditKeys.run(e.key());
      if (run != null && run.dc().equals(dc)) {
        runs.computeIfAbsent(run.node(), k -> new TreeMap<>()).put(run.epoch(), e);
      }
    }
    List<TxnOp> deletes = new ArrayList<>();
    AuditArchive after = archive;
    int folded = 0;
    int room = maxOps - 1;
    for (var node : runs.entrySet()) {
      Map<Long, Map<String, Long>> fold = new TreeMap<>();
      for (var run : node.getValue().entrySet()) {
        KvEntry e = run.getValue();
        if (room == 0) {
          break;
        }
        if (!archive.folded(node.getKey(), run.getKey())) {
          if (now - since.applyAsLong(e) < foldAfter.toMillis()) {
            break;
          }
          Map<String, Long> figures;
          try {
            figures = FiguresCodec.read(e.value());
          } catch (RuntimeException bad) {
            break; // never fold what cannot be read (the audit route reports it)
          }
          if (!figures.containsKey(RUN) && run.getKey().equals(node.getValue().lastKey())) {
            // Written by a version before folds, which would write it again under the same
            // name: folded only once a later run of its node shows that JVM gone.
            break;
          }
          fold.put(run.getKey(), figures);
        }
        deletes.add(TxnOp.deleteCas(e.key(), e.modifyIndex()));
        room--;
      }
      if (!fold.isEmpty()) {
        after = after.with(node.getKey(), fold);
        folded += fold.size();
      }
    }
    if (deletes.isEmpty()) {
      return Plan.NONE;
    }
    List<TxnOp> ops = new ArrayList<>();
    long index = archiveEntry == null ? 0 : archiveEntry.modifyIndex();
    // The archive must still be the one read: a stale key is deleted only while it folds it.
    ops.add(folded > 0 ? TxnOp.cas(archiveKey, after.toBytes(), index) : TxnOp.checkIndex(archiveKey, index));
    ops.addAll(deletes);
    return new Plan(List.copyOf(ops), folded, deletes.size(), after);
  }

  /**
   * Copies of datacenter {@code dc}'s run keys in another datacenter ({@code target}, as read
   * before this round's merge) that the archive there folds once this round's merge of the
   * source's archive landed (to be sent only then): deleted by CAS. Those the source still has
   * are left to the source's own fold; none goes while either archive cannot be read.
   */
  public static List<TxnOp> staleCopies(String dc, List<KvEntry> source, List<KvEntry> target) {
    AuditArchive archive;
    try {
      archive = AuditArchive.in(dc, target).merge(AuditArchive.in(dc, source));
    } catch (RuntimeException bad) {
      return List.of();
    }
    java.util.Set<String> inSource = new java.util.HashSet<>();
    source.forEach(e -> inSource.add(e.key()));
    List<TxnOp> out = new ArrayList<>();
    for (KvEntry e : target) {
      AuditKeys.Run run = AuditKeys.run(e.key());
      if (run != null && run.dc().equals(dc) && !inSource.contains(e.key()) && archive.folded(run.node(), run.epoch())) {
        out.add(TxnOp.deleteCas(e.key(), e.modifyIndex()));
      }
    }
    return out;
  }
}
