package hitcounter.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Page ids ↔ slots, for a million pages and more without a million objects: the ids live back
 * to back in one byte array, with their offsets, lengths and hashes in parallel arrays, and an
 * open-addressing table (linear probing on {@link PageHash}) finds a slot. About 60 bytes a page
 * for a 40-character id, and nothing for the garbage collector to trace per page. Not
 * thread-safe: {@link CountTable} guards it.
 */
final class PageDictionary {
  /**
   * The ids, back to back in chunks of {@value #CHUNK} bytes (an id never spans two; it is at
   * most 1,100 bytes): the arena grows by a chunk, never by copying it whole (a copy would hold
   * the old and the new arena at once, hundreds of MB at a million paths).
   */
  private static final int SHIFT = 20;
  private static final int CHUNK = 1 << SHIFT;
  private static final int MASK = CHUNK - 1;
  private byte[][] chunks = {new byte[64 * 1024]};
  /** Where the next id goes: chunk index << SHIFT | position. */
  private int used;
  private int[] offsets = new int[1024];
  /** Bytes of each id (UTF-8: a path may have up to 1,025, with its site's prefix more). */
  private short[] lengths = new short[1024];
  private long[] hashes = new long[1024];
  /** Whether the id of a slot names a site (holds a colon): the default site's listings skip those without reading the id. */
  private boolean[] sited = new boolean[1024];
  /** slot + 1 per bucket, 0 = empty; capacity a power of two, at most half full. */
  private int[] table = new int[2048];
  private int size;

  int size() {
    return size;
  }

  long hash(int slot) {
    return hashes[slot];
  }

  /** The slot of {@code page}, or -1. */
  int find(String page) {
    return find(page.getBytes(StandardCharsets.UTF_8), PageHash.of(page));
  }

  private int find(byte[] page, long h) {
    int mask = table.length - 1;
    for (int i = (int) h & mask; ; i = (i + 1) & mask) {
      int s = table[i] - 1;
      if (s < 0) {
        return -1;
      }
      if (hashes[s] == h && equals(s, page)) {
        return s;
      }
    }
  }

  /** The slot of {@code page}, added if new. */
  int slotFor(String page) {
    long h = PageHash.of(page);
    byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
    int found = find(bytes, h);
    if (found >= 0) {
      return found;
    }
    if (size == offsets.length) {
      int capacity = offsets.length * 2;
      offsets = Arrays.copyOf(offsets, capacity);
      lengths = Arrays.copyOf(lengths, capacity);
      hashes = Arrays.copyOf(hashes, capacity);
      sited = Arrays.copyOf(sited, capacity);
    }
    int len = bytes.length;
    if (len > Short.MAX_VALUE) {
      throw new IllegalArgumentException("a page id of " + len + " bytes");
    }
    int c = used >>> SHIFT;
    int at = used & MASK;
    if (at + len > CHUNK) { // the next chunk
      c++;
      at = 0;
      used = c << SHIFT;
    }
    if (c == chunks.length) {
      chunks = Arrays.copyOf(chunks, c + 1);
      chunks[c] = new byte[CHUNK];
    } else if (at + len > chunks[c].length) { // the first chunk starts small
      chunks[c] = Arrays.copyOf(chunks[c], Math.min(CHUNK, Math.max(chunks[c].length * 2, at + len)));
    }
    System.arraycopy(bytes, 0, chunks[c], at, len);
    int slot = size++;
    offsets[slot] = used;
    lengths[slot] = (short) len;
    hashes[slot] = h;
    sited[slot] = hitcounter.page.PageKey.isSited(page);
    used += len;
    if (size * 2 > table.length) {
      rehash(table.length * 2);
    } else {
      insert(slot, h);
    }
    return slot;
  }

  private void insert(int slot, long h) {
    int mask = table.length - 1;
    int i = (int) h & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = slot + 1;
  }

  private void rehash(int capacity) {
    table = new int[capacity];
    for (int s = 0; s < size; s++) {
      insert(s, hashes[s]);
    }
  }

  /** The chunk that holds the id of {@code slot}. */
  private byte[] chunk(int slot) {
    return chunks[offsets[slot] >>> SHIFT];
  }

  /** Where in its chunk the id of {@code slot} starts. */
  private int at(int slot) {
    return offsets[slot] & MASK;
  }

  private boolean equals(int slot, byte[] page) {
    int len = lengths[slot];
    int off = at(slot);
    return len == page.length && Arrays.equals(chunk(slot), off, off + len, page, 0, len);
  }

  String page(int slot) {
    return new String(chunk(slot), at(slot), lengths[slot], StandardCharsets.UTF_8);
  }

  /** Whether the id of {@code slot} names a site (the default site's ids do not). */
  boolean sited(int slot) {
    return sited[slot];
  }

  /** A hash of what the id of {@code slot} holds up to and with its colon (0 for an id without one). */
  long siteHash(int slot) {
    if (!sited[slot]) {
      return 0;
    }
    int len = lengths[slot];
    int off = at(slot);
    byte[] arena = chunk(slot);
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < len; i++) {
      byte b = arena[off + i];
      h = (h ^ b) * 0x100000001b3L;
      if (b == ':') {
        return h;
      }
    }
    return 0;
  }

  /** What the id of {@code slot} holds up to and with its colon ("" for an id without one). */
  String sitePrefix(int slot) {
    if (!sited[slot]) {
      return "";
    }
    int len = lengths[slot];
    int off = at(slot);
    byte[] arena = chunk(slot);
    for (int i = 0; i < len; i++) {
      if (arena[off + i] == ':') {
        return new String(arena, off, i + 1, StandardCharsets.US_ASCII);
      }
    }
    return "";
  }

  /** Whether the id of {@code slot} starts with {@code prefix}, without making a String. */
  boolean startsWith(int slot, String prefix) {
    int len = lengths[slot];
    int off = at(slot);
    byte[] arena = chunk(slot);
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c >= 0x80) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8); // a non-ASCII prefix: by its bytes
        return p.length <= len && Arrays.equals(arena, off, off + p.length, p, 0, p.length);
      }
      if (i >= len || arena[off + i] != (byte) c) {
        return false;
      }
    }
    return true;
  }

  /** Compares the ids of two slots, by their UTF-8 bytes (= String order for ASCII ids; code point order for paths). */
  int compare(int a, int b) {
    int oa = at(a);
    int ob = at(b);
    return Arrays.compareUnsigned(chunk(a), oa, oa + lengths[a], chunk(b), ob, ob + lengths[b]);
  }

  /** Compares the id of {@code slot} with {@code page}, as {@link #compare(int, int)}. */
  int compare(int slot, String page) {
    int len = lengths[slot];
    int off = at(slot);
    byte[] arena = chunk(slot);
    int n = Math.min(len, page.length());
    for (int i = 0; i < n; i++) {
      char c = page.charAt(i);
      if (c >= 0x80) {
        byte[] p = page.getBytes(StandardCharsets.UTF_8); // non-ASCII from here on: by its bytes
        return Arrays.compareUnsigned(arena, off, off + len, p, 0, p.length);
      }
      int d = (arena[off + i] & 0xff) - c;
      if (d != 0) {
        return d;
      }
    }
    if (len > page.length()) {
      return 1;
    }
    // the id ended: equal if the page did too, smaller otherwise (a non-ASCII rest is longer still)
    return len == page.length() ? 0 : -1;
  }

  long bytes() {
    long arena = 0;
    for (byte[] c : chunks) {
      arena += c.length;
    }
    return arena + offsets.length * 4L + lengths.length * 2L + hashes.length * 8L + sited.length + table.length * 4L;
  }
}
