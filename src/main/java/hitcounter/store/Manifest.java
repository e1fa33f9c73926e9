package hitcounter.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One generation of a datacenter's snapshot: for each queue, up to which entry its journal is
 * folded in (and the hits counted by then); the hits of queues archived for good; and the
 * shards, each the totals of one range of page hashes. Shard i covers hashes from its
 * {@code lo} (unsigned) up to the next shard's; the first starts at 0. Immutable: a fold writes a
 * new generation and moves the snapshot pointer to it. {@code archived} names the last entry of
 * each queue archived (the latest {@link #ARCHIVED_KEPT}): a worker that finds its head gone, and
 * a copy that still holds it, tell an archive from a rollback by it.
 */
public record Manifest(long gen, Map<String, Folded> queues, long archivedCounted, List<Shard> shards, Map<String, Archived> archived) {
  public static final Manifest EMPTY = new Manifest(0, Map.of(), 0, List.of());
  public static final int ARCHIVED_KEPT = 1000;

  /** A queue folded through entry {@code seq}, with {@code counted} hits by then. */
  public record Folded(long seq, long counted) {}

  /** A queue archived through entry {@code seq} (written in {@code epoch}), at {@code at} (ms). */
  public record Archived(long seq, String epoch, long at) {
    /** Whether {@code head} names nothing past this archive: its last entry is the archived one, or one before it. */
    public boolean covers(QueueHead head) {
      return head.seq() < seq || head.seq() == seq && head.epochOf(seq).equals(epoch);
    }
  }

  public Manifest(long gen, Map<String, Folded> queues, long archivedCounted, List<Shard> shards) {
    this(gen, queues, archivedCounted, shards, Map.of());
  }

  /** One shard: its first hash, its key, its size in bytes and its number of pages. */
  public record Shard(long lo, String key, int bytes, int pages) {}

  public Manifest {
    queues = java.util.Collections.unmodifiableMap(new TreeMap<>(queues));
    shards = List.copyOf(shards);
    archived = java.util.Collections.unmodifiableMap(new TreeMap<>(archived));
  }

  /** {@code archived} with {@code more} added (a queue archived again replaces its record), the latest {@link #ARCHIVED_KEPT} kept. */
  public static Map<String, Archived> archivedWith(Map<String, Archived> archived, Map<String, Archived> more) {
    Map<String, Archived> all = new TreeMap<>(archived);
    all.putAll(more);
    if (all.size() <= ARCHIVED_KEPT) {
      return all;
    }
    Map<String, Archived> kept = new TreeMap<>();
    all.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().at(), a.getValue().at())).limit(ARCHIVED_KEPT)
        .forEach(e -> kept.put(e.getKey(), e.getValue()));
    return kept;
  }

  public long foldedSeq(String queue) {
    Folded f = queues.get(queue);
    return f == null ? 0 : f.seq();
  }

  public long snapshotBytes() {
    return shards.stream().mapToLong(Shard::bytes).sum();
  }

  public long pages() {
    return shards.stream().mapToLong(Shard::pages).sum();
  }

  public byte[] toBytes() {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("v", 1);
    o.put("gen", gen);
    ObjectNode q = o.putObject("queues");
    queues.forEach((name, f) -> q.putObject(name).put("seq", f.seq()).put("counted", f.counted()));
    o.put("archivedCounted", archivedCounted);
    if (!archived.isEmpty()) {
      ObjectNode a = o.putObject("archived");
      archived.forEach((name, x) -> a.putObject(name).put("seq", x.seq()).put("epoch", x.epoch()).put("at", x.at()));
    }
    var arr = o.putArray("shards");
    for (Shard s : shards) {
      arr.addObject().put("lo", Long.toUnsignedString(s.lo(), 16)).put("key", s.key()).put("bytes", s.bytes()).put("pages", s.pages());
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static Optional<Manifest> parse(byte[] value) {
    try {
      JsonNode o = Json.mapper().readTree(value);
      if (o == null || o.path("v").asInt() != 1 || !o.path("gen").canConvertToLong() || !o.path("shards").isArray()) {
        return Optional.empty();
      }
      Map<String, Folded> queues = new TreeMap<>();
      var it = o.path("queues").fields();
      while (it.hasNext()) {
        var f = it.next();
        queues.put(f.getKey(), new Folded(f.getValue().path("seq").asLong(), f.getValue().path("counted").asLong()));
      }
      List<Shard> shards = new ArrayList<>();
      long previous = 0;
      for (JsonNode s : o.path("shards")) {
        long lo = Long.parseUnsignedLong(s.path("lo").asText(), 16);
        if ((shards.isEmpty() && lo != 0) || (!shards.isEmpty() && Long.compareUnsigned(lo, previous) <= 0)) {
          return Optional.empty();
        }
        previous = lo;
        shards.add(new Shard(lo, s.path("key").asText(), s.path("bytes").asInt(), s.path("pages").asInt()));
      }
      Map<String, Archived> archived = new TreeMap<>();
      var at = o.path("archived").fields();
      while (at.hasNext()) {
        var f = at.next();
        archived.put(f.getKey(), new Archived(f.getValue().path("seq").asLong(), f.getValue().path("epoch").asText(""), f.getValue().path("at").asLong()));
      }
      return Optional.of(new Manifest(o.path("gen").asLong(), queues, o.path("archivedCounted").asLong(), shards, archived));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** The index of the shard that holds hash {@code h} (shards must not be empty). */
  public int shardOf(long h) {
    int lo = 0;
    int hi = shards.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (Long.compareUnsigned(shards.get(mid).lo(), h) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
