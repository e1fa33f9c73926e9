package hitcounter.fakes;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.ServiceInstance;
import hitcounter.infra.consul.ServiceRegistration;
import hitcounter.infra.consul.TxnOp;
import hitcounter.infra.consul.TxnResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory Consul of one or more datacenters for unit tests: KV with ModifyIndex, CAS
 * transactions, blocking queries (answered when the index moves or after the wait). Can be told
 * to fail the next transactions, or to run something just before one (to force a conflict).
 */
public final class FakeConsul implements Consul {
  private final String localDc;
  private final Map<String, TreeMap<String, KvEntry>> kv = new HashMap<>();
  private final Map<String, List<ServiceInstance>> services = new HashMap<>();
  private final List<Runnable> beforeNextTxn = new ArrayList<>();
  private final List<CompletableFuture<Void>> waiters = new ArrayList<>();
  public final AtomicInteger failTxns = new AtomicInteger();
  /**
   * Transactions that write a key starting with this prefix commit, and are then answered 409 as
   * a connection pool's retry of a committed request would be (null: none). Taken by the first
   * such transaction.
   */
  public volatile String commitThenConflict;
  public final AtomicInteger txns = new AtomicInteger();
  public final AtomicInteger writeOps = new AtomicInteger();
  private long index = 1;

  /** A Consul whose local datacenter's store exists already (is marked), as after its first start. */
  public FakeConsul(String localDc) {
    this.localDc = localDc;
    put(localDc, hitcounter.store.StoreMarker.key(localDc), new hitcounter.store.StoreMarker("test-store", 1, null, 0).toBytes());
  }

  @Override
  public String localDatacenter() {
    return localDc;
  }

  public synchronized void put(String dc, String key, byte[] value) {
    store(dc).put(key, new KvEntry(key, value, ++index));
    wake();
  }

  /** A copy of datacenter {@code dc}'s keys, as {@code consul snapshot save} takes one. */
  public synchronized Map<String, KvEntry> snapshot(String dc) {
    return new TreeMap<>(store(dc));
  }

  /**
   * Puts {@code dc}'s keys back as they were in {@code snapshot} (old values, old ModifyIndexes),
   * as {@code consul snapshot restore} does. Like Consul, it wakes no watcher: a blocking query
   * sees the restored keys at the next write.
   */
  public synchronized void restore(String dc, Map<String, KvEntry> snapshot) {
    store(dc).clear();
    store(dc).putAll(snapshot);
  }

  /** Keys written create-only (CAS 0) that had been written before: names used twice. */
  public final java.util.Set<String> reusedNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.Set<String> everCreated = new java.util.HashSet<>();

  public synchronized Optional<KvEntry> entry(String dc, String key) {
    return Optional.ofNullable(store(dc).get(key));
  }

  public synchronized void beforeNextTxn(Runnable r) {
    beforeNextTxn.add(r);
  }

  public synchronized void setServices(String name, List<ServiceInstance> instances) {
    services.put(name, List.copyOf(instances));
    index++;
    wake();
  }

  /** Reads answered (every KV read but blocking queries that waited) and the bytes of the values they carried. */
  public final AtomicInteger reads = new AtomicInteger();
  public final java.util.concurrent.atomic.AtomicLong readBytes = new java.util.concurrent.atomic.AtomicLong();

  private void read(java.util.Collection<KvEntry> entries) {
    reads.incrementAndGet();
    entries.forEach(e -> readBytes.addAndGet(e.value() == null ? 0 : e.value().length));
  }

  @Override
  public CompletionStage<Indexed<List<KvEntry>>> kvTree(String dc, String prefix, long since, Duration wait) {
    return afterChange(since, wait)
        .thenApply(
            x -> {
              synchronized (this) {
                List<KvEntry> out = new ArrayList<>(store(dc).subMap(prefix, prefix + Character.MAX_VALUE).values());
                read(out);
                return new Indexed<>(out, index);
              }
            });
  }

  @Override
  public synchronized CompletionStage<Optional<KvEntry>> kvGet(String dc, String key) {
    read(Optional.ofNullable(store(dc).get(key)).stream().toList());
    return CompletableFuture.completedFuture(Optional.ofNullable(store(dc).get(key)));
  }

  /**
   * When above 0: GETs of a value answer asynchronously, a few ms later, and fail as Pekko
   * HTTP's pool does when more than this many are open at once (max-open-requests).
   */
  public volatile int maxOpenGets;
  public final AtomicInteger openGets = new AtomicInteger();
  public final AtomicInteger refusedGets = new AtomicInteger();

