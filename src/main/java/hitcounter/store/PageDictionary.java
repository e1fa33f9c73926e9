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
  private byte[] lengths = new byte[1024];
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
    return find(page, PageHash.of(page));
  }

  private int find(String page, long h) {
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
    int found = find(page, h);
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
    int len = page.length();
    if (used + len > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, used + len));
    }
    for (int i = 0; i < len; i++) {
      arena[used + i] = (byte) page.charAt(i);
    }
    int slot = size++;
    offsets[slot] = used;
    lengths[slot] = (byte) len;
    hashes[slot] = h;
    sited[slot] = page.indexOf(':') >= 0;
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

  private boolean equals(int slot, String page) {
    int len = lengths[slot] & 0xff;
    if (len != page.length()) {
      return false;
    }
    int off = offsets[slot];
    for (int i = 0; i < len; i++) {
      if (arena[off + i] != (byte) page.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  String page(int slot) {
    return new String(arena, offsets[slot], lengths[slot] & 0xff, StandardCharsets.US_ASCII);
  }

  /** Whether the id of {@code slot} names a site (the default site's ids do not). */
  boolean sited(int slot) {
    return sited[slot];
  }

  /** A hash of what the id of {@code slot} holds up to and with its colon (0 for an id without one). */
  long siteHash(int slot) {
    int len = lengths[slot] & 0xff;
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
    int len = lengths[slot] & 0xff;
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
    int len = lengths[slot] & 0xff;
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

  /** Compares the ids of two slots (ASCII order = String order for page ids). */
  int compare(int a, int b) {
    int la = lengths[a] & 0xff;
    int lb = lengths[b] & 0xff;
    int oa = offsets[a];
    int ob = offsets[b];
    int n = Math.min(la, lb);
    for (int i = 0; i < n; i++) {
      int c = arena[oa + i] - arena[ob + i];
      if (c != 0) {
        return c;
      }
    }
    return la - lb;
  }

  /** Compares the id of {@code slot} with {@code page}. */
  int compare(int slot, String page) {
    int len = lengths[slot] & 0xff;
    int off = offsets[slot];
    int n = Math.min(len, page.length());
    for (int i = 0; i < n; i++) {
      int c = arena[off + i] - (byte) page.charAt(i);
      if (c != 0) {
        return c;
      }
    }
    return len - page.length();
  }

  long bytes() {
    return arena.length + offsets.length * 4L + lengths.length + hashes.length * 8L + sited.length + table.length * 4L;
  }
}
