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
  private byte[] arena = new byte[64 * 1024];
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
    if (used + len > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, used + len));
    }
    System.arraycopy(bytes, 0, arena, used, len);
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

  private boolean equals(int slot, byte[] page) {
    int len = lengths[slot];
    int off = offsets[slot];
    return len == page.length && Arrays.equals(arena, off, off + len, page, 0, len);
  }

  String page(int slot) {
    return new String(arena, offsets[slot], lengths[slot], StandardCharsets.UTF_8);
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
    int off = offsets[slot];
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
    int off = offsets[slot];
    for (int i = 0; i < len; i++) {
      if (arena[off + i] == ':') {
        return new String(arena, off, i + 1, StandardCharsets.US_ASCII);
      }
    }
    return "";
  }

  /** Whether the id of {@code slot} starts with {@code prefix}, without making a String. */
  boolean startsWith(int slot, String prefix) {
    if (!prefix.chars().allMatch(c -> c < 0x80)) {
      byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
      int off = offsets[slot];
      return p.length <= lengths[slot] && Arrays.equals(arena, off, off + p.length, p, 0, p.length);
    }
    int len = lengths[slot];
    if (prefix.length() > len) {
      return false;
    }
    int off = offsets[slot];
    for (int i = 0; i < prefix.length(); i++) {
      if (arena[off + i] != (byte) prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Compares the ids of two slots, by their UTF-8 bytes (= String order for ASCII ids; code point order for paths). */
  int compare(int a, int b) {
    int oa = offsets[a];
    int ob = offsets[b];
    return Arrays.compareUnsigned(arena, oa, oa + lengths[a], arena, ob, ob + lengths[b]);
  }

  /** Compares the id of {@code slot} with {@code page}, as {@link #compare(int, int)}. */
  int compare(int slot, String page) {
    byte[] p = page.getBytes(StandardCharsets.UTF_8);
    int off = offsets[slot];
    return Arrays.compareUnsigned(arena, off, off + lengths[slot], p, 0, p.length);
  }

  long bytes() {
    return arena.length + offsets.length * 4L + lengths.length * 2L + hashes.length * 8L + sited.length + table.length * 4L;
  }
}
