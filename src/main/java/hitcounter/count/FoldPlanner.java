package hitcounter.count;

import hitcounter.store.CountTable;
import hitcounter.store.PageStats;
import hitcounter.store.Manifest;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fold of a datacenter's journal into its snapshot, as pure steps: {@link #collect} (in the
 * view: is a fold due, and which pages go into which rewritten shard) and {@link #plan} (off
 * the actor: sorting, splitting shards over the budget, encoding, the new manifest and what
 * becomes garbage).
 */
final class FoldPlanner {
  private FoldPlanner() {}

  /** A fold ready to write: new shards, then the manifest, then the pointer (CAS), then garbage. */
  record Plan(
      String dc, Manifest manifest, String manifestKey, byte[] manifestBytes, Map<String, byte[]> shards, long pointerIndex, List<String> garbage,
      Map<String, Long> archive, String why, Manifest previous, Map<String, hitcounter.store.QueueHead> names) {
    SnapshotPointer pointer() {
      return new SnapshotPointer(manifest.gen(), manifestKey);
    }

    long shardBytes() {
      return shards.values().stream().mapToLong(b -> b.length).sum();
    }
  }

  static FoldInput collect(CountTable table, SourceState s, StoreSettings policy) {
    return collect(table, s, policy, hitcounter.config.DeadGenerations.NONE, hitcounter.store.GonePrefixes.NONE);
  }

  /**
   * As {@link #collect(CountTable, SourceState, StoreSettings)}; pages of {@code gone} prefixes are
   * left out of every rewritten shard, and when the generations {@code dead} names changed since
   * the snapshot was last found clean of them, the shards that still hold such pages are rewritten
   * (a fold is due for that alone): a deleted site's counts leave the snapshot once every
   * datacenter has seen it deleted (decision 0019).
   */
  static FoldInput collect(CountTable table, SourceState s, StoreSettings policy, hitcounter.config.DeadGenerations dead, hitcounter.store.GonePrefixes gone) {
    Manifest m = s.manifest;
    long now = System.currentTimeMillis();
    Map<String, Long> archive = new TreeMap<>();
    s.heads.forEach((q, h) -> {
      if (h.appliedCount() == 0 && s.applied(q) == h.seq() && now - s.headChangedAt.getOrDefault(q, now) >= policy.archiveAfter().toMillis()) {
        archive.put(q, s.headIndexes.getOrDefault(q, 0L));
      }
    });
    int goneFound = sweep(table, s, dead, gone, GONE_SHARDS_PER_FOLD);
    java.util.BitSet taken = withSmallNeighbours(m, s.dirty, policy);
    long dirtyBytes = 0;
    for (int i = taken.nextSetBit(0); i >= 0; i = taken.nextSetBit(i + 1)) {
      dirtyBytes += m.shards().isEmpty() ? 0 : m.shards().get(i).bytes();
    }
    if (s.unfoldedEntries == 0 && archive.isEmpty() && goneFound == 0) {
      return FoldInput.none("nothing to fold");
    }
    String why;
    if (s.unfoldedEntries >= policy.maxEntries()) {
      why = s.unfoldedEntries + " entries";
    } else if (s.unfoldedBytes >= policy.maxUnfoldedBytes()) {
      why = s.unfoldedBytes + " journal bytes";
    } else if (s.unfoldedBytes >= Math.max(policy.minFoldBytes(), policy.ratio() * dirtyBytes)) {
      why = s.unfoldedBytes + " journal bytes against " + dirtyBytes + " bytes of shards to rewrite";
    } else if (!archive.isEmpty()) {
      why = "archiving queues at rest " + archive.keySet();
    } else if (goneFound > 0) {
      why = goneFound + " keys (pages and stats) of deleted sites' generations to drop";
    } else {
      return FoldInput.none("not due: " + s.unfoldedEntries + " entries, " + s.unfoldedBytes + " journal bytes, " + dirtyBytes + " bytes of shards to rewrite");
    }
    List<Integer> rewritten = new ArrayList<>();
    List<long[]> ranges = new ArrayList<>();
    if (m.shards().isEmpty()) {
      if (s.unfoldedEntries > 0) {
        rewritten.add(0);
        ranges.addAll(firstRanges(table.pagesIn(s.dc), policy.shardBudget()));
      }
    } else {
      for (int i = taken.nextSetBit(0); i >= 0; i = taken.nextSetBit(i + 1)) {
        rewritten.add(i);
        ranges.add(SourceSync.range(m, i));
      }
    }
    Map<String, Manifest.Folded> folded = new TreeMap<>(m.queues());
    List<String> garbage = new ArrayList<>();
    Set<String> queues = new HashSet<>(s.heads.keySet());
    queues.addAll(m.queues().keySet());
    long archived = 0;
    for (String q : queues) {
      long from = m.foldedSeq(q);
      long to = s.applied(q);
      if (archive.containsKey(q)) {
        folded.remove(q);
        archived += s.countedThrough(q);
      } else {
        folded.put(q, new Manifest.Folded(to, s.countedThrough(q)));
      }
      hitcounter.store.QueueHead names = s.named.getOrDefault(q, s.heads.getOrDefault(q, hitcounter.store.QueueHead.EMPTY));
      for (long seq = from + 1; seq <= to; seq++) {
        garbage.add(names.entryKey(s.dc, q, seq));
      }
    }
    Map<String, hitcounter.store.QueueHead> names = new TreeMap<>(s.heads);
    names.putAll(s.named);
    return new FoldInput(true, why, s.dc, m, s.pointer.manifestKey(), s.pointerIndex, folded, rewritten, table.collect(s.dc, ranges, gone), garbage, archive, archived,
        names);
  }

