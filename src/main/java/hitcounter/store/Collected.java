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
 * analytics of the range's keys: pages' by slot ({@code statSlots}, {@code statBytes} by index), sites' by
 * key; named only by {@link #stats}, one range at a time too (a million names and maps at once
 * took hundreds of MB in a first fold of a million URL paths).
 */
public record Collected(long lo, long hi, int[] slots, long[] hits, int[] statSlots, java.util.function.IntFunction<byte[]> statBytes, Map<String, byte[]> siteStats,
    java.util.function.IntFunction<String> names) {
  /** The analytics of the range's keys, by key. */
  public Map<String, byte[]> stats() {
    Map<String, byte[]> out = new java.util.HashMap<>(siteStats);
    for (int i = 0; i < statSlots.length; i++) {
      out.put(names.apply(statSlots[i]), statBytes.apply(i));
    }
    return out;
  }

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
