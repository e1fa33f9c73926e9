package hitcounter.infra.consul;

/** Consul could not be reached or answered with an unexpected status. */
public class ConsulException extends RuntimeException {
  public ConsulException(String message) {
    super(message);
  }
}
