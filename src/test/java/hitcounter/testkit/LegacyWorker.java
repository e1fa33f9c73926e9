package hitcounter.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.Job;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.StoreKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker of the version before the count store, for the rolling-upgrade test: the commit
 * protocol of decision 0001, as that version ran it (16 bucket keys per queue, CAS on every
 * touched bucket and on the applied record, a JSON list of job ids; format-1 jobs only). It runs
 * on its own thread, side by side with new nodes. A value it cannot parse makes it give its
 * batch back, as the old worker did.
 */
public final class LegacyWorker implements AutoCloseable {
  private static final int BUCKETS = 16;
  private final Consul consul;
  private final Beanstalk queue;
  private final String dc;
  private final String name;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  public final AtomicLong counted = new AtomicLong();
  public final AtomicLong refused = new AtomicLong();
  /** When set, the next commit is not followed by its delete, and the worker dies (as kill -9 would). */
  public final AtomicBoolean dieAfterNextCommit = new AtomicBoolean();

  public LegacyWorker(Consul consul, Beanstalk queue, String dc, String name) {
    this.consul = consul;
    this.queue = queue;
    this.dc = dc;
    this.name = name;
    this.thread = new Thread(this::run, "legacy-worker-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running.get()) {
      try {
        once();
      } catch (Exception e) {
        sleep(20);
      }
    }
  }

  private void once() {
    Optional<Job> first = queue.reserve(Duration.ofSeconds(1)).toCompletableFuture().join();
    if (first.isEmpty()) {
      return;
    }
    List<Job> jobs = new ArrayList<>(List.of(first.get()));
    jobs.addAll(queue.reserveReady(49).toCompletableFuture().join());
    long connection = first.get().connection();
    List<Long> ids = jobs.stream().map(Job::id).toList();
    // Read: the buckets and the applied record (a JSON list), both with their ModifyIndex.
    List<KvEntry> buckets = consul.kvTree(null, StoreKeys.legacyCountPrefix(dc, name), 0, Duration.ZERO).toCompletableFuture().join().value();
    Optional<KvEntry> applied = consul.kvGet(null, StoreKeys.legacyApplied(dc, name)).toCompletableFuture().join();
    TreeSet<Long> appliedIds = new TreeSet<>();
    if (applied.isPresent()) {
      JsonNode list = parse(applied.get().value());
      if (list == null || !list.isArray()) {
        refused.incrementAndGet(); // the old code cannot read a fenced record: it gives the batch back
        queue.release(connection, ids, 0, Duration.ZERO).toCompletableFuture().join();
        sleep(50);
        return;
      }
      list.forEach(i -> appliedIds.add(i.asLong()));
    }
    Map<Integer, TreeMap<String, Long>> slots = new HashMap<>();
    Map<Integer, Long> indexes = new HashMap<>();
    for (KvEntry b : buckets) {
      int n = Integer.parseInt(b.key().substring(b.key().lastIndexOf('/') + 1));
      TreeMap<String, Long> m = new TreeMap<>();
      parse(b.value()).fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asLong()));
      slots.put(n, m);
      indexes.put(n, b.modifyIndex());
    }
    TreeSet<Integer> touched = new TreeSet<>();
    long hits = 0;
    for (Job j : jobs) {
      if (appliedIds.contains(j.id())) {
        continue;
      }
      for (String page : new String(j.body(), StandardCharsets.US_ASCII).split("\n")) {
        int bucket = Math.floorMod(page.hashCode(), BUCKETS);
        slots.computeIfAbsent(bucket, x -> new TreeMap<>()).merge(page, 1L, Long::sum);
        touched.add(bucket);
        hits++;
      }
      appliedIds.add(j.id());
    }
    List<TxnOp> ops = new ArrayList<>();
    for (int bucket : touched) {
      ops.add(TxnOp.cas(StoreKeys.legacyCountPrefix(dc, name) + bucket, json(slots.get(bucket)), indexes.getOrDefault(bucket, 0L)));
    }
    ops.add(TxnOp.cas(StoreKeys.legacyApplied(dc, name), json(new ArrayList<>(appliedIds)), applied.map(KvEntry::modifyIndex).orElse(0L)));
    if (!consul.txn(null, ops).toCompletableFuture().join().committed()) {
      queue.release(connection, ids, 0, Duration.ZERO).toCompletableFuture().join();
      return;
    }
    counted.addAndGet(hits);
    if (dieAfterNextCommit.getAndSet(false)) {
      running.set(false);
      queue.close(); // dies between commit and delete: its jobs go back to the queue
      return;
    }
    queue.delete(connection, ids).toCompletableFuture().join();
  }

  private static JsonNode parse(byte[] v) {
    try {
      return Json.mapper().readTree(v);
    } catch (Exception e) {
      return null;
    }
  }

  private static byte[] json(Object o) {
    try {
      return Json.mapper().writeValueAsBytes(o);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean running() {
    return running.get();
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.close();
  }
}
