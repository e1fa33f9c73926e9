package hitcounter.count;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of this node's workers keep failing to commit, since when and why: set by a worker
 * when a batch fails, cleared by its next commit. Read by the stall report and the metrics.
 */
public final class WorkerHealth {
  /** A queue whose commits fail: since when (epoch ms) and the last reason. */
  public record Failing(long sinceMillis, String reason) {}

  private final Map<String, Failing> failing = new ConcurrentHashMap<>();

  void failed(String queue, String reason, long now) {
    failing.compute(queue, (q, old) -> new Failing(old == null ? now : old.sinceMillis(), reason));
  }

  void ok(String queue) {
    failing.remove(queue);
  }

  public Map<String, Failing> failing() {
    return new TreeMap<>(failing);
  }
}
