package hitcounter.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stalls every node of this datacenter reported (through {@code hitcounter/status/<dc>/}),
 * as this node last read them. A node's report stays in force while it keeps being renewed: a
 * report that did not change for {@code expireAfter} is dropped (its node is gone).
 */
public final class LocalStalls {
  private record Report(List<Stall> stalls, long seenAtMillis) {}

  private final Map<String, Report> reports = new ConcurrentHashMap<>();
  private final long expireAfterMillis;
  private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

  public LocalStalls(java.time.Duration expireAfter) {
    this.expireAfterMillis = expireAfter.toMillis();
  }

  public void heard(String node, List<Stall> stalls, boolean changed, long now) {
    reports.compute(node, (n, old) -> new Report(stalls, changed || old == null ? now : old.seenAtMillis()));
    version.incrementAndGet();
  }

  /** Bumped by every report heard (an answer rendered before may be out of date). */
  public long version() {
    return version.get();
  }

  void forgetOthers(java.util.Set<String> nodes) {
    reports.keySet().retainAll(nodes);
    version.incrementAndGet();
  }

  /** The stalls in force now, from every node. */
  public List<Stall> current() {
    long now = System.currentTimeMillis();
    List<Stall> out = new ArrayList<>();
    reports.values().forEach(r -> {
      if (now - r.seenAtMillis() < expireAfterMillis) {
        out.addAll(r.stalls());
      }
    });
    return out;
  }
}
