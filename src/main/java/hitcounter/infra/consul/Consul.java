package hitcounter.infra.consul;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The one Consul access layer. {@code dc} null means the local agent's datacenter. A read with
 * {@code index > 0} is a blocking query: it answers when the data changed past {@code index} or
 * after {@code wait}.
 */
public interface Consul {
  /**
   * The last segment of a watch marker: an empty key that keeps a watched prefix present in
   * Consul's tree ({@link WatchMarkers}). Listings ({@link #kvTree}, {@link #kvKeys}) leave it out.
   */
  String WATCH_MARKER = "~watch";

  static boolean isWatchMarker(String key) {
    return key.endsWith("/" + WATCH_MARKER);
  }

  /** Whether Consul answered any request of this node within {@code d} (false when not known). */
  default boolean answeredWithin(Duration d) {
    return false;
  }

  /** The local agent's datacenter name. */
  String localDatacenter();

  CompletionStage<Indexed<List<KvEntry>>> kvTree(String dc, String prefix, long index, Duration wait);

  CompletionStage<Optional<KvEntry>> kvGet(String dc, String key);

  /** A key's raw value ({@code ?raw}: no JSON, no base64), or empty when the key does not exist. */
  CompletionStage<Optional<byte[]>> kvGetRaw(String dc, String key);

  CompletionStage<Boolean> kvPut(String dc, String key, byte[] value);

  /**
   * Writes {@code value} (raw, not base64: up to {@link TxnOp#MAX_BODY_BYTES}) only if the key's
   * ModifyIndex is {@code index} (0: only if it does not exist); false when the check failed.
   */
  CompletionStage<Boolean> kvPutCas(String dc, String key, byte[] value, long index);

  /** The keys under {@code prefix} (no values). */
  CompletionStage<List<String>> kvKeys(String dc, String prefix);

  /**
   * Runs the operations atomically (at most {@link TxnOp#MAX_OPS}, body at most
   * {@link TxnOp#MAX_BODY_BYTES}: a larger one fails with {@link RequestTooLarge}, unsent). A
   * transaction of reads only is answered without a write.
   */
  CompletionStage<TxnResult> txn(String dc, List<TxnOp> ops);

  CompletionStage<Indexed<List<ServiceInstance>>> healthyInstances(String service, long index, Duration wait);

  CompletionStage<List<String>> datacenters();

  CompletionStage<Void> register(ServiceRegistration registration);

  CompletionStage<Void> deregister(String serviceId);
}
