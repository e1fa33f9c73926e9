package hitcounter.discovery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rendezvous (highest random weight) hashing of queues to nodes: every node computes the same
 * answer from the same membership; a node joining or leaving moves only the queues it wins or
 * held.
 */
public final class Rendezvous {
  private Rendezvous() {}

  /** For each queue, the {@code perQueue} nodes that drain it (fewer when there are fewer nodes). */
  public static Map<String, List<String>> assign(Collection<String> queues, Collection<String> nodes, int perQueue) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String q : queues) {
      List<String> ranked = new ArrayList<>(nodes);
      ranked.sort(Comparator.comparingLong((String n) -> score(n, q)).reversed().thenComparing(n -> n));
      out.put(q, List.copyOf(ranked.subList(0, Math.min(perQueue, ranked.size()))));
    }
    return out;
  }

  static long score(String node, String queue) {
    // FNV-1a 64 over "node|queue", then a final mix: stable across JVMs and releases.
    long h = 0xcbf29ce484222325L;
    for (byte b : (node + "|" + queue).getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    h ^= (h >>> 33);
    h *= 0xff51afd7ed558ccdL;
    h ^= (h >>> 33);
    return h;
  }
}
