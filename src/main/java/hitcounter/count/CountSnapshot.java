package hitcounter.count;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest {@link Totals} of this node, written by {@link CountView} only and read by the
 * request path without asking anyone: answering a hit never waits on Consul.
 */
public final class CountSnapshot {
  private final AtomicReference<Totals> current = new AtomicReference<>(Totals.EMPTY);

  public Totals get() {
    return current.get();
  }

  void set(Totals totals) {
    current.set(totals);
  }
}
