package hitcounter.infra.beanstalk;

/**
 * A put that certainly did not queue its job: it was never sent (no connection, the client's
 * queue full or closed), or beanstalkd refused it (OUT_OF_MEMORY, DRAINING, ...). Any other
 * failure of a put (a timeout, a connection that broke after the put was written) leaves its
 * outcome unknown: the job may be queued.
 */
public final class NotQueued extends BeanstalkException {
  public NotQueued(String message) {
    super(message);
  }

  public NotQueued(String message, Throwable cause) {
    super(message, cause);
  }
}
