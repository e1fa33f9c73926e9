package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes a setting in this datacenter's slot with a version above every version seen (CAS on
 * the slot, a lost CAS tried again); the replicator takes it everywhere. Empty when Consul did
 * not take it.
 */
public final class SettingWriter {
  private final Consul consul;
  private final ConfigView.Writes writes;
  private final String datacenter;

  public SettingWriter(Consul consul, ConfigView.Writes writes, String datacenter) {
    this.consul = consul;
    this.writes = writes;
    this.datacenter = datacenter;
  }

  /**
   * A map setting as this node knows it in force once {@code written} (this datacenter's write,
   * just made) is in: every other datacenter's write as last read, merged entry by entry with it
   * ({@link EntryMerge}). An edit that lost to one made elsewhere shows here as that one.
   */
  public JsonNode inForce(Setting s, VersionedValue written) {
    List<VersionedValue> all = new java.util.ArrayList<>(writes.all().getOrDefault(s, List.of()));
    all.removeIf(v -> v.dc().equals(datacenter));
    all.add(written);
    return EntryMerge.merge(all);
  }

  public CompletionStage<Optional<VersionedValue>> write(Setting s, JsonNode value) {
    return update(s, value, current -> value, 3);
  }

  /**
   * Writes {@code change} applied to the value in force, read at the moment of writing: the
   * latest of this datacenter's slot (read from Consul, and CAS-checked) and of every slot this
   * node has seen ({@code fallback} when there is none). Two edits through this datacenter never
   * lose each other (a lost CAS reads again); edits in two datacenters at once are settled by
   * the settings' rule: the later one wins whole, but for a map (the sites) entry by entry
   * ({@link EntryMerge}), so edits of two entries both hold.
   */
  public CompletionStage<Optional<VersionedValue>> update(Setting s, JsonNode fallback, java.util.function.UnaryOperator<JsonNode> change) {
    return update(s, fallback, change, 5);
  }

  private CompletionStage<Optional<VersionedValue>> update(Setting s, JsonNode fallback, java.util.function.UnaryOperator<JsonNode> change, int attempts) {
    String key = ConfigKeys.key(datacenter, s);
    return consul.kvGet(null, key).thenCompose(current -> {
      // A write here that is not a valid value is left out, as every view leaves it out.
      Optional<VersionedValue> mine = current.flatMap(e -> VersionedValue.parse(e.value())).filter(v -> s.problem(v.value()).isEmpty());
      VersionedValue winner = mine.orElse(null);
      for (VersionedValue v : writes.all().getOrDefault(s, List.of())) {
        if (v.newerThan(winner)) {
          winner = v;
        }
      }
      long now = System.currentTimeMillis();
      JsonNode value;
      if (s.isMap()) {
        // Entry by entry (decision 0016): the change applies to the merge of every write, and
        // what it changed is stamped, so that an edit elsewhere of another entry stays.
        List<VersionedValue> all = new java.util.ArrayList<>(writes.all().getOrDefault(s, List.of()));
        all.removeIf(v -> v.dc().equals(datacenter));
        mine.ifPresent(all::add);
        com.fasterxml.jackson.databind.node.ObjectNode merged = EntryMerge.merge(all);
        JsonNode base = merged.isEmpty() && fallback != null && fallback.isObject() ? fallback : merged;
        value = EntryMerge.stamp(all, base.isObject() ? (com.fasterxml.jackson.databind.node.ObjectNode) base : merged, change.apply(base.deepCopy()), now, datacenter);
      } else {
        value = change.apply(winner == null ? fallback : winner.value());
      }
      if (s.problem(value).isPresent()) {
        // Never written: every view would refuse it (a merge past the sites' bound, say).
        return CompletableFuture.failedFuture(new IllegalArgumentException(s.key + ": " + s.problem(value).get()));
      }
      long version = Math.max(mine.map(VersionedValue::version).orElse(0L), writes.highestVersion(s)) + 1;
      VersionedValue w = new VersionedValue(value, version, now, datacenter);
      long index = current.map(KvEntry::modifyIndex).orElse(0L);
      return consul.txn(null, List.of(TxnOp.cas(key, w.bytes(), index))).thenCompose(r -> {
        if (r.committed()) {
          return CompletableFuture.completedFuture(Optional.of(w));
        }
        return attempts > 1 ? update(s, fallback, change, attempts - 1) : CompletableFuture.completedFuture(Optional.<VersionedValue>empty());
      });
    });
  }
}
