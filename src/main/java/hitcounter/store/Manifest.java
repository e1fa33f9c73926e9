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
public record Manifest(long gen, Map<String, Folded> queues, long archivedCounted, List<Shard> shards, Map<String, List<Archived>> archived) {
  public static final Manifest EMPTY = new Manifest(0, Map.of(), 0, List.of());
  /** Queues whose archives are named (the latest), and archives named per queue (the latest). */
  public static final int ARCHIVED_KEPT = 1000;
  public static final int ARCHIVES_PER_QUEUE = 4;

  /** A queue folded through entry {@code seq}, with {@code counted} hits by then. */
  public record Folded(long seq, long counted) {}

  /** A queue archived through entry {@code seq}, its head's epochs then, at {@code at} (ms). */
  public record Archived(long seq, List<QueueHead.Epoch> epochs, long at) {
    public Archived {
      epochs = List.copyOf(epochs);
    }

    /** The archived head's own: the entries it named, by name. */
    public QueueHead head() {
      return new QueueHead(seq, 0, 0, Map.of(), 0, epochs);
    }

    /** Whether {@code head} names an entry of this archive, and nothing past it: its last entry is one the archive holds, by name. */
    public boolean covers(QueueHead head) {
      return head.seq() >= 1 && head.seq() <= seq && head().epochOf(head.seq()).equals(head.epochOf(head.seq()));
    }
  }

  /** Whether one of {@code queue}'s archives covers {@code head} ({@link Archived#covers}). */
  public boolean archiveCovers(String queue, QueueHead head) {
    return archived.getOrDefault(queue, List.of()).stream().anyMatch(a -> a.covers(head));
  }

  public Manifest(long gen, Map<String, Folded> queues, long archivedCounted, List<Shard> shards) {
    this(gen, queues, archivedCounted, shards, Map.of());
  }

  /** One shard: its first hash, its key, its size in bytes and its number of pages. */
  public record Shard(long lo, String key, int bytes, int pages) {}

  public Manifest {
    queues = java.util.Collections.unmodifiableMap(new TreeMap<>(queues));
    shards = List.copyOf(shards);
    Map<String, List<Archived>> a = new TreeMap<>();
    archived.forEach((q, list) -> a.put(q, List.copyOf(list)));
    archived = java.util.Collections.unmodifiableMap(a);
  }

  /**
   * {@code archived} with {@code more} added (the latest {@link #ARCHIVES_PER_QUEUE} per queue),
   * the {@link #ARCHIVED_KEPT} queues archived last kept.
   */
  public static Map<String, List<Archived>> archivedWith(Map<String, List<Archived>> archived, Map<String, Archived> more) {
    Map<String, List<Archived>> all = new TreeMap<>(archived);
    more.forEach((q, x) -> {
      List<Archived> list = new ArrayList<>(all.getOrDefault(q, List.of()));
      list.add(x);
      all.put(q, list.subList(Math.max(0, list.size() - ARCHIVES_PER_QUEUE), list.size()));
    });
    if (all.size() <= ARCHIVED_KEPT) {
      return all;
    }
    Map<String, List<Archived>> kept = new TreeMap<>();
    all.entrySet().stream().sorted((a, b) -> Long.compare(last(b.getValue()), last(a.getValue()))).limit(ARCHIVED_KEPT)
        .forEach(e -> kept.put(e.getKey(), e.getValue()));
    return kept;
  }

  private static long last(List<Archived> list) {
    return list.isEmpty() ? 0 : list.get(list.size() - 1).at();
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
      archived.forEach((name, list) -> {
        var arr = a.putArray(name);
        for (Archived x : list) {
          ObjectNode one = arr.addObject().put("seq", x.seq()).put("at", x.at());
          var epochs = one.putArray("epochs");
          x.epochs().forEach(e -> epochs.addObject().put("id", e.id()).put("from", e.from()));
        }
      });
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
      Map<String, List<Archived>> archived = new TreeMap<>();
      var at = o.path("archived").fields();
      while (at.hasNext()) {
        var f = at.next();
        List<Archived> list = new ArrayList<>();
        for (JsonNode x : f.getValue()) {
          List<QueueHead.Epoch> epochs = new ArrayList<>();
          x.path("epochs").forEach(e -> epochs.add(new QueueHead.Epoch(e.path("id").asText(""), e.path("from").asLong())));
          list.add(new Archived(x.path("seq").asLong(), epochs, x.path("at").asLong()));
        }
        archived.put(f.getKey(), list);
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
