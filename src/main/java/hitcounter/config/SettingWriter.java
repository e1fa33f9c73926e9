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

  public CompletionStage<Optional<VersionedValue>> write(Setting s, JsonNode value) {
    return write(s, value, 3);
  }

  private CompletionStage<Optional<VersionedValue>> write(Setting s, JsonNode value, int attempts) {
    String key = ConfigKeys.key(datacenter, s);
    return consul.kvGet(null, key).thenCompose(current -> {
      long mine = current.flatMap(e -> VersionedValue.parse(e.value())).map(VersionedValue::version).orElse(0L);
      long version = Math.max(mine, writes.highestVersion(s)) + 1;
      VersionedValue w = new VersionedValue(value, version, System.currentTimeMillis(), datacenter);
      long index = current.map(KvEntry::modifyIndex).orElse(0L);
      return consul.txn(null, List.of(TxnOp.cas(key, w.bytes(), index))).thenCompose(r -> {
        if (r.committed()) {
          return CompletableFuture.completedFuture(Optional.of(w));
        }
        return attempts > 1 ? write(s, value, attempts - 1) : CompletableFuture.completedFuture(Optional.<VersionedValue>empty());
      });
    });
  }
}
