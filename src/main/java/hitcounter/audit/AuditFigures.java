package hitcounter.audit;

import hitcounter.infra.consul.KvEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The one reading of audit keys (decision 0018), for the audit route and the audit gap: per
 * source ({@code <dc>/<node>}), what its runs acknowledged, refused or left unknown: the
 * archive's sums for the node, plus every run key the archive has not folded. A run key at or
 * below its node's {@code through} is left out: its figures are in the archive (a copy not
 * deleted yet, or a key a restore brought back), so nothing is counted twice.
 */
public final class AuditFigures {
  private AuditFigures() {}

  /**
   * Figures per source of {@code entries} (keys under {@link AuditKeys#ROOT}); a value that does
   * not parse is left out and told to {@code bad} (key, why).
   */
  public static Map<String, Map<String, Long>> bySource(List<KvEntry> entries, BiConsumer<String, String> bad) {
    Map<String, AuditArchive> archives = new HashMap<>();
    for (KvEntry e : entries) {
      String dc = AuditKeys.archiveOf(e.key());
      if (dc != null) {
        try {
          archives.put(dc, AuditArchive.parse(e.value()));
        } catch (RuntimeException x) {
          bad.accept(e.key(), "not an audit archive");
        }
      }
    }
    Map<String, Map<String, Long>> out = new TreeMap<>();
    archives.forEach((dc, archive) -> archive.nodes().forEach((node, n) -> add(out, dc + "/" + node, n.sums())));
    for (KvEntry e : entries) {
      AuditKeys.Run run = AuditKeys.run(e.key());
      if (run == null || archives.getOrDefault(run.dc(), AuditArchive.EMPTY).folded(run.node(), run.epoch())) {
        continue;
      }
      try {
        add(out, run.source(), FiguresCodec.read(e.value()));
      } catch (RuntimeException x) {
        bad.accept(e.key(), "not audit figures");
      }
    }
    return out;
  }

  /** The sum of {@code figure} over the sources of datacenter {@code dc} (all when null). */
  public static long total(Map<String, Map<String, Long>> bySource, String dc, String figure) {
    long n = 0;
    for (var e : bySource.entrySet()) {
      if (dc == null || e.getKey().startsWith(dc + "/")) {
        n += e.getValue().getOrDefault(figure, 0L);
      }
    }
    return n;
  }

  private static void add(Map<String, Map<String, Long>> out, String source, Map<String, Long> figures) {
    Map<String, Long> into = out.computeIfAbsent(source, k -> new TreeMap<>());
    for (String f : AuditArchive.FIGURES) {
      into.merge(f, figures.getOrDefault(f, 0L), Long::sum);
    }
  }
}