  /**
   * The shards a fold rewrites: the {@code dirty} ones, and the next shard of each dirty one when
   * both are small (stored at most an eighth of the budget), so that shards a delete emptied (a big
   * site's) merge over folds ({@link #plan} encodes them as one) instead of staying at their
   * high-water count. A small neighbour costs at most an eighth of a shard's write.
   */
  static java.util.BitSet withSmallNeighbours(Manifest m, java.util.BitSet dirty, StoreSettings policy) {
    java.util.BitSet taken = (java.util.BitSet) dirty.clone();
    int small = policy.shardBudget() / 8;
    for (int i = dirty.nextSetBit(0); i >= 0 && i + 1 < m.shards().size(); i = dirty.nextSetBit(i + 1)) {
      if (!taken.get(i + 1) && m.shards().get(i).bytes() <= small && m.shards().get(i + 1).bytes() <= small) {
        taken.set(i + 1);
      }
    }
    return taken;
  }

  /** Shards a fold rewrites at most for dead generations alone: a small site's pages lie in every shard (hashes), so its drop is spread over folds. */
  static final int GONE_SHARDS_PER_FOLD = 32;

  /**
   * When {@code dead} is not what the loaded snapshot was last found clean of: marks up to {@code
   * maxShards} of the shards that hold keys (pages' counts or stats, sites' stats) of gone
   * prefixes dirty, in hash order (neighbours, so that what they keep can merge), and returns how many such keys they hold. Once a
   * pass finds none (the folds that dropped them are installed), and kept none only because this
   * node's sites still showed it, the snapshot is clean of {@code dead}: later folds pay nothing for
   * it (a full load looks again). Without a snapshot there is nothing to rewrite: the first fold
   * leaves them out.
   */
  static int sweep(CountTable table, SourceState s, hitcounter.config.DeadGenerations dead, hitcounter.store.GonePrefixes gone, int maxShards) {
    long now = System.currentTimeMillis();
    if (dead.equals(s.cleanOf) || (dead.equals(s.heldBackOf) && now < s.heldBackUntil)) {
      return 0;
    }
    if (dead.through().isEmpty()) {
      s.cleanOf = dead;
      return 0;
    }
    if (s.manifest.shards().isEmpty()) {
      return 0; // no snapshot yet: the first fold leaves them out (a held-back one is looked at once there is one)
    }
    Map<Integer, Integer> byShard = new TreeMap<>();
    hitcounter.store.GonePrefixes.Pass pass = gone.pass();
    table.goneIn(s.dc, pass, h -> byShard.merge(s.manifest.shardOf(h), 1, Integer::sum));
    if (byShard.isEmpty()) {
      if (pass.heldBack()) {
        s.heldBackOf = dead; // looked at again in a minute, not at every check
        s.heldBackUntil = now + 60_000;
      } else {
        s.cleanOf = dead;
      }
      return 0;
    }
    int[] keys = {0};
    byShard.entrySet().stream()
        .limit(maxShards)
        .forEach(e -> {
          s.dirty.set(e.getKey());
          keys[0] += e.getValue();
        });
    return keys[0];
  }

