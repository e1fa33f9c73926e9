package hitcounter.infra.beanstalk;

/** beanstalkd answered something unexpected, or the connection is gone. */
public class BeanstalkException extends RuntimeException {
  public BeanstalkException(String message) {
    super(message);
  }

  public BeanstalkException(String message, Throwable cause) {
    super(message, cause);
  }
}
