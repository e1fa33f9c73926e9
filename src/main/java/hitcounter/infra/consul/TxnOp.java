package hitcounter.infra.consul;

/**
 * One KV operation of a Consul transaction: every write of this project is a check-and-set.
 * {@code index} is the ModifyIndex the key must have (0: the key must not exist yet).
 */
public record TxnOp(Verb verb, String key, byte[] value, long index) {
  public enum Verb {
    CAS("cas");

    final String wire;

    Verb(String wire) {
      this.wire = wire;
    }
  }

  public static TxnOp cas(String key, byte[] value, long index) {
    return new TxnOp(Verb.CAS, key, value, index);
  }

  /** Consul refuses a transaction of more operations than this. */
  public static final int MAX_OPS = 64;
}
