package hitcounter.count;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest {@link Totals} of this node, written by {@link CountView} only and read by the
 * request path without asking anyone: answering a hit never waits on Consul.
 */
public final class CountSnapshot {
  private final AtomicReference<Totals> current = new AtomicReference<>(Totals.EMPTY);
  private volatile long updatedAtMillis;

  public Totals get() {
    return current.get();
  }

  /** When the view last heard from Consul (0: never). */
  public long updatedAtMillis() {
    return updatedAtMillis;
  }

  void set(Totals totals, long nowMillis) {
    current.set(totals);
    updatedAtMillis = nowMillis;
  }
}
