package hitcounter.count;

import hitcounter.config.ResetRecord;
import hitcounter.config.ResetShards;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import hitcounter.page.PageKey;
import hitcounter.store.CountTable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Watches the page resets of every datacenter in the local Consul ({@code hitcounter/resets/},
 * written where the reset was asked and copied everywhere by the replicators; records, and the
 * shards records at rest are folded into, {@link ResetShards}), merges the records of each page
 * into what it knew, and raises its baselines in the count table: from then on every answer of
 * this node shows the page's counts less what the reset saw. A record is applied whenever it
 * arrives, before or after the counts it masks (baselines are absolute per datacenter).
 */
public final class ResetView {
  public sealed interface Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  /** The merged reset of every page that has one, as last read. */
  public static final class Resets {
    private volatile Map<String, ResetRecord> byId = Map.of();
    private volatile long version;

    public ResetRecord of(String countedId) {
      return byId.get(countedId);
    }

    /** Whether the page was deleted (and not hit since: a page hit again shows again). */
    public boolean deleted(String countedId) {
      ResetRecord r = byId.get(countedId);
      return r != null && r.deleted();
    }

    public int size() {
      return byId.size();
    }

    /** Takes {@code merged} as the resets known (the view's read, merged per page). */
    void set(Map<String, ResetRecord> merged) {
      byId = Map.copyOf(merged);
      version++;
    }

    /** Every page's merged reset. */
    public Map<String, ResetRecord> all() {
      return byId;
    }

    /** Bumped whenever the resets known change (an answer rendered before is then out of date). */
    public long version() {
      return version;
    }
  }

  private ResetView() {}

  /** A reset shard as parsed at its ModifyIndex (records null: it did not read), so an unchanged shard is not parsed again. */
  private record ReadShard(long index, Map<String, ResetRecord> records) {
    static ReadShard of(KvEntry e, BadValues bad) {
      Map<String, ResetRecord> records;
      try {
        records = ResetShards.parseEach(e.value(), id -> bad.skipped("reset-view", e.key() + " " + id, "not a page reset"));
      } catch (RuntimeException notAShard) {
        records = null;
      }
      return new ReadShard(e.modifyIndex(), records);
    }
  }

  public static Behavior<Command> create(Consul consul, CountTable table, Resets resets, BadValues bad, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, ResetRecord.ROOT, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
      Map<String, ReadShard> shards = new HashMap<>();
      long[] lastIndex = {0};
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, m -> {
            if (m.entries().index() < lastIndex[0]) {
              shards.clear(); // Consul's indexes went back (a wipe): a cached index may name other content now
            }
            lastIndex[0] = m.entries().index();
            // Joined into what was known: records are a lattice, so a key missing for a moment
            // (a copy between its two writes, a restore before its merge back) undoes nothing.
            Map<String, ResetRecord> merged = new HashMap<>(resets.byId);
            Map<String, ReadShard> seen = new HashMap<>();
            for (KvEntry e : m.entries().value()) {
              if (ResetShards.isShard(e.key())) {
                ReadShard s = shards.get(e.key());
                if (s == null || s.index() != e.modifyIndex()) {
                  s = ReadShard.of(e, bad);
                }
                seen.put(e.key(), s);
                if (s.records() == null) {
                  bad.skipped("reset-view", e.key(), "not a reset shard");
                  continue;
                }
                bad.good("reset-view", e.key());
                s.records().forEach((id, r) -> merged.merge(id, r, ResetRecord::merge));
                continue;
              }
              String id = ResetRecord.countedIdOf(e.key());
              var record = ResetRecord.parse(e.value());
              if (id == null || !PageKey.isValid(id) || record.isEmpty()) {
                bad.skipped("reset-view", e.key(), "not a page reset");
                continue;
              }
              bad.good("reset-view", e.key());
              merged.merge(id, record.get(), ResetRecord::merge);
            }
            Map<String, ResetRecord> before = resets.byId;
            merged.forEach((id, r) -> {
              if (!r.equals(before.get(id))) {
                table.setBaselines(id, r.baselines());
              }
            });
            resets.set(merged);
            shards.clear();
            shards.putAll(seen);
            return Behaviors.same();
          })
          .build();
    });
  }
}
