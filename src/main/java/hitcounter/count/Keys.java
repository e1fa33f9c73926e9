package hitcounter.count;

/**
 * The Consul key layout of counts. A queue's counts live in bucket keys written by whoever
 * drains that queue, in its own datacenter, and copied (max-merge) to every other one:
 *
 * <pre>
 * hitcounter/count/&lt;dc&gt;/&lt;queue&gt;/&lt;bucket&gt;   JSON {"page": count, ...}, only grows
 * hitcounter/applied/&lt;dc&gt;/&lt;queue&gt;           JSON [job ids committed, not yet deleted]
 * hitcounter/audit/&lt;dc&gt;/&lt;node&gt;/&lt;epoch&gt;      JSON {"accepted": n, "rejected": n} of one node run, copied too
 * </pre>
 */
public final class Keys {
  public static final String COUNT_ROOT = "hitcounter/count/";
  public static final String APPLIED_ROOT = "hitcounter/applied/";
  public static final String AUDIT_ROOT = "hitcounter/audit/";

  private Keys() {}

  public static String countPrefix(String dc) {
    return COUNT_ROOT + dc + "/";
  }

  public static String queueCountPrefix(String dc, String queue) {
    return countPrefix(dc) + queue + "/";
  }

  public static String bucketKey(String dc, String queue, int bucket) {
    return queueCountPrefix(dc, queue) + bucket;
  }

  public static String auditPrefix(String dc) {
    return AUDIT_ROOT + dc + "/";
  }

  public static String auditKey(String dc, String node, long epoch) {
    return auditPrefix(dc) + node + "/" + epoch;
  }

  /** "dc/queue" of a count key, or null. */
  public static String sourceOf(String countKey) {
    if (!countKey.startsWith(COUNT_ROOT)) {
      return null;
    }
    int last = countKey.lastIndexOf('/');
    return last <= COUNT_ROOT.length() ? null : countKey.substring(COUNT_ROOT.length(), last);
  }

  public static String appliedKey(String dc, String queue) {
    return APPLIED_ROOT + dc + "/" + queue;
  }

  /** The datacenter a count key belongs to, or null when the key is not a count key. */
  public static String datacenterOf(String countKey) {
    if (!countKey.startsWith(COUNT_ROOT)) {
      return null;
    }
    int end = countKey.indexOf('/', COUNT_ROOT.length());
    return end < 0 ? null : countKey.substring(COUNT_ROOT.length(), end);
  }

  /** The bucket of a page: String.hashCode is specified, so every JVM agrees. */
  public static int bucketOf(String page, int buckets) {
    return Math.floorMod(page.hashCode(), buckets);
  }
}
