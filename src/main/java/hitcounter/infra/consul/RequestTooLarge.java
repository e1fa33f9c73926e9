package hitcounter.infra.consul;

/** A request the client refused to send because Consul would answer it 413. */
public final class RequestTooLarge extends ConsulException {
  public RequestTooLarge(String message) {
    super(message);
  }
}
