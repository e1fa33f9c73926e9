package hitcounter.store;

import hitcounter.page.PageKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ObjLongConsumer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The binary form of a page → count map, for journal entries (a batch's increments) and
 * snapshot shards (a datacenter's totals): a kind byte and a format byte, then, deflated, the
 * number of pages and each page in order (length of the prefix it shares with the page before,
 * the rest of its id in UTF-8 (ASCII for page ids; a URL path may be longer and any text), its count), all numbers as unsigned varints. Sorted ids with
 * shared prefixes (URL paths) compress well; every value is self-contained.
 */
public final class CountsCodec {
  public static final byte ENTRY = 'J';
  public static final byte SHARD = 'S';
  /** A chunk of an import: per page its imported count ({@link ImportKeys}). */
  public static final byte IMPORT = 'I';
  private static final byte FORMAT = 1;
  /**
   * Format 2: the pages as in format 1, then analytics: the number of keys, then each key (a
   * page of the counts by its position + 1; otherwise 0 and the key in full: a bot-only page, a
   * site's {@link PageStats#siteKey}) and its {@link PageStats}.
   */
  private static final byte FORMAT_STATS = 2;
  /**
   * Format 3: as format 2, a site's stats ({@link PageStats#siteKey}) ending with their
   * referrals ({@link PageStats#toBytes(boolean)}). Written only when some site's referrals are
   * not empty: those come with job format 4, which is set once every node reads format 3.
   */
  private static final byte FORMAT_REFERRALS = 3;
  /** Decoding refuses a value that claims more pages than this (a corrupt or hostile value). */
  private static final int MAX_PAGES = 10_000_000;

  private CountsCodec() {}

  /** Thrown for a value that is not a counts value of the expected kind. */
  public static final class BadValue extends RuntimeException {
    public BadValue(String message) {
      super(message);
    }
  }

  /**
   * A decoded value: counts per page and analytics per key (empty for format 1), each key's
   * {@link PageStats} in its encoded form (checked; {@link PageStats#decode} reads it).
   */
  public record Decoded(TreeMap<String, Long> counts, Map<String, byte[]> stats) {
    /** The hits it holds (in an entry): counted hits and bot hits (every bot hit is in its site's bots once). */
    public long hits() {
      long n = 0;
      for (long v : counts.values()) {
        n += v;
      }
      for (var e : stats.entrySet()) {
        if (PageStats.isSiteKey(e.getKey())) {
          n += PageStats.decodeFor(e.getKey(), e.getValue()).bots();
        }
      }
      return n;
    }
  }

  /** Encodes {@code counts} (any order; zero counts are kept) as a value of {@code kind}. */
  public static byte[] encode(byte kind, Map<String, Long> counts) {
    return encode(kind, counts, Map.of());
  }

  /** Encodes {@code counts} and {@code stats} (format 2 when there are stats) as a value of {@code kind}. */
  public static byte[] encode(byte kind, Map<String, Long> counts, Map<String, PageStats> stats) {
    Map<String, byte[]> encoded = new java.util.HashMap<>();
    stats.forEach((k, v) -> encoded.put(k, v.toBytesFor(k)));
    return encodeEncoded(kind, counts, encoded);
  }

  /** As {@link #encode(byte, Map, Map)}, the stats given in their encoded form ({@link PageStats#toBytes}). */
  public static byte[] encodeEncoded(byte kind, Map<String, Long> counts, Map<String, byte[]> stats) {
    TreeMap<String, Long> sorted = counts instanceof TreeMap<String, Long> t ? t : new TreeMap<>(counts);
    Sink sink = new Sink(sorted.size() * 24 + 16);
    sink.varint(sorted.size());
    byte[] previous = new byte[0];
    Map<String, Integer> position = stats.isEmpty() ? Map.of() : new java.util.HashMap<>();
    for (var e : sorted.entrySet()) {
      if (!stats.isEmpty()) {
        position.put(e.getKey(), position.size());
      }
      byte[] id = e.getKey().getBytes(StandardCharsets.UTF_8);
      int shared = Arrays.mismatch(previous, id);
      if (shared < 0) {
        shared = id.length;
      }
      sink.varint(shared);
      sink.varint(id.length - shared);
      sink.write(id, shared, id.length - shared);
      sink.varint(e.getValue());
      previous = id;
    }
    if (stats.isEmpty()) {
      return deflate(kind, FORMAT, sink.toByteArray());
    }
    TreeMap<String, byte[]> sortedStats = new TreeMap<>(stats);
    boolean referrals = false;
    for (var e : sortedStats.entrySet()) {
      referrals |= PageStats.isSiteKey(e.getKey()) && !PageStats.decodeFor(e.getKey(), e.getValue()).referrals().isEmpty();
    }
    sink.varint(sortedStats.size());
    for (var e : sortedStats.entrySet()) {
      // A page of the counts above is named by its position there (+1); any other key in full.
      Integer at = position.get(e.getKey());
      if (at != null) {
        sink.varint(at + 1L);
      } else {
        byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
        sink.varint(0);
        sink.varint(key.length);
        sink.write(key, 0, key.length);
      }
      // A site's stats end with their referrals; in format 2 there are none (one byte: 0) and no such byte.
      int length = !referrals && PageStats.isSiteKey(e.getKey()) ? e.getValue().length - 1 : e.getValue().length;
      sink.write(e.getValue(), 0, length);
    }
    return deflate(kind, referrals ? FORMAT_REFERRALS : FORMAT_STATS, sink.toByteArray());
  }

  /** Calls {@code each} for every page of a value of {@code kind}, in page order. */
  public static void decode(byte kind, byte[] value, ObjLongConsumer<String> each) {
    decode(kind, value, each, null);
  }

  /** Decodes counts and analytics. */
  public static Decoded decodeAll(byte kind, byte[] value) {
    TreeMap<String, Long> counts = new TreeMap<>();
    Map<String, byte[]> stats = new java.util.HashMap<>();
    decode(kind, value, counts::put, stats);
    return new Decoded(counts, stats);
  }

  private static void decode(byte kind, byte[] value, ObjLongConsumer<String> each, Map<String, byte[]> stats) {
    if (value.length < 2 || value[0] != kind || (value[1] != FORMAT && value[1] != FORMAT_STATS && value[1] != FORMAT_REFERRALS)) {
      throw new BadValue("not a counts value of kind " + (char) kind);
    }
    byte[] raw = inflate(value);
    Source in = new Source(raw);
    long n = in.varint();
    if (n < 0 || n > MAX_PAGES) {
      throw new BadValue("bad page count " + n);
    }
    byte[] previous = new byte[0];
    byte[] id = new byte[PageKey.MAX_KEY_BYTES];
    boolean withStats = value[1] == FORMAT_STATS || value[1] == FORMAT_REFERRALS;
    List<String> names = withStats ? new ArrayList<>((int) Math.min(n, 1 << 16)) : null;
    for (long i = 0; i < n; i++) {
      int shared = (int) in.varint();
      int rest = (int) in.varint();
      if (shared > previous.length || shared + rest > PageKey.MAX_KEY_BYTES || shared + rest == 0) {
        throw new BadValue("bad page id framing");
      }
      System.arraycopy(previous, 0, id, 0, shared);
      in.read(id, shared, rest);
      byte[] current = Arrays.copyOf(id, shared + rest);
      String page = new String(current, StandardCharsets.UTF_8);
      if (!PageKey.isValid(page)) {
        throw new BadValue("not a page id");
      }
      each.accept(page, in.varint());
      if (names != null) {
        names.add(page);
      }
      previous = current;
    }
    if (withStats) {
      long keys = in.count(MAX_PAGES);
      for (long i = 0; i < keys; i++) {
        long ref = in.count(names.size());
        String key = ref > 0 ? names.get((int) ref - 1) : new String(in.bytes((int) in.count(PageKey.MAX_KEY_BYTES + 16)), StandardCharsets.UTF_8);
        int from = in.position();
        boolean site = PageStats.isSiteKey(key);
        PageStats.read(in, site && value[1] == FORMAT_REFERRALS); // checked here; kept encoded
        if (stats != null) {
          byte[] b = in.slice(from);
          // kept as a count table keeps it: a site's stats with their referrals (none: one byte 0)
          stats.put(key, site && value[1] != FORMAT_REFERRALS ? Arrays.copyOf(b, b.length + 1) : b);
        }
      }
    }
    if (!in.atEnd()) {
      throw new BadValue("trailing bytes");
    }
  }

  /** Decodes into a sorted map (tests, small values). */
  public static TreeMap<String, Long> decode(byte kind, byte[] value) {
    TreeMap<String, Long> out = new TreeMap<>();
    decode(kind, value, out::put);
    return out;
  }

  private static byte[] deflate(byte kind, byte format, byte[] raw) {
    Deflater d = new Deflater(6);
    try {
      d.setInput(raw);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
      out.write(kind);
      out.write(format);
      byte[] buf = new byte[8192];
      while (!d.finished()) {
        int n = d.deflate(buf);
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  private static byte[] inflate(byte[] value) {
    Inflater inf = new Inflater();
    try {
      inf.setInput(value, 2, value.length - 2);
      ByteArrayOutputStream out = new ByteArrayOutputStream(value.length * 3);
      byte[] buf = new byte[16384];
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
          throw new BadValue("truncated value");
        }
        out.write(buf, 0, n);
        if (out.size() > 512L * 1024 * 1024) {
          throw new BadValue("value inflates beyond 512 MiB");
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new BadValue("not deflated: " + e.getMessage());
    } finally {
      inf.end();
    }
  }

  static final class Sink extends ByteArrayOutputStream {
    Sink(int size) {
      super(size);
    }

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      write((int) v);
    }
  }

  static final class Source {
    private final byte[] b;
    private int pos;

    Source(byte[] b) {
      this.b = b;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= b.length) {
          throw new BadValue("truncated varint");
        }
        byte x = b[pos++];
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new BadValue("varint too long");
    }

    void read(byte[] into, int off, int len) {
      if (pos + len > b.length) {
        throw new BadValue("truncated id");
      }
      System.arraycopy(b, pos, into, off, len);
      pos += len;
    }

    int position() {
      return pos;
    }

    /** The bytes from {@code from} to where this source is now. */
    byte[] slice(int from) {
      return Arrays.copyOfRange(b, from, pos);
    }

    /** A count of items that follow, refused beyond {@code max}. */
    long count(long max) {
      long n = varint();
      if (n < 0 || n > max) {
        throw new BadValue("bad count " + n);
      }
      return n;
    }

    byte[] bytes(int len) {
      byte[] out = new byte[len];
      read(out, 0, len);
      return out;
    }

    boolean atEnd() {
      return pos == b.length;
    }
  }
}
