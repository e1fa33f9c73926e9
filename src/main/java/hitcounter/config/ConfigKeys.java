package hitcounter.config;

/**
 * Keys of distributed configuration. Each datacenter writes its own slot of a setting and the
 * replicator copies slots everywhere; every node takes the winning write ({@link
 * VersionedValue#ORDER}) of all slots it sees:
 *
 * <pre>
 * hitcounter/config/&lt;dc&gt;/&lt;setting&gt;   {"value":…, "version":n, "at":ms, "dc":"…"}
 * </pre>
 */
public final class ConfigKeys {
  public static final String ROOT = "hitcounter/config/";

  private ConfigKeys() {}

  public static String prefix(String dc) {
    return ROOT + dc + "/";
  }

  public static String key(String dc, Setting s) {
    return prefix(dc) + s.key;
  }

  /** The setting name of a config key, or null. */
  public static String settingOf(String key) {
    if (!key.startsWith(ROOT)) {
      return null;
    }
    int slash = key.indexOf('/', ROOT.length());
    return slash < 0 ? null : key.substring(slash + 1);
  }
}
