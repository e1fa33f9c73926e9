package hitcounter.audit;

/**
 * Where each node run writes what it acknowledged, copied to every datacenter:
 * {@code hitcounter/audit/<dc>/<node>/<epoch>} = {@code {"accepted": n, "rejected": n, "unknown": n}};
 * and where runs that stopped changing are folded, one key per datacenter,
 * {@code hitcounter/audit/<dc>/~archive} ({@link AuditArchive}).
 */
public final class AuditKeys {
  public static final String ROOT = "hitcounter/audit/";
  static final String ARCHIVE = "~archive";

  private AuditKeys() {}

  public static String prefix(String dc) {
    return ROOT + dc + "/";
  }

  public static String key(String dc, String node, long epoch) {
    return prefix(dc) + node + "/" + epoch;
  }

  public static String archive(String dc) {
    return prefix(dc) + ARCHIVE;
  }

  /** A run key's parts (datacenter, node, epoch), or null when {@code key} is none (an archive, or a key of another shape). */
  public static Run run(String key) {
    if (!key.startsWith(ROOT)) {
      return null;
    }
    String[] parts = key.substring(ROOT.length()).split("/", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return null;
    }
    try {
      return new Run(parts[0], parts[1], Long.parseLong(parts[2]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The datacenter whose archive {@code key} is, or null. */
  public static String archiveOf(String key) {
    if (!key.startsWith(ROOT) || !key.endsWith("/" + ARCHIVE)) {
      return null;
    }
    String dc = key.substring(ROOT.length(), key.length() - ARCHIVE.length() - 1);
    return dc.isEmpty() || dc.contains("/") ? null : dc;
  }

  /** A node run's audit key, by its parts. */
  public record Run(String dc, String node, long epoch) {
    public String source() {
      return dc + "/" + node;
    }
  }
}
