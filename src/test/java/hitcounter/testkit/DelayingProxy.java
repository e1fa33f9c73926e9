package hitcounter.testkit;

import hitcounter.tools.TcpProxy;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A proxy that holds every request whose bytes contain {@code marker} (e.g. {@code dc=eu-west}:
 * a node's calls to another datacenter through its local Consul) for {@code delayMillis} before
 * forwarding it: a slow WAN, since this kernel has no netem.
 */
public final class DelayingProxy extends TcpProxy {
  private final String marker;
  private volatile long delayMillis;
  private final AtomicLong delayed = new AtomicLong();

  public DelayingProxy(int upstreamPort, String marker, long delayMillis) throws IOException {
    super(upstreamPort);
    this.marker = marker;
    this.delayMillis = delayMillis;
  }

  /** Holds matching requests {@code millis} from now on (0: forwards them at once). */
  public void delay(long millis) {
    this.delayMillis = millis;
  }

  /** Requests held so far. */
  public long delayed() {
    return delayed.get();
  }

  @Override
  protected void beforeForward(StringBuilder sent, String chunk, AtomicBoolean swallow) {
    if (delayMillis > 0 && chunk.contains(marker)) {
      delayed.incrementAndGet();
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
