package hitcounter.replicate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How this node's copies to each other datacenter fare (when it is the datacenter's
 * replicator): how long a change has waited to reach each target (the copy age: 0 when the
 * target is up to date), whether rounds keep failing, since when and why, and the bytes sent.
 * Gauges {@code hitcounter_replication_copy_age_seconds{target_datacenter}} and counter
 * {@code hitcounter_replication_bytes_total{target_datacenter}}.
 */
public final class CopyStatus {
  /** One target: oldest change not copied yet (epoch ms, 0: none), failing since (0: not failing), last reason. */
  public record Target(long pendingSinceMillis, long failingSinceMillis, String reason) {
    public double ageSeconds(long now) {
      return pendingSinceMillis == 0 ? 0 : (now - pendingSinceMillis) / 1000.0;
    }
  }

  private final MeterRegistry registry;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();
  private final Map<String, Counter> bytes = new ConcurrentHashMap<>();

  public CopyStatus(MeterRegistry registry) {
    this.registry = registry;
  }

  private final hitcounter.store.SnapshotsInUse reading = new hitcounter.store.SnapshotsInUse();

  /** The snapshots the copies are reading now (the folder keeps them until they are done). */
  public hitcounter.store.SnapshotsInUse reading() {
    return reading;
  }

  /** Where the copy's meters go (the store's loss counter too). */
  MeterRegistry registry() {
    return registry;
  }

  public CopyStatus() {
    this(new SimpleMeterRegistry());
  }

  public Map<String, Target> targets() {
    return new TreeMap<>(targets);
  }

  void changed(String target, long now) {
    targets.compute(target, (t, old) -> {
      if (old == null) {
        register(t);
        return new Target(now, 0, "");
      }
      return old.pendingSinceMillis() == 0 ? new Target(now, old.failingSinceMillis(), old.reason()) : old;
    });
  }

  /**
   * A round that began at {@code startedAt} (ms) finished: it carried every change made before
   * it began, so what still waits changed after that (under steady load a round never ends up to
   * date, and the age must not grow for it). {@code startedAt} 0: the round left something
   * behind (a small copy not taken), so the oldest change still waits.
   */
  void succeeded(String target, boolean upToDate, long sentBytes, long startedAt) {
    targets.computeIfPresent(target, (t, old) -> new Target(upToDate || old.pendingSinceMillis() == 0 ? 0 : Math.max(old.pendingSinceMillis(), startedAt), 0, ""));
    bytes.computeIfAbsent(target, t -> Counter.builder("hitcounter.replication.bytes")
        .description("Request bytes of copies of this datacenter's counts sent to another datacenter")
        .baseUnit("bytes")
        .tag("target_datacenter", t)
        .register(registry)).increment(sentBytes);
  }

  void failed(String target, String reason, long now) {
    targets.compute(target, (t, old) -> {
      if (old == null) {
        register(t);
        return new Target(now, now, reason);
      }
      return new Target(old.pendingSinceMillis() == 0 ? now : old.pendingSinceMillis(), old.failingSinceMillis() == 0 ? now : old.failingSinceMillis(), reason);
    });
  }

  void forget(String target) {
    targets.remove(target);
  }

  /** This node no longer replicates: no target of its own waits (the gauges read 0). */
  void clear() {
    targets.clear();
  }

  private void register(String target) {
    Gauge.builder("hitcounter.replication.copy.age", this, s -> {
          Target t = s.targets.get(target);
          return t == null ? 0 : t.ageSeconds(System.currentTimeMillis());
        })
        .description("How long the oldest change of this datacenter's counts has waited to reach each other datacenter (0: up to date)")
        .baseUnit("seconds")
        .tag("target_datacenter", target)
        .register(registry);
  }
}
