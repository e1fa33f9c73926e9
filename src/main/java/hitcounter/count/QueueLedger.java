package hitcounter.count;

import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a worker knows of its queue's state in Consul: the bucket values, the applied record
 * (ids of jobs committed but maybe not yet deleted), and the ModifyIndex of each, which makes
 * every commit a check-and-set of all of them in one transaction.
 */
public record QueueLedger(String dc, String queue, Map<Integer, Slot> slots, Set<Long> applied, long appliedIndex) {

  /** One bucket key's counts and ModifyIndex (0: the key does not exist yet). */
  public record Slot(Map<String, Long> counts, long index) {}

  /**
   * A planned commit: the transaction, which jobs it counts (and how many hits they hold), which
   * it skips as already counted.
   */
  public record Commit(List<Long> counted, long countedHits, List<Long> skipped, List<TxnOp> ops, QueueLedger after) {}

  public static QueueLedger read(String dc, String queue, List<KvEntry> countEntries, Optional<KvEntry> applied) {
    String prefix = Keys.queueCountPrefix(dc, queue);
    Map<Integer, Slot> slots = new HashMap<>();
    for (KvEntry e : countEntries) {
      if (e.key().startsWith(prefix)) {
        int bucket = Integer.parseInt(e.key().substring(prefix.length()));
        slots.put(bucket, new Slot(CountCodec.counts(e.value()), e.modifyIndex()));
      }
    }
    return new QueueLedger(
        dc,
        queue,
        Map.copyOf(slots),
        applied.map(a -> CountCodec.ids(a.value())).orElseGet(TreeSet::new),
        applied.map(KvEntry::modifyIndex).orElse(0L));
  }

  /** Recorded ids that are neither in {@code batch} nor known {@code gone}: their jobs' fate is unknown. */
  public Set<Long> unknownApplied(Set<Long> batch, Set<Long> gone) {
    Set<Long> out = new TreeSet<>(applied);
    out.removeAll(batch);
    out.removeAll(gone);
    return out;
  }

  /**
   * Plans the commit of {@code hits}: jobs already in the applied record are skipped; the rest
   * are added to their page's bucket; the applied record drops the {@code gone} ids (deleted
   * jobs, which can never come back) and takes the counted ones.
   */
  public Commit plan(List<Hit> hits, Set<Long> gone, int buckets) {
    Set<Long> counted = new java.util.LinkedHashSet<>();
    Set<Long> skipped = new java.util.LinkedHashSet<>();
    long countedHits = 0;
    Map<Integer, Map<String, Long>> increments = new TreeMap<>();
    for (Hit h : hits) {
      if (applied.contains(h.jobId())) {
        skipped.add(h.jobId());
        continue;
      }
      counted.add(h.jobId());
      countedHits++;
      increments
          .computeIfAbsent(Keys.bucketOf(h.page(), buckets), b -> new TreeMap<>())
          .merge(h.page(), 1L, Long::sum);
    }
    if (increments.size() + 1 > TxnOp.MAX_OPS) {
      throw new IllegalArgumentException("too many buckets for one transaction: " + increments.size());
    }
    Map<Integer, Slot> newSlots = new HashMap<>(slots);
    List<TxnOp> ops = new ArrayList<>();
    increments.forEach(
        (bucket, inc) -> {
          Slot old = slots.getOrDefault(bucket, new Slot(Map.of(), 0));
          Map<String, Long> merged = new TreeMap<>(old.counts());
          inc.forEach((page, n) -> merged.merge(page, n, Long::sum));
          ops.add(TxnOp.cas(Keys.bucketKey(dc, queue, bucket), CountCodec.counts(merged), old.index()));
          newSlots.put(bucket, new Slot(merged, old.index()));
        });
    Set<Long> newApplied = new TreeSet<>(applied);
    newApplied.removeAll(gone);
    newApplied.addAll(counted);
    ops.add(TxnOp.cas(Keys.appliedKey(dc, queue), CountCodec.ids(newApplied), appliedIndex));
    return new Commit(
        List.copyOf(counted), countedHits, List.copyOf(skipped), List.copyOf(ops), new QueueLedger(dc, queue, newSlots, newApplied, appliedIndex));
  }

  /** This ledger with the ModifyIndexes a committed transaction returned. */
  public QueueLedger withIndexes(Map<String, Long> modifyIndexes) {
    Map<Integer, Slot> newSlots = new HashMap<>();
    slots.forEach(
        (bucket, slot) ->
            newSlots.put(
                bucket,
                new Slot(slot.counts(), modifyIndexes.getOrDefault(Keys.bucketKey(dc, queue, bucket), slot.index()))));
    return new QueueLedger(
        dc, queue, Map.copyOf(newSlots), applied, modifyIndexes.getOrDefault(Keys.appliedKey(dc, queue), appliedIndex));
  }
}
