package hitcounter.store;

/**
 * The 64-bit hash that places a page in a snapshot shard: FNV-1a over its ASCII id, then a
 * final mix. Specified here, so every node of every version places pages the same way.
 */
public final class PageHash {
  private PageHash() {}

  public static long of(String page) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < page.length(); i++) {
      h ^= page.charAt(i) & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
