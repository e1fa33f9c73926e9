package hitcounter.count;

import hitcounter.infra.consul.KvEntry;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Per page, per datacenter counts, summed over queues and buckets: an immutable snapshot of
 * the local datacenter's count keys (its own slots and the copies of every other one).
 */
public final class Totals {
  public static final Totals EMPTY = new Totals(Map.of(), Set.of(), Map.of(), 0);

  private final Map<String, Map<String, Long>> byPage;
  private final Set<String> datacenters;
  private final Map<String, Long> bySource;
  private final long index;

  private Totals(Map<String, Map<String, Long>> byPage, Set<String> datacenters, Map<String, Long> bySource, long index) {
    this.byPage = byPage;
    this.datacenters = datacenters;
    this.bySource = bySource;
    this.index = index;
  }

  public static Totals of(List<KvEntry> countEntries, long index) {
    return of(countEntries, index, e -> CountCodec.counts(e.value()));
  }

  /** {@code parse} reads one key's counts (the view caches them by ModifyIndex). */
  public static Totals of(List<KvEntry> countEntries, long index, java.util.function.Function<KvEntry, Map<String, Long>> parse) {
    Map<String, Map<String, Long>> byPage = new HashMap<>();
    Set<String> datacenters = new TreeSet<>();
    Map<String, Long> bySource = new TreeMap<>();
    for (KvEntry e : countEntries) {
      String dc = Keys.datacenterOf(e.key());
      String source = Keys.sourceOf(e.key());
      if (dc == null || source == null) {
        continue;
      }
      datacenters.add(dc);
      parse.apply(e)
          .forEach((page, n) -> {
            byPage.computeIfAbsent(page, p -> new TreeMap<>()).merge(dc, n, Long::sum);
            bySource.merge(source, n, Long::sum);
          });
    }
    byPage.replaceAll((p, m) -> Collections.unmodifiableMap(m));
    return new Totals(
        Collections.unmodifiableMap(byPage), Collections.unmodifiableSet(datacenters), Collections.unmodifiableMap(bySource), index);
  }

  /** Counts of one page by datacenter (empty when never counted). */
  public Map<String, Long> of(String page) {
    return byPage.getOrDefault(page, Map.of());
  }

  public static long sum(Map<String, Long> byDc) {
    return byDc.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every datacenter that has counts here. */
  public Set<String> datacenters() {
    return datacenters;
  }

  /** Hits counted per source queue, keyed "dc/queue": the counted side of the audit. */
  public Map<String, Long> bySource() {
    return bySource;
  }

  public Map<String, Map<String, Long>> all() {
    return byPage;
  }

  /** The Consul index this snapshot was read at. */
  public long index() {
    return index;
  }
}