  @Override
  public synchronized CompletionStage<Optional<byte[]>> kvGetRaw(String dc, String key) {
    read(Optional.ofNullable(store(dc).get(key)).stream().toList());
    Optional<byte[]> value = Optional.ofNullable(store(dc).get(key)).map(KvEntry::value);
    if (maxOpenGets <= 0) {
      return CompletableFuture.completedFuture(value);
    }
    if (openGets.incrementAndGet() > maxOpenGets) {
      openGets.decrementAndGet();
      refusedGets.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("Exceeded configured max-open-requests value of [" + maxOpenGets + "]"));
    }
    return CompletableFuture.supplyAsync(() -> {
      openGets.decrementAndGet();
      return value;
    }, CompletableFuture.delayedExecutor(2, java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  @Override
  public synchronized CompletionStage<Boolean> kvPut(String dc, String key, byte[] value) {
    put(dc, key, value);
    return CompletableFuture.completedFuture(true);
  }

  @Override
  public synchronized CompletionStage<Boolean> kvPutCas(String dc, String key, byte[] value, long casIndex) {
    if (value.length > TxnOp.MAX_BODY_BYTES) {
      return CompletableFuture.failedFuture(new hitcounter.infra.consul.RequestTooLarge("too large"));
    }
    KvEntry cur = store(dc).get(key);
    if ((cur == null ? 0 : cur.modifyIndex()) != casIndex) {
      return CompletableFuture.completedFuture(false);
    }
    put(dc, key, value);
    return CompletableFuture.completedFuture(true);
  }

  @Override
  public synchronized CompletionStage<List<String>> kvKeys(String dc, String prefix) {
    reads.incrementAndGet();
    return CompletableFuture.completedFuture(new ArrayList<>(store(dc).subMap(prefix, prefix + Character.MAX_VALUE).keySet()));
  }

  /** Removes a key, as an operator or a data loss would. */
  public synchronized void remove(String dc, String key) {
    store(dc).remove(key);
    index++;
    wake();
  }

  public synchronized int keyCount(String dc) {
    return store(dc).size();
  }

  @Override
  public CompletionStage<TxnResult> txn(String dc, List<TxnOp> ops) {
    if (ops.size() > TxnOp.MAX_OPS || ops.stream().mapToInt(TxnOp::bodyBytes).sum() > TxnOp.MAX_BODY_BYTES) {
      return CompletableFuture.failedFuture(new hitcounter.infra.consul.RequestTooLarge("too large"));
    }
    List<Runnable> before;
    synchronized (this) {
      txns.incrementAndGet();
      before = new ArrayList<>(beforeNextTxn);
      beforeNextTxn.clear();
    }
    before.forEach(Runnable::run);
    synchronized (this) {
      if (failTxns.get() > 0) {
        failTxns.decrementAndGet();
        return CompletableFuture.failedFuture(new RuntimeException("injected Consul failure"));
      }
      TreeMap<String, KvEntry> s = store(dc);
      List<String> errors = new ArrayList<>();
      for (int i = 0; i < ops.size(); i++) {
        TxnOp op = ops.get(i);
        KvEntry cur = s.get(op.key());
        long curIndex = cur == null ? 0 : cur.modifyIndex();
        if ((op.verb() == TxnOp.Verb.CAS || op.verb() == TxnOp.Verb.DELETE_CAS) && curIndex != op.index()) {
          errors.add(i + ": cas failed");
        }
        if (op.verb() == TxnOp.Verb.CHECK_INDEX && (cur == null || curIndex != op.index())) {
          errors.add(i + ": check-index failed");
        }
        if (op.verb() == TxnOp.Verb.GET && cur == null) {
          errors.add(i + ": key doesn't exist");
        }
      }
      if (!errors.isEmpty()) {
        return CompletableFuture.completedFuture(TxnResult.conflict(errors));
      }
      Map<String, Long> indexes = new HashMap<>();
      Map<String, KvEntry> read = new HashMap<>();
      boolean writes = ops.stream().anyMatch(o -> o.verb().writes());
      long next = writes ? ++index : index;
      for (TxnOp op : ops) {
        switch (op.verb()) {
          case GET -> read.put(op.key(), s.get(op.key()));
          case CHECK_INDEX -> { }
          case DELETE, DELETE_CAS -> s.remove(op.key());
          case DELETE_TREE -> s.keySet().removeIf(k -> k.startsWith(op.key()));
          default -> {
            if (op.verb() == TxnOp.Verb.CAS && op.index() == 0 && !everCreated.add(dc + "/" + op.key())) {
              reusedNames.add(op.key());
            }
            s.put(op.key(), new KvEntry(op.key(), op.value(), next));
            indexes.put(op.key(), next);
          }
        }
      }
      if (writes) {
        writeOps.addAndGet(ops.size());
        wake();
      }
      String doubt = commitThenConflict;
      if (doubt != null && ops.stream().anyMatch(o -> o.verb().writes() && o.key().startsWith(doubt))) {
        commitThenConflict = null;
        return CompletableFuture.completedFuture(TxnResult.conflict(List.of("0: cas failed")));
      }
      return CompletableFuture.completedFuture(TxnResult.committed(indexes, read));
    }
  }

  @Override
  public CompletionStage<Indexed<List<ServiceInstance>>> healthyInstances(String service, long since, Duration wait) {
    return afterChange(since, wait)
        .thenApply(
            x -> {
              synchronized (this) {
                return new Indexed<>(services.getOrDefault(service, List.of()), index);
              }
            });
  }

  @Override
  public synchronized CompletionStage<List<String>> datacenters() {
    List<String> dcs = new ArrayList<>(kv.keySet());
    if (!dcs.contains(localDc)) {
      dcs.add(localDc);
    }
    return CompletableFuture.completedFuture(dcs);
  }

  @Override
  public CompletionStage<Void> register(ServiceRegistration registration) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> deregister(String serviceId) {
    return CompletableFuture.completedFuture(null);
  }

  private synchronized CompletableFuture<Void> afterChange(long since, Duration wait) {
    if (since == 0 || since < index) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> w = new CompletableFuture<>();
    waiters.add(w);
    return w.completeOnTimeout(null, Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
  }

  private void wake() {
    List<CompletableFuture<Void>> ws = new ArrayList<>(waiters);
    waiters.clear();
    ws.forEach(w -> w.complete(null));
  }

  private TreeMap<String, KvEntry> store(String dc) {
    return kv.computeIfAbsent(dc == null ? localDc : dc, d -> new TreeMap<>());
  }
}
