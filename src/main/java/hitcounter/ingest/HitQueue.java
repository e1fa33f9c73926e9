package hitcounter.ingest;

import hitcounter.infra.beanstalk.Beanstalk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts hits on this node's beanstalkd: the job body is the page id. Completes once beanstalkd
 * answered INSERTED (the hit is then acknowledged), fails when it did not within the timeout.
 */
public final class HitQueue {
  private final Beanstalk beanstalk;
  private final Duration timeout;
  private final Duration ttr;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  public HitQueue(Beanstalk beanstalk, Duration timeout, Duration ttr) {
    this.beanstalk = beanstalk;
    this.timeout = timeout;
    this.ttr = ttr;
  }

  public CompletionStage<Long> enqueue(String page) {
    return beanstalk
        .put(page.getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, ttr)
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((id, e) -> (e == null ? accepted : rejected).incrementAndGet());
  }

  /** Hits acknowledged (INSERTED) by this node since it started. */
  public long accepted() {
    return accepted.get();
  }

  /** Hits answered 503 because they could not be queued. */
  public long rejected() {
    return rejected.get();
  }
}
