package hitcounter.count;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the workers of one node did since it started, kept once, in the node's metrics registry:
 * /metrics renders these meters and /api/audit reads them.
 */
public final class WorkerStats {
  private final Counter counted;
  private final Counter skippedAsCounted;
  private final Counter buried;
  private final Counter released;
  private final Counter conflicts;
  private final Counter failedCommits;
  private final Timer commits;

  private final MeterRegistry registry;

  /** The registry these meters are in (the store's loss counter goes there too). */
  MeterRegistry registry() {
    return registry;
  }

  public WorkerStats(MeterRegistry registry) {
    this.registry = registry;
    counted = Counter.builder("hitcounter.worker.hits.counted").description("Hits counted by this node's workers").register(registry);
    skippedAsCounted =
        Counter.builder("hitcounter.worker.jobs.skipped")
            .description("Redelivered jobs skipped because they were counted already")
            .register(registry);
    buried = Counter.builder("hitcounter.worker.jobs.buried").description("Poison jobs buried").register(registry);
    released =
        Counter.builder("hitcounter.worker.jobs.released")
            .description("Jobs given back to their queue after repeated commit failures")
            .register(registry);
    conflicts = commitOutcome(registry, "conflict");
    failedCommits = commitOutcome(registry, "failed");
    commits =
        Timer.builder("hitcounter.worker.commit")
            .description("Batch commits that succeeded (one Consul transaction each), and how long they took")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
  }

  /** Stats on a private registry (tests, tools). */
  public WorkerStats() {
    this(new SimpleMeterRegistry());
  }

  private static Counter commitOutcome(MeterRegistry registry, String outcome) {
    return Counter.builder("hitcounter.worker.commit.failures")
        .description("Batch commits that did not succeed: a CAS conflict, or a failure whose outcome is read back")
        .tag("reason", outcome)
        .register(registry);
  }

  public void counted(long hits) {
    counted.increment(hits);
  }

  public void skipped(long jobs) {
    skippedAsCounted.increment(jobs);
  }

  public void buried() {
    buried.increment();
  }

  public void released(long jobs) {
    released.increment(jobs);
  }

  public void conflict() {
    conflicts.increment();
  }

  public void failedCommit() {
    failedCommits.increment();
  }

  public void committed(long nanos) {
    commits.record(nanos, TimeUnit.NANOSECONDS);
  }

  public long countedHits() {
    return (long) counted.count();
  }

  public Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("counted", (long) counted.count());
    out.put("skippedAsCounted", (long) skippedAsCounted.count());
    out.put("buried", (long) buried.count());
    out.put("commits", commits.count());
    out.put("casConflicts", (long) conflicts.count());
    out.put("failedCommits", (long) failedCommits.count());
    out.put("released", (long) released.count());
    return out;
  }
}
