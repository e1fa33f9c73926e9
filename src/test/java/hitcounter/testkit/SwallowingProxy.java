package hitcounter.testkit;

import hitcounter.tools.TcpProxy;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A proxy that forwards everything, except that the first request containing every one of
 * {@code markers} is forwarded and its answer swallowed: the connection is closed instead, after
 * the server has answered (the write committed, the reply lost). For "a reply lost after the
 * write committed"; a timeout is a different fault.
 */
public final class SwallowingProxy extends TcpProxy {
  private final String[] markers;
  private final AtomicBoolean armed = new AtomicBoolean(true);
  private final AtomicInteger swallowed = new AtomicInteger();

  public SwallowingProxy(int upstreamPort, String... markers) throws IOException {
    super(upstreamPort);
    this.markers = markers;
  }

  /** How many answers were swallowed so far (0 or 1). */
  public int swallowed() {
    return swallowed.get();
  }

  @Override
  protected void beforeForward(StringBuilder sent, String chunk, AtomicBoolean swallow) {
    boolean all = true;
    for (String m : markers) {
      all &= sent.indexOf(m) >= 0;
    }
    if (all && armed.compareAndSet(true, false)) {
      swallow.set(true);
    }
  }

  @Override
  protected void swallowedOne() {
    swallowed.incrementAndGet();
  }
}
