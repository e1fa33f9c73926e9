package hitcounter.count;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What the workers of one node did since it started; shared by them, read by audit and metrics. */
public final class WorkerStats {
  public final AtomicLong counted = new AtomicLong();
  public final AtomicLong skippedAsCounted = new AtomicLong();
  public final AtomicLong buried = new AtomicLong();
  public final AtomicLong commits = new AtomicLong();
  public final AtomicLong conflicts = new AtomicLong();
  public final AtomicLong failedCommits = new AtomicLong();
  public final AtomicLong released = new AtomicLong();
  public final AtomicLong commitNanos = new AtomicLong();

  public Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("counted", counted.get());
    out.put("skippedAsCounted", skippedAsCounted.get());
    out.put("buried", buried.get());
    out.put("commits", commits.get());
    out.put("casConflicts", conflicts.get());
    out.put("failedCommits", failedCommits.get());
    out.put("released", released.get());
    return out;
  }
}