  /**
   * The hash ranges of a first snapshot: equal parts of the hash space, enough that each is
   * about three quarters of a shard at ~16 bytes a page, so a first fold of a million pages encodes one part at a time instead of
   * building all of them at once and halving (that needed hundreds of MB: decision 0012).
   */
  static List<long[]> firstRanges(int pages, int shardBudget) {
    long wanted = Math.max(1, (long) pages * 16 / Math.max(1, shardBudget * 3 / 4));
    int parts = Long.highestOneBit(wanted) == wanted ? (int) Math.min(wanted, 1 << 16) : (int) Math.min(Long.highestOneBit(wanted) << 1, 1 << 16);
    List<long[]> out = new ArrayList<>(parts);
    if (parts == 1) {
      out.add(new long[] {0, 0});
      return out;
    }
    long step = Long.divideUnsigned(-1L, parts) + 1; // 2^64 / parts (parts a power of two)
    for (int i = 0; i < parts; i++) {
      out.add(new long[] {step * i, i == parts - 1 ? 0 : step * (i + 1)});
    }
    return out;
  }

  static Plan plan(FoldInput in, int shardBudget, String nonce) {
    Manifest old = in.manifest();
    long gen = old.gen() + 1;
    String version = gen + "-" + nonce;
    Map<String, byte[]> written = new TreeMap<>();
    List<Manifest.Shard> pieces = new ArrayList<>();
    ShardPieces.encode(in.collected(), shardBudget, in.dc(), version, written, pieces);
    Set<Integer> rewritten = new HashSet<>(in.rewritten());
    List<Manifest.Shard> shards = new ArrayList<>();
    List<String> garbage = new ArrayList<>(in.foldedEntries());
    for (int i = 0; i < old.shards().size(); i++) {
      if (rewritten.contains(i)) {
        garbage.add(old.shards().get(i).key());
      } else {
        shards.add(old.shards().get(i));
      }
    }
    shards.addAll(pieces);
    shards.sort((a, b) -> Long.compareUnsigned(a.lo(), b.lo()));
    if (old.gen() > 0) {
      garbage.add(in.manifestKey());
    }
    Map<String, Manifest.Archived> archivedNow = new TreeMap<>();
    long now = System.currentTimeMillis();
    in.archive().keySet().forEach(q -> {
      hitcounter.store.QueueHead h = in.names().getOrDefault(q, hitcounter.store.QueueHead.EMPTY);
      archivedNow.put(q, new Manifest.Archived(h.seq(), h.epochs(), now));
    });
    Manifest manifest = new Manifest(gen, in.folded(), old.archivedCounted() + in.archivedCounted(), shards, Manifest.archivedWith(old.archived(), archivedNow));
    String manifestKey = StoreKeys.manifest(in.dc(), version);
    return new Plan(in.dc(), manifest, manifestKey, manifest.toBytes(), written, in.pointerIndex(), garbage, in.archive(), in.why(), old, in.names());
  }

}
