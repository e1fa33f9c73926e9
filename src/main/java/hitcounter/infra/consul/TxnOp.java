package hitcounter.infra.consul;

/**
 * One KV operation of a Consul transaction. {@code index} is the ModifyIndex a {@code cas}
 * expects (0: the key must not exist yet).
 */
public record TxnOp(Verb verb, String key, byte[] value, long index) {
  public enum Verb {
    CAS("cas"),
    SET("set"),
    DELETE("delete"),
    CHECK_INDEX("check-index");

    final String wire;

    Verb(String wire) {
      this.wire = wire;
    }
  }

  public static TxnOp cas(String key, byte[] value, long index) {
    return new TxnOp(Verb.CAS, key, value, index);
  }

  public static TxnOp set(String key, byte[] value) {
    return new TxnOp(Verb.SET, key, value, 0);
  }

  /** Consul refuses a transaction of more operations than this. */
  public static final int MAX_OPS = 64;
}
