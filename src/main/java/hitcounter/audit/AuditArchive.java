package hitcounter.audit;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit figures of a datacenter's folded node runs (decision 0018), one key per datacenter,
 * {@link AuditKeys#archive}: per node, the epoch through which its runs are folded and the sums
 * of their figures. A run key of that node with an epoch at or below {@code through} is folded:
 * readers leave it out (a copy not deleted yet, a key a restore brought back). Kept as a flat
 * map of figures ({@code <node>/through}, {@code <node>/accepted}, ...); copies merge it per node
 * ({@link #merge}): a restore can take an archive back, so two versions need not be one chain.
 */
public record AuditArchive(Map<String, Node> nodes) {
  public static final AuditArchive EMPTY = new AuditArchive(Map.of());
  /** The figures a run key holds, and an archive sums. */
  public static final String[] FIGURES = {"accepted", "rejected", "unknown"};

  /** A node's runs folded through epoch {@code through}, with the sums of their figures. */
  public record Node(long through, Map<String, Long> sums) {
    public Node {
      sums = Map.copyOf(sums);
    }
  }

  public AuditArchive {
    nodes = java.util.Collections.unmodifiableMap(new TreeMap<>(nodes));
  }

  /** The epoch through which {@code node}'s runs are folded (0: none). */
  public long through(String node) {
    Node n = nodes.get(node);
    return n == null ? 0 : n.through();
  }

  /** Whether the run key of {@code node} at {@code epoch} is folded here. */
  public boolean folded(String node, long epoch) {
    return epoch <= through(node);
  }

  /** This archive with {@code runs} of {@code node} (epoch → figures, every epoch above its through) folded in. */
  public AuditArchive with(String node, Map<Long, Map<String, Long>> runs) {
    Node old = nodes.get(node);
    long through = old == null ? 0 : old.through();
    Map<String, Long> sums = new HashMap<>(old == null ? Map.of() : old.sums());
    for (var run : runs.entrySet()) {
      if (run.getKey() <= through) {
        throw new IllegalArgumentException("run " + node + "/" + run.getKey() + " is folded already (through " + through + ")");
      }
      for (String f : FIGURES) {
        sums.merge(f, run.getValue().getOrDefault(f, 0L), Long::sum);
      }
    }
    Map<String, Node> out = new TreeMap<>(nodes);
    out.put(node, new Node(runs.keySet().stream().mapToLong(Long::longValue).max().orElse(through), sums));
    return new AuditArchive(out);
  }

  /**
   * This archive merged with {@code other} (copies, and a copy brought back after a restore):
   * per node, the fold with the larger {@code through} whole; at one {@code through}, the larger
   * of each sum. Never a mix of two folds' {@code through} and sums, which would leave runs out.
   */
  public AuditArchive merge(AuditArchive other) {
    Map<String, Node> out = new TreeMap<>(nodes);
    other.nodes.forEach((node, theirs) -> out.merge(node, theirs, (mine, t) -> {
      if (mine.through() != t.through()) {
        return mine.through() > t.through() ? mine : t;
      }
      Map<String, Long> sums = new TreeMap<>(mine.sums());
      t.sums().forEach((f, v) -> sums.merge(f, v, Math::max));
      return new Node(mine.through(), sums);
    }));
    return new AuditArchive(out);
  }

  /** Whether a value of figures is an archive's (its figures are named per node), not a run's. */
  public static boolean isArchive(Map<String, Long> figures) {
    return figures.keySet().stream().anyMatch(f -> f.indexOf('/') > 0);
  }

  /** The archive a value of figures holds (figures not of the form {@code <node>/<figure>} are left out). */
  public static AuditArchive of(Map<String, Long> figures) {
    Map<String, Long> through = new TreeMap<>();
    Map<String, Map<String, Long>> sums = new TreeMap<>();
    figures.forEach((name, v) -> {
      int slash = name.lastIndexOf('/');
      if (slash <= 0) {
        return;
      }
      String node = name.substring(0, slash);
      String figure = name.substring(slash + 1);
      if (figure.equals("through")) {
        through.put(node, v);
      } else {
        sums.computeIfAbsent(node, k -> new TreeMap<>()).put(figure, v);
      }
    });
    Map<String, Node> nodes = new TreeMap<>();
    through.forEach((node, t) -> nodes.put(node, new Node(t, sums.getOrDefault(node, Map.of()))));
    return new AuditArchive(nodes);
  }

  /** The archive of datacenter {@code dc} among {@code entries} (none: empty); throws when its value does not read. */
  public static AuditArchive in(String dc, java.util.List<hitcounter.infra.consul.KvEntry> entries) {
    String key = AuditKeys.archive(dc);
    return entries.stream().filter(e -> e.key().equals(key)).findFirst().map(e -> parse(e.value())).orElse(EMPTY);
  }

  public static AuditArchive parse(byte[] value) {
    return of(FiguresCodec.read(value));
  }

  public Map<String, Long> figures() {
    Map<String, Long> out = new TreeMap<>();
    nodes.forEach((node, n) -> {
      out.put(node + "/through", n.through());
      n.sums().forEach((f, v) -> out.put(node + "/" + f, v));
    });
    return out;
  }

  public byte[] toBytes() {
    return FiguresCodec.write(figures());
  }
}
