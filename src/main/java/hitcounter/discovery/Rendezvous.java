package hitcounter.discovery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rendezvous (highest random weight) hashing of queues to nodes with bounded load: every node
 * computes the same answer from the same membership; each node drains at most
 * ceil(queues × perQueue / nodes) queues, so two queues on two nodes land one each; a node
 * joining or leaving moves about its own share, not everything.
 */
public final class Rendezvous {
  private Rendezvous() {}

  /** For each queue, the {@code perQueue} nodes that drain it (fewer when there are fewer nodes). */
  public static Map<String, List<String>> assign(Collection<String> queues, Collection<String> nodes, int perQueue) {
    Map<String, List<String>> out = new TreeMap<>();
    List<String> distinctNodes = nodes.stream().distinct().sorted().toList();
    int per = Math.min(perQueue, distinctNodes.size());
    if (distinctNodes.isEmpty()) {
      queues.forEach(q -> out.put(q, List.of()));
      return out;
    }
    int capacity = (int) Math.ceil((double) queues.size() * per / distinctNodes.size());
    Map<String, Integer> load = new TreeMap<>();
    for (String q : queues.stream().distinct().sorted().toList()) {
      List<String> ranked = new ArrayList<>(distinctNodes);
      ranked.sort(Comparator.comparingLong((String n) -> score(n, q)).reversed().thenComparing(n -> n));
      List<String> owners = new ArrayList<>(per);
      for (String n : ranked) {
        if (owners.size() == per) {
          break;
        }
        if (load.getOrDefault(n, 0) < capacity) {
          owners.add(n);
          load.merge(n, 1, Integer::sum);
        }
      }
      // The last queues may find too few nodes with room left: then the best-ranked others.
      for (String n : ranked) {
        if (owners.size() == per) {
          break;
        }
        if (!owners.contains(n)) {
          owners.add(n);
          load.merge(n, 1, Integer::sum);
        }
      }
      out.put(q, List.copyOf(owners));
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
