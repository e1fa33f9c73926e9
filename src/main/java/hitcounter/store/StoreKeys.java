package hitcounter.store;

/**
 * The Consul key layout of the count store (docs/decisions/0008-count-store-journal-and-snapshot.md).
 * Small keys that readers watch live under {@code hitcounter/heads/}; everything large is
 * immutable, written once under {@code hitcounter/store/} and fetched by name:
 *
 * <pre>
 * hitcounter/heads/&lt;dc&gt;/&lt;queue&gt;            queue head: last entry seq, hits counted, applied job ids
 * hitcounter/heads/&lt;dc&gt;/~snapshot          which manifest is the datacenter's snapshot
 * hitcounter/store/&lt;dc&gt;/j/&lt;queue&gt;/&lt;seq&gt;~&lt;epoch&gt; journal entry: one batch's increments (binary)
 * hitcounter/store/&lt;dc&gt;/m/&lt;gen&gt;-&lt;nonce&gt;    manifest: folded seqs per queue, shard list
 * hitcounter/store/&lt;dc&gt;/s/&lt;gen&gt;-&lt;nonce&gt;/&lt;n&gt; snapshot shard: totals of a hash range of pages (binary)
 * </pre>
 *
 * Each datacenter writes only its own {@code <dc>} keys; its replicator copies them, unchanged,
 * into every other datacenter.
 */
public final class StoreKeys {
  public static final String HEADS_ROOT = "hitcounter/heads/";
  public static final String STORE_ROOT = "hitcounter/store/";
  public static final String SNAPSHOT = "~snapshot";

  /** Keys of the layout before the count store (decision 0001), read only to migrate them. */
  public static final String LEGACY_COUNT_ROOT = "hitcounter/count/";
  public static final String LEGACY_APPLIED_ROOT = "hitcounter/applied/";

  private StoreKeys() {}

  public static String headsPrefix(String dc) {
    return HEADS_ROOT + dc + "/";
  }

  public static String head(String dc, String queue) {
    return headsPrefix(dc) + queue;
  }

  public static String snapshotPointer(String dc) {
    return headsPrefix(dc) + SNAPSHOT;
  }

  public static String storePrefix(String dc) {
    return STORE_ROOT + dc + "/";
  }

  public static String entry(String dc, String queue, long seq) {
    return entry(dc, queue, "", seq);
  }

  /**
   * Entry {@code seq} of {@code queue} written in {@code epoch} ({@code j/<queue>/<seq>~<epoch>};
   * without an epoch, as before epochs: {@code j/<queue>/<seq>}).
   */
  public static String entry(String dc, String queue, String epoch, long seq) {
    return storePrefix(dc) + "j/" + queue + "/" + seq + (epoch.isEmpty() ? "" : "~" + epoch);
  }

  /** The seq in the last segment of an entry's key ({@code <seq>} or {@code <seq>~<epoch>}). */
  public static long entrySeq(String last) {
    int tilde = last.indexOf('~');
    return Long.parseLong(tilde < 0 ? last : last.substring(0, tilde));
  }

  /** A new epoch's id: 64 random bits in base 36 (a name that is never drawn twice). */
  public static String newEpoch() {
    return Long.toUnsignedString(new java.security.SecureRandom().nextLong(), 36);
  }

  /** Whether {@code id} can be an epoch: 1 to 16 characters of [0-9a-z]. */
  public static boolean isEpoch(String id) {
    return !id.isEmpty() && id.length() <= 16 && id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
  }

  public static String entriesPrefix(String dc, String queue) {
    return storePrefix(dc) + "j/" + queue + "/";
  }

  /** A manifest's key: its generation and the nonce of the fold that wrote it (two racing folds never share a key). */
  public static String manifest(String dc, String version) {
    return storePrefix(dc) + "m/" + version;
  }

  public static String shard(String dc, String version, int n) {
    return storePrefix(dc) + "s/" + version + "/" + n;
  }

  public static String legacyCountPrefix(String dc, String queue) {
    return LEGACY_COUNT_ROOT + dc + "/" + queue + "/";
  }

  public static String legacyApplied(String dc, String queue) {
    return LEGACY_APPLIED_ROOT + dc + "/" + queue;
  }

  /** Whether a name under a datacenter's heads is a queue (not ~snapshot, ~store, ...). */
  public static boolean isQueue(String name) {
    return !name.startsWith("~");
  }

  /** A name that can be a datacenter or queue segment of a key: no '/', no leading '~'. */
  public static boolean isSegment(String name) {
    return name != null && !name.isEmpty() && name.length() <= 64 && name.indexOf('/') < 0 && !name.startsWith("~")
        && name.chars().allMatch(c -> c > ' ' && c < 127 && c != '?' && c != '#' && c != '%');
  }

  /** The (dc, name) of a key under {@link #HEADS_ROOT}, or null. */
  public static String[] headOf(String key) {
    if (!key.startsWith(HEADS_ROOT)) {
      return null;
    }
    String rest = key.substring(HEADS_ROOT.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
      return null;
    }
    return new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
  }
}
