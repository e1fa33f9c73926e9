package hitcounter.store;

/**
 * The Consul key layout of imported counts (decision 0015). An import is named by its id (a
 * digest of the site, its generation and the file's bytes: the same file is the same import);
 * each write of it is a version ({@code <dc>-<nonce>}), a set of immutable chunks and, written
 * last, its manifest:
 *
 * <pre>
 * hitcounter/imports/m/&lt;id&gt;/&lt;version&gt;      manifest (JSON, {@link ImportManifest}): written after every chunk
 * hitcounter/imports/c/&lt;id&gt;/&lt;version&gt;/&lt;n&gt;  chunk n: per page the imported count (binary, {@link CountsCodec#IMPORT})
 * </pre>
 *
 * Every name is written once (create-only) and never deleted; every keeper copies every version
 * it holds into every datacenter that lacks it, so the datacenters hold the union.
 */
public final class ImportKeys {
  public static final String ROOT = "hitcounter/imports/";
  public static final String MANIFESTS = ROOT + "m/";
  private static final String CHUNKS = ROOT + "c/";

  private ImportKeys() {}

  public static String manifest(String id, String version) {
    return MANIFESTS + id + "/" + version;
  }

  public static String chunkPrefix(String id, String version) {
    return CHUNKS + id + "/" + version + "/";
  }

  public static String chunk(String id, String version, int n) {
    return chunkPrefix(id, version) + n;
  }

  /** Whether {@code s} can be an import id or a version: lower-case letters, digits, '-' and '_' (as Consul's datacenter names), 1 to 64. */
  public static boolean isName(String s) {
    if (s == null || s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' && c != '_') {
        return false;
      }
    }
    return true;
  }
}
