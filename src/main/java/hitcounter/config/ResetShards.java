package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import hitcounter.infra.consul.KvEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * A datacenter's reset snapshot (decision 0019): the reset records it wrote, once at rest and
 * held by every datacenter, folded into at most {@link #SHARDS} shard keys by a hash of the
 * counted id, so that keys do not grow with resets. A page's reset is the merge ({@link
 * ResetRecord#merge}) of its record key, if any, and its entry in the shard, in every
 * datacenter's prefix; folding moves a record into its shard without changing that merge.
 *
 * <pre>
 * hitcounter/resets/&lt;dc&gt;/~s/&lt;2 hex digits&gt;   {"pages": {"&lt;counted id&gt;": {"baselines": {...}, "deletedAt", "resetAt", "lowered"}}}
 * </pre>
 *
 * A record key's last segment never holds {@code /} ({@link ResetRecord#segment}), so a shard
 * key is never a record's.
 */
public final class ResetShards {
  public static final int SHARDS = 256;
  /**
   * The largest shard written (bytes; about 171 KiB in a transaction's base64), and the most
   * bytes of record keys one fold deletes: a fold's transaction stays under Consul's 512 KiB.
   */
  public static final int MAX_SHARD_BYTES = 128 * 1024;
  public static final int MAX_DELETED_KEY_BYTES = 128 * 1024;
  private static final String MARK = "~s/";

  private ResetShards() {}

  /** The shard of {@code countedId} (0 to {@link #SHARDS} - 1): CRC-32 of its UTF-8, the same in every JVM. */
  public static int shardOf(String countedId) {
    CRC32 crc = new CRC32();
    crc.update(countedId.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() & (SHARDS - 1));
  }

  public static String key(String dc, int shard) {
    return ResetRecord.prefix(dc) + MARK + String.format("%02x", shard);
  }

  /** Whether {@code key} is a reset shard (of any datacenter). */
  public static boolean isShard(String key) {
    if (!key.startsWith(ResetRecord.ROOT)) {
      return false;
    }
    int slash = key.indexOf('/', ResetRecord.ROOT.length());
    return slash > 0 && key.startsWith(MARK, slash + 1);
  }

  /** The records of a shard's value, by counted id; throws when it is not a shard or an entry does not read or name a page. */
  public static Map<String, ResetRecord> parse(byte[] value) {
    return parseEach(value, id -> {
      throw new IllegalArgumentException("not a reset of a page: " + id);
    });
  }

  /**
   * The records of a shard's value that read and name a page, by counted id; each entry that
   * does not is told to {@code bad} and left out (the rest of the shard still applies). Throws
   * when the value is no shard at all.
   */
  public static Map<String, ResetRecord> parseEach(byte[] value, java.util.function.Consumer<String> bad) {
    JsonNode n;
    try {
      n = Json.mapper().readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a reset shard", e);
    }
    if (n == null || !n.path("pages").isObject()) {
      throw new IllegalArgumentException("not a reset shard");
    }
    Map<String, ResetRecord> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.get("pages").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      var r = ResetRecord.parse(e.getValue());
      if (r.isPresent() && hitcounter.page.PageKey.isValid(e.getKey())) {
        out.put(e.getKey(), r.get());
      } else {
        bad.accept(e.getKey());
      }
    }
    return out;
  }

  public static byte[] bytes(Map<String, ResetRecord> records) {
    ObjectNode n = Json.mapper().createObjectNode();
    ObjectNode pages = n.putObject("pages");
    new TreeMap<>(records).forEach((id, r) -> pages.set(id, r.toJson()));
    try {
      return Json.mapper().writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Both maps merged per counted id. */
  public static Map<String, ResetRecord> merge(Map<String, ResetRecord> a, Map<String, ResetRecord> b) {
    Map<String, ResetRecord> out = new TreeMap<>(a);
    b.forEach((id, r) -> out.merge(id, r, ResetRecord::merge));
    return out;
  }

  /**
   * The value of a reset key (record or shard) merged into its copy ({@code target}, null: none
   * there): the new value, or null when the copy is not behind. Throws on a value that does not
   * read.
   */
  public static byte[] merged(byte[] source, byte[] target) {
    return merged(source, target, DeadGenerations.NONE);
  }

  /**
   * {@link #merged(byte[], byte[])}, shards without the pages of {@code dead} generations (a
   * copy that still holds some is written without them).
   */
  public static byte[] merged(byte[] source, byte[] target, DeadGenerations dead) {
    java.util.Optional<ResetRecord> record = ResetRecord.parse(source);
    if (record.isPresent()) {
      java.util.Optional<ResetRecord> t = target == null ? java.util.Optional.empty() : ResetRecord.parse(target);
      if (target != null && t.isEmpty()) {
        throw new IllegalArgumentException("not a reset");
      }
      ResetRecord m = record.get().merge(t.orElse(null));
      return t.isPresent() && m.equals(t.get()) ? null : m.bytes();
    }
    // The copy read entry by entry: one that does not read is written over, never blocks the shard.
    Map<String, ResetRecord> theirs = target == null ? Map.of() : parseEach(target, id -> { });
    Map<String, ResetRecord> m = merge(parse(source), theirs);
    m.keySet().removeIf(dead::dead);
    return target != null && m.equals(theirs) ? null : bytes(m);
  }

  /**
   * What datacenter {@code dc}'s shards (null: every datacenter's) among {@code entries} hold,
   * merged per counted id; entries and shards that do not read are left out (the reset view
   * reports them).
   */
  public static Map<String, ResetRecord> in(String dc, List<KvEntry> entries) {
    Map<String, ResetRecord> out = new HashMap<>();
    for (KvEntry e : entries) {
      if (dc == null ? isShard(e.key()) : e.key().startsWith(ResetRecord.prefix(dc) + MARK)) {
        try {
          parseEach(e.value(), id -> { }).forEach((id, r) -> out.merge(id, r, ResetRecord::merge));
        } catch (RuntimeException bad) {
          // reported by the view
        }
      }
    }
    return out;
  }

  /** Whether {@code held} (a page's reset as some copy holds it) already says all {@code record} says. */
  public static boolean covers(ResetRecord held, ResetRecord record) {
    return held != null && held.merge(record).equals(held);
  }
}
