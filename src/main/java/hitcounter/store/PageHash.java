package hitcounter.store;

/**
 * The 64-bit hash that places a page in a snapshot shard: FNV-1a over its id's UTF-8 bytes (ASCII for page ids), then a
 * final mix. Specified here, so every node of every version places pages the same way.
 */
public final class PageHash {
  private PageHash() {}

  public static long of(String page) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < page.length(); i++) {
      if (page.charAt(i) >= 0x80) {
        return ofUtf8(page.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      h ^= page.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** The hash of a page by its UTF-8 bytes (paths; the same as {@link #of} for an ASCII id). */
  static long ofUtf8(byte[] page) {
    long h = 0xcbf29ce484222325L;
    for (byte b : page) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
