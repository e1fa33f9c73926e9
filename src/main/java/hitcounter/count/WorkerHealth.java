package hitcounter.count;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the queues this node drains are doing: how old each one's oldest ready job is (measured
 * by its worker while it has work), and which keep failing to commit, since when and why (set
 * when a batch fails, cleared by the next commit). Read by the stall report and by the gauges
 * {@code hitcounter_queue_oldest_ready_seconds{queue}} and
 * {@code hitcounter_worker_failing_seconds{queue}}.
 */
public final class WorkerHealth {
  /** A queue whose commits fail: since when (epoch ms) and the last reason. */
  public record Failing(long sinceMillis, String reason) {}

  private final MeterRegistry registry;
  private final Map<String, Failing> failing = new ConcurrentHashMap<>();
  private final Map<String, Double> oldestReady = new ConcurrentHashMap<>();
  private final Set<String> gauged = ConcurrentHashMap.newKeySet();

  public WorkerHealth(MeterRegistry registry) {
    this.registry = registry;
  }

  public WorkerHealth() {
    this(new SimpleMeterRegistry());
  }

  void failed(String queue, String reason, long now) {
    gauge(queue);
    failing.compute(queue, (q, old) -> new Failing(old == null ? now : old.sinceMillis(), reason));
  }

  void ok(String queue) {
    failing.remove(queue);
  }

  void oldestReady(String queue, double seconds) {
    gauge(queue);
    oldestReady.put(queue, seconds);
  }

  /**
   * The head each queue's last commit on this node left, kept here rather than in the worker so
   * that a worker restarted (after a failure, a Consul outage) still knows what it wrote: the
   * witness of a rollback (Worker.inEpoch).
   */
  private final Map<String, hitcounter.store.QueueHead> written = new ConcurrentHashMap<>();

  void wrote(String queue, hitcounter.store.QueueHead head) {
    written.put(queue, head);
  }

  hitcounter.store.QueueHead lastWritten(String queue) {
    return written.get(queue);
  }

  /** This node stopped draining {@code queue} (what it wrote stays known: the queue may come back). */
  void forget(String queue) {
    failing.remove(queue);
    oldestReady.remove(queue);
  }

  public Map<String, Failing> failing() {
    return new TreeMap<>(failing);
  }

  /** Seconds the oldest ready job of each queue drained here has waited, as last measured. */
  public Map<String, Double> oldestReady() {
    return new TreeMap<>(oldestReady);
  }

  private void gauge(String queue) {
    if (gauged.add(queue)) {
      Gauge.builder("hitcounter.queue.oldest.ready", this, h -> h.oldestReady.getOrDefault(queue, 0.0))
          .description("How long the oldest ready job of each queue this node drains has waited")
          .baseUnit("seconds")
          .tag("queue", queue)
          .register(registry);
      Gauge.builder("hitcounter.worker.failing", this, h -> {
            Failing f = h.failing.get(queue);
            return f == null ? 0 : (System.currentTimeMillis() - f.sinceMillis()) / 1000.0;
          })
          .description("How long each queue's commits have kept failing on this node (0: they succeed)")
          .baseUnit("seconds")
          .tag("queue", queue)
          .register(registry);
    }
  }
}
