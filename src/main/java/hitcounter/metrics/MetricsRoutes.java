package hitcounter.metrics;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.count.CountSnapshot;
import hitcounter.count.WorkerStats;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.consul.CountingConsul;
import hitcounter.ingest.HitQueue;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: Prometheus text format. Hits accepted and refused, this node's queue
 * depth, worker batches (size, commit latency, CAS conflicts), Consul calls, and how old each
 * datacenter's figures are here (replication lag).
 */
public final class MetricsRoutes {
  private final String node;
  private final String datacenter;
  private final HitQueue queue;
  private final Beanstalk ownQueue;
  private final WorkerStats workers;
  private final CountingConsul consul;
  private final Supplier<Map<String, Double>> datacenterAges;

  public MetricsRoutes(
      String node,
      String datacenter,
      HitQueue queue,
      Beanstalk ownQueue,
      WorkerStats workers,
      CountingConsul consul,
      Supplier<Map<String, Double>> datacenterAges) {
    this.node = node;
    this.datacenter = datacenter;
    this.queue = queue;
    this.ownQueue = ownQueue;
    this.workers = workers;
    this.consul = consul;
    this.datacenterAges = datacenterAges;
  }

  public Route routes() {
    return path(PathMatchers.segment("metrics"), () -> get(() -> onSuccess(render(), text -> complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, text))))));
  }

  private CompletionStage<String> render() {
    return ownQueue
        .stats()
        .toCompletableFuture()
        .orTimeout(1, TimeUnit.SECONDS)
        .handle((stats, e) -> text(stats));
  }

  private String text(Map<String, String> queueStats) {
    String labels = "{node=\"" + node + "\",datacenter=\"" + datacenter + "\"}";
    StringBuilder out = new StringBuilder(2048);
    metric(out, "hitcounter_hits_accepted_total", "counter", "Hits acknowledged (200) by this node.", labels, queue.accepted());
    metric(out, "hitcounter_hits_rejected_total", "counter", "Hits answered 503: they could not be queued.", labels, queue.rejected());
    if (queueStats != null) {
      metric(out, "hitcounter_queue_ready_jobs", "gauge", "Jobs waiting in this node's beanstalkd.", labels, num(queueStats, "current-jobs-ready"));
      metric(out, "hitcounter_queue_reserved_jobs", "gauge", "Jobs reserved by workers in this node's beanstalkd.", labels, num(queueStats, "current-jobs-reserved"));
      metric(out, "hitcounter_queue_buried_jobs", "gauge", "Poison jobs buried in this node's beanstalkd.", labels, num(queueStats, "current-jobs-buried"));
    }
    long commits = workers.commits.get();
    metric(out, "hitcounter_worker_counted_total", "counter", "Hits counted by this node's workers.", labels, workers.counted.get());
    metric(out, "hitcounter_worker_commits_total", "counter", "Batch commits (one Consul transaction each).", labels, commits);
    metric(out, "hitcounter_worker_commit_seconds_total", "counter", "Time spent in batch commits.", labels, workers.commitNanos.get() / 1e9);
    metric(out, "hitcounter_worker_batch_size_avg", "gauge", "Hits per commit, on average.", labels, commits == 0 ? 0 : (double) workers.counted.get() / commits);
    metric(out, "hitcounter_worker_cas_conflicts_total", "counter", "Commits rolled back by a CAS conflict.", labels, workers.conflicts.get());
    metric(out, "hitcounter_worker_failed_commits_total", "counter", "Commits that failed (outcome read back).", labels, workers.failedCommits.get());
    metric(out, "hitcounter_worker_skipped_as_counted_total", "counter", "Redelivered jobs skipped: already counted.", labels, workers.skippedAsCounted.get());
    metric(out, "hitcounter_worker_buried_total", "counter", "Poison jobs buried.", labels, workers.buried.get());
    metric(out, "hitcounter_worker_released_total", "counter", "Jobs given back after repeated commit failures.", labels, workers.released.get());
    metric(out, "hitcounter_consul_writes_total", "counter", "Consul writes (transactions and puts) by this node.", labels, consul.writes.get());
    metric(out, "hitcounter_consul_write_ops_total", "counter", "KV operations inside those writes.", labels, consul.txnOps.get());
    metric(out, "hitcounter_consul_reads_total", "counter", "Non-blocking Consul reads by this node.", labels, consul.reads.get());
    metric(out, "hitcounter_consul_blocking_reads_total", "counter", "Blocking-query answers received.", labels, consul.blockingReads.get());
    out.append("# HELP hitcounter_datacenter_age_seconds How long ago this node last heard of each datacenter's figures.\n");
    out.append("# TYPE hitcounter_datacenter_age_seconds gauge\n");
    datacenterAges.get().forEach((dc, age) ->
        out.append("hitcounter_datacenter_age_seconds{node=\"").append(node).append("\",datacenter=\"").append(dc).append("\"} ").append(age).append('\n'));
    return out.toString();
  }

  private static long num(Map<String, String> stats, String key) {
    try {
      return Long.parseLong(stats.getOrDefault(key, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void metric(StringBuilder out, String name, String type, String help, String labels, double value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(labels).append(' ');
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      out.append((long) value);
    } else {
      out.append(value);
    }
    out.append('\n');
  }
}
