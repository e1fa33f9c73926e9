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

  /** The local agent's datacenter name. */
  String localDatacenter();

  CompletionStage<Indexed<List<KvEntry>>> kvTree(String dc, String prefix, long index, Duration wait);

  CompletionStage<Optional<KvEntry>> kvGet(String dc, String key);

  CompletionStage<Boolean> kvPut(String dc, String key, byte[] value);

  /** Runs the operations atomically (at most {@link TxnOp#MAX_OPS}). */
  CompletionStage<TxnResult> txn(String dc, List<TxnOp> ops);

  CompletionStage<Indexed<List<ServiceInstance>>> healthyInstances(String service, long index, Duration wait);

  CompletionStage<List<String>> datacenters();

  CompletionStage<Void> register(ServiceRegistration registration);

  CompletionStage<Void> deregister(String serviceId);
}
