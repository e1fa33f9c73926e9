package hitcounter.config;

import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Which reset records of a datacenter to fold into its reset shards (decision 0019), as a pure
 * planner. A record folds when it has not changed for {@code foldAfter} and every other
 * datacenter's copy already holds what it says (as a record or in a shard there: every
 * datacenter has it to apply); a record its shard already covers (a copy came back, a restore)
 * is deleted. One transaction per shard: the shard by CAS on the index read, each record
 * deleted by CAS, so a record written meanwhile stops that shard's fold and is looked at again.
 * A shard that cannot be read is never written over; one that would pass {@link
 * ResetShards#MAX_SHARD_BYTES} takes no more records (they stay keys; the fold says so).
 */
public final class ResetFold {
  private ResetFold() {}

  /** A fold: one transaction per shard; the records folded, the ones left for want of room, the records and entries of dead generations dropped. */
  public record Plan(List<List<TxnOp>> txns, int folded, int full, int dropped) {
    public static final Plan NONE = new Plan(List.of(), 0, 0, 0);
  }

  /**
   * The fold of datacenter {@code dc}'s reset keys {@code local} at {@code now} (ms), {@code
   * copies} the same prefix as read in every other datacenter; {@code since} says since when a
   * key has held its ModifyIndex. At most {@code maxOps} operations per transaction.
   */
  public static Plan plan(String dc, List<KvEntry> local, Map<String, List<KvEntry>> copies, ToLongFunction<KvEntry> since, long now, Duration foldAfter,
      int maxOps) {
    return plan(dc, local, copies, since, now, foldAfter, maxOps, DeadGenerations.NONE);
  }

  /**
   * {@link #plan(String, List, Map, ToLongFunction, long, Duration, int)}, dropping every record
   * and shard entry of a {@code dead} generation (a deleted site every datacenter has seen
   * deleted): records deleted, shards written without them.
   */
  public static Plan plan(String dc, List<KvEntry> local, Map<String, List<KvEntry>> copies, ToLongFunction<KvEntry> since, long now, Duration foldAfter,
      int maxOps, DeadGenerations dead) {
    Map<Integer, KvEntry> shardEntries = new HashMap<>();
    Map<Integer, Map<String, ResetRecord>> shards = new HashMap<>();
    // Each shard parsed once: those that do not read whole are never written over.
    java.util.Set<Integer> unreadable = new java.util.HashSet<>();
    String prefix = ResetRecord.prefix(dc);
    for (KvEntry e : local) {
      if (e.key().startsWith(prefix) && ResetShards.isShard(e.key())) {
        int n = shardNumber(e.key());
        try {
          Map<String, ResetRecord> records = ResetShards.parse(e.value());
          if (n < 0) {
            unreadable.add(n);
            continue;
          }
          shards.put(n, records);
          shardEntries.put(n, e);
        } catch (RuntimeException bad) {
          unreadable.add(n);
        }
      }
    }
    Map<Integer, List<KvEntry>> due = new TreeMap<>();
    shards.forEach((n, records) -> {
      if (records.keySet().stream().anyMatch(dead::dead)) {
        due.put(n, new ArrayList<>());
      }
    });
    List<Map<String, ResetRecord>> held = new ArrayList<>();
    copies.values().forEach(c -> held.add(holdings(dc, c)));
    for (KvEntry e : local) {
      if (!e.key().startsWith(prefix) || ResetShards.isShard(e.key())) {
        continue;
      }
      String id = ResetRecord.countedIdOf(e.key());
      var record = ResetRecord.parse(e.value());
      if (id == null || record.isEmpty() || !hitcounter.page.PageKey.isValid(id)) {
        continue; // the view reports it; never folded, so it costs only itself
      }
      int n = ResetShards.shardOf(id);
      if (unreadable.contains(n)) {
        continue; // never write over a shard that cannot be read (the view reports it)
      }
      if (dead.dead(id)) {
        due.computeIfAbsent(n, k -> new ArrayList<>()).add(e);
        continue;
      }
      boolean covered = ResetShards.covers(shards.getOrDefault(n, Map.of()).get(id), record.get());
      boolean everywhere = held.stream().allMatch(h -> ResetShards.covers(h.get(id), record.get()));
      if (covered || (everywhere && now - since.applyAsLong(e) >= foldAfter.toMillis())) {
        due.computeIfAbsent(n, k -> new ArrayList<>()).add(e);
      }
    }
    List<List<TxnOp>> txns = new ArrayList<>();
    int folded = 0;
    int full = 0;
    int dropped = 0;
    for (var d : due.entrySet()) {
      Map<String, ResetRecord> before = shards.getOrDefault(d.getKey(), Map.of());
      Map<String, ResetRecord> shard = new TreeMap<>(before);
      int live = shard.size();
      shard.keySet().removeIf(dead::dead);
      dropped += live - shard.size();
      List<TxnOp> deletes = new ArrayList<>();
      byte[] value = ResetShards.bytes(shard);
      int keyBytes = 0;
      for (KvEntry e : d.getValue()) {
        if (deletes.size() == maxOps - 1 || keyBytes > ResetShards.MAX_DELETED_KEY_BYTES) {
          break; // the rest next round
        }
        keyBytes += e.key().length();
        String id = ResetRecord.countedIdOf(e.key());
        if (dead.dead(id)) {
          deletes.add(TxnOp.deleteCas(e.key(), e.modifyIndex()));
          dropped++;
          continue;
        }
        Map<String, ResetRecord> with = new TreeMap<>(shard);
        with.merge(id, ResetRecord.parse(e.value()).orElseThrow(), ResetRecord::merge);
        byte[] bigger = ResetShards.bytes(with);
        if (bigger.length > ResetShards.MAX_SHARD_BYTES) {
          full++;
          continue;
        }
        shard = with;
        value = bigger;
        deletes.add(TxnOp.deleteCas(e.key(), e.modifyIndex()));
        folded++;
      }
      KvEntry s = shardEntries.get(d.getKey());
      if (deletes.isEmpty() && shard.equals(before)) {
        continue;
      }
      long index = s == null ? 0 : s.modifyIndex();
      List<TxnOp> ops = new ArrayList<>();
      ops.add(shard.equals(before) && s != null ? TxnOp.checkIndex(s.key(), index) : TxnOp.cas(ResetShards.key(dc, d.getKey()), value, index));
      ops.addAll(deletes);
      txns.add(List.copyOf(ops));
    }
    return txns.isEmpty() && full == 0 ? Plan.NONE : new Plan(List.copyOf(txns), folded, full, dropped);
  }

  /** The number of a shard key ({@link ResetShards#key}), or -1. */
  static int shardNumber(String key) {
    try {
      return Integer.parseInt(key.substring(key.lastIndexOf('/') + 1), 16);
    } catch (RuntimeException bad) {
      return -1;
    }
  }

  /** Datacenter {@code dc}'s shards among {@code entries} that do not read whole, by number. */
  static java.util.Set<Integer> unreadableShards(String dc, List<KvEntry> entries) {
    java.util.Set<Integer> out = new java.util.HashSet<>();
    String prefix = ResetRecord.prefix(dc);
    for (KvEntry e : entries) {
      if (e.key().startsWith(prefix) && ResetShards.isShard(e.key())) {
        try {
          ResetShards.parse(e.value());
          if (shardNumber(e.key()) < 0) {
            out.add(-1);
          }
        } catch (RuntimeException bad) {
          out.add(shardNumber(e.key()));
        }
      }
    }
    return out;
  }

  /** What a copy of datacenter {@code dc}'s reset keys (null: every datacenter's) holds, merged per counted id (records and shards). */
  public static Map<String, ResetRecord> holdings(String dc, List<KvEntry> entries) {
    Map<String, ResetRecord> out = new HashMap<>(ResetShards.in(dc, entries));
    String prefix = dc == null ? ResetRecord.ROOT : ResetRecord.prefix(dc);
    for (KvEntry e : entries) {
      if (e.key().startsWith(prefix) && !ResetShards.isShard(e.key())) {
        String id = ResetRecord.countedIdOf(e.key());
        ResetRecord.parse(e.value()).ifPresent(r -> {
          if (id != null) {
            out.merge(id, r, ResetRecord::merge);
          }
        });
      }
    }
    return out;
  }

  /**
   * Copies of datacenter {@code dc}'s reset records in another datacenter ({@code target}, as
   * read before this round's merge) that the shards there cover once this round's merge of the
   * source's shards landed (to be sent only then): deleted by CAS. Records the source still has
   * are left to the source's own fold.
   */
  public static List<TxnOp> staleCopies(String dc, List<KvEntry> source, List<KvEntry> target) {
    return staleCopies(dc, source, target, DeadGenerations.NONE);
  }

  /** {@link #staleCopies(String, List, List)}, and copies of records of {@code dead} generations the source no longer has. */
  public static List<TxnOp> staleCopies(String dc, List<KvEntry> source, List<KvEntry> target, DeadGenerations dead) {
    Map<String, ResetRecord> shards = ResetShards.merge(ResetShards.in(dc, target), ResetShards.in(dc, source));
    // A shard that does not read on either side was not merged: no copy it should hold goes.
    Set<Integer> unreadable = unreadableShards(dc, target);
    unreadable.addAll(unreadableShards(dc, source));
    Set<String> inSource = new java.util.HashSet<>();
    source.forEach(e -> inSource.add(e.key()));
    String prefix = ResetRecord.prefix(dc);
    List<TxnOp> out = new ArrayList<>();
    for (KvEntry e : target) {
      if (!e.key().startsWith(prefix) || ResetShards.isShard(e.key()) || inSource.contains(e.key())) {
        continue;
      }
      String id = ResetRecord.countedIdOf(e.key());
      var r = ResetRecord.parse(e.value());
      if (id != null && r.isPresent() && !unreadable.contains(ResetShards.shardOf(id)) && (dead.dead(id) || ResetShards.covers(shards.get(id), r.get()))) {
        out.add(TxnOp.deleteCas(e.key(), e.modifyIndex()));
      }
    }
    return out;
  }

  /**
   * The writes (CAS, one key each) that merge a copy of datacenter {@code dc}'s reset keys back
   * into its own ({@code local}): what a restore or a wipe took there and a copy still holds.
   * Records the merged shards cover are left out; values that do not read too.
   */
  public static List<TxnOp> back(String dc, List<KvEntry> copy, List<KvEntry> local) {
    return back(dc, copy, local, DeadGenerations.NONE);
  }

  /** {@link #back(String, List, List)}, never bringing back a record or shard entry of a {@code dead} generation. */
  public static List<TxnOp> back(String dc, List<KvEntry> copy, List<KvEntry> local, DeadGenerations dead) {
    Map<String, KvEntry> mine = new HashMap<>();
    local.forEach(e -> mine.put(e.key(), e));
    Map<String, ResetRecord> shards = ResetShards.merge(ResetShards.in(dc, local), ResetShards.in(dc, copy));
    String prefix = ResetRecord.prefix(dc);
    List<TxnOp> ops = new ArrayList<>();
    for (KvEntry e : copy) {
      if (!e.key().startsWith(prefix)) {
        continue;
      }
      if (!ResetShards.isShard(e.key())) {
        String id = ResetRecord.countedIdOf(e.key());
        var r = ResetRecord.parse(e.value());
        if (id == null || r.isEmpty() || dead.dead(id) || ResetShards.covers(shards.get(id), r.get())) {
          continue;
        }
      }
      KvEntry t = mine.get(e.key());
      try {
        byte[] m = ResetShards.merged(e.value(), t == null ? null : t.value(), dead);
        if (m != null) {
          ops.add(TxnOp.cas(e.key(), m, t == null ? 0 : t.modifyIndex()));
        }
      } catch (RuntimeException bad) {
        // not merged: reported where it is read
      }
    }
    return ops;
  }
}
