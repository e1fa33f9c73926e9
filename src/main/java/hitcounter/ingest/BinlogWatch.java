package hitcounter.ingest;

import java.util.Map;
import java.util.Optional;

/**
 * Tells from two readings of beanstalkd's {@code stats} whether its binlog still takes every
 * job: beanstalkd turns its binlog off after a write error inside its preallocated file and goes
 * on answering INSERTED. Every job put is one binlog record when the binlog works, so jobs
 * created without as many records written means acknowledged hits that are not on disk. A pure
 * rule, fed by {@link QueueMonitor}; a restarted beanstalkd (new pid) starts a new reading.
 */
public final class BinlogWatch {
  private long pid = -1;
  private long jobs = -1;
  private long records = -1;
  private String failed;

  /** Feeds one reading; returns why the binlog is failing, or empty when it is fine. */
  public Optional<String> observe(Map<String, String> stats) {
    long p = num(stats, "pid");
    long j = num(stats, "total-jobs");
    long r = num(stats, "binlog-records-written");
    boolean binlog = num(stats, "binlog-max-size") > 0 && stats.containsKey("binlog-current-index") && num(stats, "binlog-current-index") > 0;
    if (p != pid) {
      pid = p;
      failed = null;
    } else if (binlog && failed == null && j > jobs && r - records < j - jobs) {
      failed = "beanstalkd stopped writing its binlog (" + (j - jobs) + " jobs put, " + (r - records)
          + " binlog records written): acknowledged hits would not be on disk";
    }
    jobs = j;
    records = r;
    return Optional.ofNullable(failed);
  }

  private static long num(Map<String, String> stats, String key) {
    try {
      return Long.parseLong(stats.getOrDefault(key, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
