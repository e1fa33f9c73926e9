package hitcounter.infra.consul;

/**
 * One KV operation of a Consul transaction. {@code index} is the ModifyIndex a {@code cas} or
 * {@code delete-cas} needs (0 for a cas: the key must not exist yet).
 */
public record TxnOp(Verb verb, String key, byte[] value, long index) {
  public enum Verb {
    CAS("cas"),
    SET("set"),
    GET("get"),
    DELETE("delete"),
    DELETE_CAS("delete-cas"),
    DELETE_TREE("delete-tree"),
    CHECK_INDEX("check-index");

    final String wire;

    Verb(String wire) {
      this.wire = wire;
    }

    public boolean writes() {
      return this != GET && this != CHECK_INDEX;
    }
  }

  private static final byte[] NONE = new byte[0];

  public static TxnOp cas(String key, byte[] value, long index) {
    return new TxnOp(Verb.CAS, key, value, index);
  }

  /** Writes {@code value} unconditionally: for immutable keys, whose copies are all equal. */
  public static TxnOp set(String key, byte[] value) {
    return new TxnOp(Verb.SET, key, value, 0);
  }

  /** Reads a key; the whole transaction fails when it does not exist. */
  public static TxnOp get(String key) {
    return new TxnOp(Verb.GET, key, NONE, 0);
  }

  public static TxnOp delete(String key) {
    return new TxnOp(Verb.DELETE, key, NONE, 0);
  }

  /** Deletes every key under {@code prefix}. */
  public static TxnOp deleteTree(String prefix) {
    return new TxnOp(Verb.DELETE_TREE, prefix, NONE, 0);
  }

  public static TxnOp deleteCas(String key, long index) {
    return new TxnOp(Verb.DELETE_CAS, key, NONE, index);
  }

  /** Fails the whole transaction unless the key exists with ModifyIndex {@code index} (writes nothing). */
  public static TxnOp checkIndex(String key, long index) {
    return new TxnOp(Verb.CHECK_INDEX, key, NONE, index);
  }

  /** Consul refuses a transaction of more operations than this. */
  public static final int MAX_OPS = 64;

  /**
   * Consul 1.8 refuses a request body over 512 KiB (answered 413); the client refuses to send a
   * body over this, so a 413 never happens. Callers pack well under it.
   */
  public static final int MAX_BODY_BYTES = 500 * 1024;

  /** What callers pack a write transaction's body up to: values travel base64-encoded in it. */
  public static final int PACK_BODY_BYTES = 384 * 1024;

  /** The bytes this operation adds to a transaction body (base64 value, key, JSON framing). */
  public int bodyBytes() {
    return 4 * ((value.length + 2) / 3) + key.length() + 72;
  }
}
