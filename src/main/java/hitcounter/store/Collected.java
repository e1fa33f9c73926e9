package hitcounter.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pages of one hash range with their counts, as {@link CountTable#collect} gathers them (unsorted):
 * slots and counts in primitive arrays, the pages' names made only when a fold encodes the
 * range ({@link #byPage}: one range's strings at a time, not a million at once), and the
 * analytics of the range's keys.
 */
public record Collected(long lo, long hi, int[] slots, long[] hits, Map<String, byte[]> stats, java.util.function.IntFunction<String> names) {
  /** The range's pages by name with their counts. */
  public TreeMap<String, Long> byPage() {
    TreeMap<String, Long> out = new TreeMap<>();
    for (int i = 0; i < slots.length; i++) {
      out.put(names.apply(slots[i]), hits[i]);
    }
    return out;
  }

  public List<String> pages() {
    List<String> out = new ArrayList<>(slots.length);
    for (int slot : slots) {
      out.add(names.apply(slot));
    }
    return out;
  }

  public List<Long> counts() {
    return Arrays.stream(hits).boxed().toList();
  }
}
