package hitcounter.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The head of one queue's journal: the seq of its last entry, the hits counted from it so far,
 * the bytes of its entries so far, and its applied record (per session, the ids of jobs counted
 * but not yet known deleted: exactly-once). Written by the queue's worker in the same
 * transaction as each entry; small, so readers watch it. {@code migratedAt} is when the queue's
 * counts were moved from the layout before the count store (0: never).
 */
public record QueueHead(long seq, long counted, long bytes, Map<String, Set<Long>> applied, long migratedAt, List<Epoch> epochs) {
  public static final QueueHead EMPTY = new QueueHead(0, 0, 0, Map.of(), 0);

  /**
   * The entries from seq {@code from} on were written in {@code epoch} (until the next epoch's
   * from): their keys carry it ({@link StoreKeys#entry(String, String, String, long)}), so an
   * entry written again after a rollback never has the name of the one it replaces. Entries
   * before the first epoch listed carry none (the layout before epochs). Decision 0012.
   */
  public record Epoch(String id, long from) {}

  public QueueHead(long seq, long counted, long bytes, Map<String, Set<Long>> applied, long migratedAt) {
    this(seq, counted, bytes, applied, migratedAt, List.of());
  }

  public QueueHead {
    epochs = List.copyOf(epochs);
    TreeMap<String, Set<Long>> copy = new TreeMap<>();
    applied.forEach((s, ids) -> {
      if (!ids.isEmpty()) {
        copy.put(s, Set.copyOf(new TreeSet<>(ids)));
      }
    });
    applied = java.util.Collections.unmodifiableMap(copy);
  }

  public boolean isApplied(String session, long id) {
    Set<Long> ids = applied.get(session);
    return ids != null && ids.contains(id);
  }

  /** The epoch entry {@code seq} was written in ("" before the first epoch listed). */
  public String epochOf(long seq) {
    String id = "";
    for (Epoch e : epochs) {
      if (e.from() > seq) {
        break;
      }
      id = e.id();
    }
    return id;
  }

  /** The epoch of the last entry, where the next one goes on unless a new epoch begins. */
  public String epoch() {
    return epochOf(seq);
  }

  /** The key of entry {@code seq} of this head's queue. */
  public String entryKey(String dc, String queue, long seq) {
    return StoreKeys.entry(dc, queue, epochOf(seq), seq);
  }

  /**
   * The epochs once entry {@code seq} (the next one) is written in {@code epoch}, without those
   * whose entries are all folded through {@code folded} (their keys are no longer read).
   */
  public List<Epoch> epochsWith(String epoch, long seq, long folded) {
    List<Epoch> out = new ArrayList<>(epochs);
    if (!epoch.equals(epochOf(seq))) {
      out.add(new Epoch(epoch, seq));
    }
    while (out.size() > 1 && out.get(1).from() <= folded + 1) {
      out.remove(0);
    }
    if (out.size() == 1 && out.get(0).id().isEmpty()) {
      out.clear();
    }
    return out;
  }

  /** Whether this head and {@code other} name entries {@code from} to {@code to} alike (same epoch for each seq). */
  public boolean sameNames(QueueHead other, long from, long to) {
    return firstDifferent(other, from, to) > to;
  }

  /**
   * The first seq in {@code from}..{@code to} that this head and {@code other} name otherwise
   * (another epoch), or {@code to + 1} when they name them all alike.
   */
  public long firstDifferent(QueueHead other, long from, long to) {
    if (from > to) {
      return to + 1;
    }
    if (!epochOf(from).equals(other.epochOf(from))) {
      return from;
    }
    long first = to + 1;
    for (List<Epoch> list : List.of(epochs, other.epochs)) {
      for (Epoch e : list) {
        if (e.from() > from && e.from() <= to && e.from() < first && !epochOf(e.from()).equals(other.epochOf(e.from()))) {
          first = e.from();
        }
      }
    }
    return first;
  }

  /**
   * Where this head, the store after a rollback, parts from {@code other}, a copy of it from
   * before: the first seq of an epoch this head began that {@code other} does not know (the
   * rollback's new epoch: it stays listed after what came before it is folded and pruned), else
   * the first seq after {@code folded} that both name, otherwise, else the seq after this head's
   * last.
   */
  public long partsFrom(QueueHead other, long folded) {
    // A head names seqs before its first listed epoch by "" whether they had no epoch or one
    // pruned once folded: names are compared only where both lists say.
    long lower = Math.max(folded + 1, Math.max(firstListed(), other.firstListed()));
    long from = Math.min(seq + 1, firstDifferent(other, lower, other.seq()));
    java.util.Set<String> known = new java.util.HashSet<>();
    other.epochs.forEach(e -> known.add(e.id()));
    // An old epoch the copy pruned (folded there) is not the rollback's: only one that begins
    // after the copy's first listed epoch, where the copy named the seq otherwise.
    long otherFirst = other.epochs.isEmpty() ? 0 : other.epochs.get(0).from();
    for (Epoch e : epochs) {
      if (!known.contains(e.id()) && e.from() > otherFirst) {
        from = Math.min(from, e.from());
        break;
      }
    }
    return from;
  }

  private long firstListed() {
    return epochs.isEmpty() ? 1 : epochs.get(0).from();
  }

  public int appliedCount() {
    return applied.values().stream().mapToInt(Set::size).sum();
  }

  public byte[] toBytes() {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("v", 1);
    o.put("seq", seq);
    o.put("counted", counted);
    o.put("bytes", bytes);
    ObjectNode a = o.putObject("applied");
    applied.forEach((s, ids) -> a.put(s, IdRanges.format(ids)));
    if (migratedAt > 0) {
      o.put("migratedAt", migratedAt);
    }
    if (!epochs.isEmpty()) {
      var list = o.putArray("epochs");
      epochs.forEach(e -> list.addArray().add(e.id()).add(e.from()));
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The head in {@code value}, or empty when the value is not a head (a bad value is skipped, not fatal). */
  public static Optional<QueueHead> parse(byte[] value) {
    try {
      JsonNode o = Json.mapper().readTree(value);
      if (o == null || !o.isObject() || o.path("v").asInt() != 1 || !o.path("seq").canConvertToLong()
          || o.path("seq").asLong() < 0 || !o.path("counted").canConvertToLong() || !o.path("applied").isObject()) {
        return Optional.empty();
      }
      Map<String, Set<Long>> applied = new TreeMap<>();
      var it = o.path("applied").fields();
      while (it.hasNext()) {
        var f = it.next();
        if (!f.getValue().isTextual()) {
          return Optional.empty();
        }
        applied.put(f.getKey(), IdRanges.parse(f.getValue().asText()));
      }
      List<Epoch> epochs = new ArrayList<>();
      long last = -1;
      for (JsonNode e : o.path("epochs")) {
        if (!e.path(0).isTextual() || !StoreKeys.isEpoch(e.path(0).asText()) || !e.path(1).canConvertToLong() || e.path(1).asLong() <= last) {
          return Optional.empty();
        }
        last = e.path(1).asLong();
        epochs.add(new Epoch(e.path(0).asText(), last));
      }
      return Optional.of(new QueueHead(o.path("seq").asLong(), o.path("counted").asLong(), o.path("bytes").asLong(), applied, o.path("migratedAt").asLong(0), epochs));
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
