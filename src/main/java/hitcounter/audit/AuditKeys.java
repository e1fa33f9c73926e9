package hitcounter.audit;

/**
 * Where each node run writes what it acknowledged, copied to every datacenter:
 * {@code hitcounter/audit/<dc>/<node>/<epoch>} = {@code {"accepted": n, "rejected": n, "unknown": n}}.
 */
public final class AuditKeys {
  public static final String ROOT = "hitcounter/audit/";

  private AuditKeys() {}

  public static String prefix(String dc) {
    return ROOT + dc + "/";
  }

  public static String key(String dc, String node, long epoch) {
    return prefix(dc) + node + "/" + epoch;
  }
}
