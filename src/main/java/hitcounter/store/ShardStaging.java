package hitcounter.store;

import java.util.List;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Installing a datacenter's snapshot in the count table: shards are staged apart from what
 * readers see, then installed under one write lock with the journal entries after the snapshot,
 * so no answer sees a half-applied fold.
 */
final class ShardStaging {
  private final CountTable table;

  ShardStaging(CountTable table) {
    this.table = table;
  }

  /** Starts staging a snapshot of {@code dc} (what an earlier, unfinished one staged is dropped). */
  void clear(String dc) {
    long stamp = table.write();
    try {
      CountColumn c = table.column(dc);
      c.staged = new CountArray(c.base.length());
      table.insights.clearStaged(dc);
    } finally {
      table.unlockWrite(stamp);
    }
  }

  /**
   * Decodes a snapshot shard of {@code dc} into its staging area (readers do not see it until
   * {@link #commit}); returns the pages it holds.
   *
   * @throws CountsCodec.BadValue when the value is not a shard
   */
  int stage(String dc, byte[] shard) {
    CountsCodec.Decoded decoded = CountsCodec.decodeAll(CountsCodec.SHARD, shard);
    TreeMap<String, Long> counts = decoded.counts();
    long stamp = table.write();
    try {
      CountColumn c = table.column(dc);
      if (c.staged == null) {
        c.staged = new CountArray(c.base.length());
      }
      for (var e : counts.entrySet()) {
        int slot = table.slotFor(e.getKey()); // first: a new slot may grow the arrays
        c.staged.set(slot, e.getValue());
      }
      table.insights.stage(dc, decoded.stats(), key -> table.slotFor(key));
      return counts.size();
    } finally {
      table.unlockWrite(stamp);
    }
  }

  /**
   * Installs a snapshot of {@code dc} staged by {@link #stage}: pages whose hash lies in one
   * of the {@code replaced} ranges (disjoint) take their staged count as base; every pending
   * count is dropped, then {@code entries} (the journal entries after the snapshot, decoded) are
   * added again. Atomic for readers.
   */
  void commit(String dc, List<long[]> replaced, List<CountsCodec.Decoded> entries, LongConsumer touched) {
    HashRanges ranges = new HashRanges(replaced);
    long stamp = table.write();
    try {
      CountColumn c = table.column(dc);
      CountArray staged = c.staged;
      int n = table.pages.size();
      for (int slot = 0; slot < n; slot++) {
        if (ranges.holds(table.pages.hash(slot))) {
          c.base.set(slot, staged != null && slot < staged.length() ? staged.get(slot) : 0);
        }
      }
      c.staged = null;
      c.pending.clear();
      for (CountsCodec.Decoded entry : entries) {
        table.addPending(c, entry, touched);
      }
      table.insights.commit(dc, ranges::holds, entries.stream().map(CountsCodec.Decoded::stats).toList(), touched, key -> table.slotFor(key));
    } finally {
      table.unlockWrite(stamp);
    }
  }

}
