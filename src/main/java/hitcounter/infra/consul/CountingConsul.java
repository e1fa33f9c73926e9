package hitcounter.infra.consul;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Consul} that counts the calls it passes on: the batching figures of /metrics. */
public final class CountingConsul implements Consul {
  private final Consul inner;
  public final AtomicLong writes = new AtomicLong();
  public final AtomicLong txnOps = new AtomicLong();
  public final AtomicLong reads = new AtomicLong();
  public final AtomicLong blockingReads = new AtomicLong();

  public CountingConsul(Consul inner) {
    this.inner = inner;
  }

  @Override
  public String localDatacenter() {
    return inner.localDatacenter();
  }

  @Override
  public CompletionStage<Indexed<List<KvEntry>>> kvTree(String dc, String prefix, long index, Duration wait) {
    (index > 0 ? blockingReads : reads).incrementAndGet();
    return inner.kvTree(dc, prefix, index, wait);
  }

  @Override
  public CompletionStage<Optional<KvEntry>> kvGet(String dc, String key) {
    reads.incrementAndGet();
    return inner.kvGet(dc, key);
  }

  @Override
  public CompletionStage<Boolean> kvPut(String dc, String key, byte[] value) {
    writes.incrementAndGet();
    txnOps.incrementAndGet();
    return inner.kvPut(dc, key, value);
  }

  @Override
  public CompletionStage<TxnResult> txn(String dc, List<TxnOp> ops) {
    writes.incrementAndGet();
    txnOps.addAndGet(ops.size());
    return inner.txn(dc, ops);
  }

  @Override
  public CompletionStage<Indexed<List<ServiceInstance>>> healthyInstances(String service, long index, Duration wait) {
    (index > 0 ? blockingReads : reads).incrementAndGet();
    return inner.healthyInstances(service, index, wait);
  }

  @Override
  public CompletionStage<List<String>> datacenters() {
    reads.incrementAndGet();
    return inner.datacenters();
  }

  @Override
  public CompletionStage<Void> register(ServiceRegistration registration) {
    return inner.register(registration);
  }

  @Override
  public CompletionStage<Void> deregister(String serviceId) {
    return inner.deregister(serviceId);
  }
}
