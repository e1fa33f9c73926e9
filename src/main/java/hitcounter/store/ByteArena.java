package hitcounter.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Small byte strings back to back in chunks of {@value #CHUNK} bytes, each behind a varint
 * length, named by an {@code int} ref: a million pages' stats without a million arrays (an
 * array's header and length cost ~20 bytes, a third of a page's stats). A string is never
 * rewritten in place: {@link #free} only counts its bytes as garbage, and {@link #compact}
 * copies what the {@link SlotBytes} that use this arena still hold into fresh chunks once the
 * garbage passes half of them, so the copying costs what was replaced, amortised, and the
 * arena holds about 1.5 times its live bytes at most (a chunk's unused tail apart). Strings over
 * {@value #LARGE} bytes (never a page's stats in practice) are kept as arrays of their own.
 * Not thread-safe: its owner's lock guards it.
 */
final class ByteArena {
  static final int SHIFT = 20;
  static final int CHUNK = 1 << SHIFT;
  private static final int MASK = CHUNK - 1;
  static final int LARGE = 64 * 1024;
  /** Compaction waits for at least this much garbage, so a small table never copies. */
  private static final long MIN_GARBAGE = 4L * CHUNK;

  private byte[][] chunks = new byte[0][];
  /** Where the next string goes: chunk index << SHIFT | position. */
  private int used;
  private long live;
  private long garbage;
  /** Strings over LARGE bytes, by negative ref. */
  private final Map<Integer, byte[]> large = new HashMap<>();
  private int nextLarge = -1;

  /** Stores {@code b} and answers its ref (never 0). */
  int append(byte[] b) {
    return append(b, 0, b.length);
  }

  /** Stores {@code len} bytes of {@code src} from {@code off} and answers their ref (never 0). */
  private int append(byte[] src, int off, int len) {
    if (len > LARGE) {
      return appendLarge(Arrays.copyOfRange(src, off, off + len));
    }
    int need = varintSize(len) + len;
    int c = used >>> SHIFT;
    int p = used & MASK;
    if (c >= chunks.length || p + need > CHUNK) {
      if (c < chunks.length) {
        c++;
        p = 0;
      }
      if (c >= 2047) {
        throw new IllegalStateException("a stats arena of 2 GB is full");
      }
      if (c >= chunks.length) {
        chunks = Arrays.copyOf(chunks, c + 1);
        chunks[c] = new byte[c == 0 ? Math.max(16 * 1024, need) : CHUNK]; // only the first starts small: a small table stays small
      }
    }
    byte[] chunk = chunks[c];
    if (p + need > chunk.length) { // only the last chunk is short: it grows by doubling up to CHUNK
      chunk = Arrays.copyOf(chunk, Math.min(CHUNK, Math.max(p + need, chunk.length * 2)));
      chunks[c] = chunk;
    }
    int at = c << SHIFT | p;
    int q = p;
    int n = len;
    while (n >= 0x80) {
      chunk[q++] = (byte) (n | 0x80);
      n >>>= 7;
    }
    chunk[q++] = (byte) n;
    System.arraycopy(src, off, chunk, q, len);
    used = (c << SHIFT) + q + len; // a + (not |): a string that ends a chunk exactly carries into the next chunk's index
    live += need;
    return at + 1;
  }

  private int appendLarge(byte[] own) {
    int ref = nextLarge--;
    large.put(ref, own);
    live += own.length;
    return ref;
  }

  /** A copy of the string {@code ref} names. */
  byte[] read(int ref) {
    if (ref < 0) {
      return large.get(ref).clone();
    }
    int at = ref - 1;
    return copyAt(chunks[at >>> SHIFT], at & MASK);
  }

  int length(int ref) {
    if (ref < 0) {
      return large.get(ref).length;
    }
    int at = ref - 1;
    return lengthAt(chunks[at >>> SHIFT], at & MASK);
  }

  /** The varint length stored at {@code q} of {@code chunk}. */
  private static int lengthAt(byte[] chunk, int q) {
    int n = 0;
    int shift = 0;
    byte x;
    do {
      x = chunk[q++];
      n |= (x & 0x7f) << shift;
      shift += 7;
    } while (x < 0);
    return n;
  }

  /** A copy of the string stored (behind its length) at {@code q} of {@code chunk}. */
  private static byte[] copyAt(byte[] chunk, int q) {
    int n = lengthAt(chunk, q);
    int from = q + varintSize(n);
    return Arrays.copyOfRange(chunk, from, from + n);
  }

  /** The string {@code ref} names is no longer used. */
  void free(int ref) {
    if (ref < 0) {
      live -= large.remove(ref).length;
      return;
    }
    int n = length(ref);
    live -= n + varintSize(n);
    garbage += n + varintSize(n);
  }

  /** Whether {@link #compact} would pay: garbage over half the live bytes, and more than a few chunks. */
  boolean wantsCompaction() {
    return garbage > MIN_GARBAGE && garbage > live / 2;
  }

  /**
   * Copies every string the {@code users} (all of this arena's, at most two) hold into fresh
   * chunks, and drops the rest. The strings are copied in the order they lie in the old chunks,
   * and each old chunk is let go once passed, so the copy holds about the live bytes plus one
   * chunk, not the old arena and the new one at once. Large strings move without a copy.
   */
  void compact(List<SlotBytes> users) {
    if (users.size() > 2) {
      throw new IllegalArgumentException("at most two columns share an arena");
    }
    long[] order = new long[users.stream().mapToInt(SlotBytes::count).sum()];
    int n = 0;
    for (int k = 0; k < users.size(); k++) {
      n = users.get(k).positions(k, order, n);
    }
    Arrays.sort(order, 0, n); // (ref - 1) << 32 | user << 31 | slot: by position in the old chunks
    byte[][] old = chunks;
    Map<Integer, byte[]> oldLarge = new HashMap<>(large);
    chunks = new byte[0][];
    used = 0;
    live = 0;
    garbage = 0;
    large.clear();
    nextLarge = -1;
    int passed = 0;
    for (int i = 0; i < n; i++) {
      long e = order[i];
      int at = (int) (e >>> 32);
      int c = at >>> SHIFT;
      while (passed < c) {
        old[passed++] = null;
      }
      SlotBytes u = users.get((int) (e >>> 31) & 1);
      int slot = (int) (e & Integer.MAX_VALUE);
      byte[] chunk = old[c];
      int q = at & MASK;
      int len = lengthAt(chunk, q);
      u.moved(slot, append(chunk, q + varintSize(len), len)); // straight from the old chunk, no array per string
    }
    for (SlotBytes u : users) {
      u.eachLarge((slot, ref) -> u.moved(slot, appendLarge(oldLarge.get(ref))));
    }
  }



  /** Bytes held (chunks' capacity and large strings). */
  long bytes() {
    long b = 0;
    for (byte[] c : chunks) {
      b += c.length + 16;
    }
    for (byte[] x : large.values()) {
      b += x.length + 48;
    }
    return b;
  }

  long live() {
    return live;
  }

  long garbage() {
    return garbage;
  }

  static int varintSize(int n) {
    int s = 1;
    while (n >= 0x80) {
      n >>>= 7;
      s++;
    }
    return s;
  }
}
