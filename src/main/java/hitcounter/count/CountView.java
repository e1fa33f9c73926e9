package hitcounter.count;

import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps this node's {@link CountTable} current for every datacenter whose counts are in the
 * local Consul (its own, and the copies of the others'). It watches only the small keys under
 * {@code hitcounter/heads/} (queue heads and snapshot pointers) and fetches by name what they
 * say is new: journal entries after the last one applied, or the shards of a new snapshot that
 * changed. The cost of a refresh follows what changed, never what exists. One sync per
 * datacenter at a time; a failed one is tried again shortly. Values that do not parse are
 * skipped and reported ({@link BadValues}). The fold of this datacenter's journal is planned
 * here too ({@link CollectFold}): only this actor knows the table and what it holds.
 */
public final class CountView extends AbstractBehavior<CountView.Command> {
  public sealed interface Command {}

  /**
   * Asks for the input of a fold of the local datacenter, if one is due by {@code policy}.
   * {@code dead}, {@code gone}: the generations whose pages leave the snapshot (decision 0019);
   * {@code lookAgain}: the folder's first ask (this node just became keeper: what it found clean
   * before may have been folded since by another keeper).
   */
  public record CollectFold(StoreSettings policy, hitcounter.config.DeadGenerations dead, hitcounter.store.GonePrefixes gone, boolean lookAgain,
      ActorRef<FoldInput> replyTo) implements Command {}

  private record HeadsChanged(Indexed<List<KvEntry>> entries) implements Command {}

  private record EntriesFetched(String dc, SourceSync.Entries entries) implements Command {}

  private record SnapshotFetched(String dc, SourceSync.Snapshot snapshot) implements Command {}

  private record SyncFailed(String dc, Throwable cause) implements Command {}

  private record Resume(String dc) implements Command {}

  private record Reload(String dc) implements Command {}

  private static final int ENTRIES_PER_SYNC = 64;

  public static Behavior<Command> create(
      Consul consul, CountTable table, StoreStatus status, BadValues bad, BlockingQueryWatch.Settings watch, Duration wait) {
    return create(consul, table, status, new ViewHealth(), bad, watch, wait);
  }

  public static Behavior<Command> create(
      Consul consul, CountTable table, StoreStatus status, ViewHealth health, BadValues bad, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new CountView(ctx, timers, consul, table, status, health, bad, watch, wait)));
  }

  private final TimerScheduler<Command> timers;
  private final Consul consul;
  private final CountTable table;
  private final StoreStatus status;
  private final ViewHealth health;
  private final BadValues bad;
  private final Map<String, SourceState> sources = new TreeMap<>();

  private CountView(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Consul consul,
      CountTable table,
      StoreStatus status,
      ViewHealth health,
      BadValues bad,
      BlockingQueryWatch.Settings watch,
      Duration wait) {
    super(ctx);
    this.timers = timers;
    this.consul = consul;
    this.table = table;
    this.status = status;
    this.health = health;
    this.bad = bad;
    BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, StoreKeys.HEADS_ROOT, index, wait);
    ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), HeadsChanged::new, watch), "watch-heads");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(HeadsChanged.class, this::onHeadsChanged)
        .onMessage(EntriesFetched.class, this::onEntriesFetched)
        .onMessage(SnapshotFetched.class, this::onSnapshotFetched)
        .onMessage(SyncFailed.class, this::onSyncFailed)
        .onMessage(Resume.class, m -> sync(m.dc()))
        .onMessage(Reload.class, this::onReload)
        .onMessage(CollectFold.class, this::onCollectFold)
        .build();
  }

  private Behavior<Command> onHeadsChanged(HeadsChanged m) {
    HeadsRead read = HeadsRead.parse(m.entries().value(), bad);
    Map<String, Map<String, QueueHead>> heads = read.heads();
    Map<String, Map<String, Long>> headIndexes = read.headIndexes();
    Map<String, SnapshotPointer> pointers = read.pointers();
    Map<String, Long> pointerIndexes = read.pointerIndexes();
    for (String dc : heads.keySet()) {
      SourceState s = sources.computeIfAbsent(dc, SourceState::new);
      long now = System.currentTimeMillis();
      if (s.current()) {
        // The blocking query proves the heads applied held until now.
        s.appliedAsOf = now;
      }
      Map<String, Long> indexes = headIndexes.getOrDefault(dc, Map.of());
      indexes.forEach((q, index) -> {
        if (!index.equals(s.headIndexes.get(q))) {
          s.headChangedAt.put(q, now);
        }
      });
      s.headChangedAt.keySet().retainAll(indexes.keySet());
      s.heads = heads.get(dc);
      s.headIndexes = indexes;
      s.pointer = pointers.getOrDefault(dc, SnapshotPointer.NONE);
      s.pointerIndex = pointerIndexes.getOrDefault(dc, 0L);
      s.headsSeenAt = now;
      sync(dc);
    }
    publish();
    return this;
  }

  private Behavior<Command> sync(String dc) {
    SourceState s = sources.get(dc);
    if (s == null || s.syncing) {
      return this;
    }
    switch (s.work()) {
      case NONE -> {
        return this;
      }
      case ENTRIES -> getContext().pipeToSelf(SourceSync.entries(consul, s, ENTRIES_PER_SYNC), (r, e) -> e == null ? new EntriesFetched(dc, r) : new SyncFailed(dc, e));
      case SNAPSHOT, RELOAD -> {
        boolean reload = s.work() == SourceState.Work.RELOAD;
        if (reload) {
          getContext().getLog().warn("counts of {} went backwards in this Consul (a restore or a wipe): loading them again", dc);
          s.problem = "the store went back (a restore or a wipe): loading it again";
        }
        getContext().pipeToSelf(SourceSync.snapshot(consul, s, reload), (r, e) -> e == null ? new SnapshotFetched(dc, r) : new SyncFailed(dc, e));
      }
    }
    s.syncing = true;
    s.stepStarted();
    return this;
  }

  private Behavior<Command> onEntriesFetched(EntriesFetched m) {
    SourceState s = sources.get(m.dc());
    s.syncing = false;
    for (SourceSync.RawEntry e : m.entries().entries()) {
      if (e.seq() != s.applied(e.queue()) + 1) {
        continue; // applied already by a snapshot installed meanwhile
      }
      s.named.put(e.queue(), m.entries().heads().get(e.queue()));
      long hits = 0;
      try {
        hits = table.addEntry(m.dc(), e.value(), s::markDirty);
      } catch (CountsCodec.BadValue x) {
        damaged(s, m.entries().heads().get(e.queue()).entryKey(m.dc(), e.queue(), e.seq()), x.getMessage());
      }
      s.appliedSeq.put(e.queue(), e.seq());
      s.appliedHits.merge(e.queue(), hits, Long::sum);
      s.unfoldedBytes += e.value().length;
      s.unfoldedEntries++;
      s.entriesApplied++;
      s.lastEntryMillis = System.currentTimeMillis();
    }
    s.stepApplied();
    publish();
    return sync(m.dc());
  }

  private Behavior<Command> onSnapshotFetched(SnapshotFetched m) {
    SourceState s = sources.get(m.dc());
    s.syncing = false;
    SourceSync.Snapshot snap = m.snapshot();
    if (snap.full()) {
      s.damaged.clear(); // read again from scratch: what is still damaged shows again below
      s.cleanOf = null; // a restore can bring back what a fold dropped
    }
    // A full load replaces every hash range in one step (commitSnapshot): readers never see 0.
    table.clearStaged(m.dc());
    for (int i = 0; i < snap.shards().size(); i++) {
      try {
        table.stageShard(m.dc(), snap.shards().get(i));
      } catch (CountsCodec.BadValue x) {
        damaged(s, "a shard of snapshot " + snap.manifest().gen(), x.getMessage());
      }
    }
    List<CountsCodec.Decoded> entries = new ArrayList<>();
    s.manifest = snap.manifest();
    s.manifestKey = snap.pointer().manifestKey();
    s.named.clear();
    s.named.putAll(snap.heads());
    s.loaded = true;
    s.appliedSeq.clear();
    s.appliedHits.clear();
    s.unfoldedBytes = 0;
    s.unfoldedEntries = 0;
    s.dirty.clear();
    for (SourceSync.RawEntry e : snap.entries()) {
      try {
        CountsCodec.Decoded inc = CountsCodec.decodeAll(CountsCodec.ENTRY, e.value());
        entries.add(inc);
        s.appliedHits.merge(e.queue(), inc.hits(), Long::sum);
      } catch (CountsCodec.BadValue x) {
        damaged(s, snap.heads().get(e.queue()).entryKey(m.dc(), e.queue(), e.seq()), x.getMessage());
      }
      s.appliedSeq.put(e.queue(), e.seq());
      s.unfoldedBytes += e.value().length;
      s.unfoldedEntries++;
    }
    table.commitSnapshot(m.dc(), snap.replaced(), entries, s::markDirty);
    if (s.damaged.isEmpty()) {
      s.damagedSince = 0;
    }
    s.stepApplied();
    getContext().getLog().debug("installed snapshot {} of {}: {} shards fetched, {} entries after it", snap.manifest().gen(), m.dc(), snap.shards().size(), snap.entries().size());
    publish();
    return sync(m.dc());
  }

  private Behavior<Command> onSyncFailed(SyncFailed m) {
    SourceState s = sources.get(m.dc());
    s.syncing = false;
    if (m.cause() instanceof SourceSync.Missing || m.cause().getCause() instanceof SourceSync.Missing) {
      getContext().getLog().debug("sync of {}: {}; trying again", m.dc(), m.cause().toString());
    } else {
      getContext().getLog().warn("sync of {} failed: {}; trying again", m.dc(), m.cause().toString());
    }
    s.problem = m.cause() instanceof SourceSync.Missing || m.cause().getCause() instanceof SourceSync.Missing
        ? "a key its heads name is missing: " + (m.cause().getCause() != null ? m.cause().getCause() : m.cause()).getMessage()
        : "its sync fails: " + m.cause();
    timers.startSingleTimer(new Resume(m.dc()), Duration.ofMillis(250));
    publish();
    return this;
  }

  private Behavior<Command> onCollectFold(CollectFold m) {
    SourceState s = sources.get(consul.localDatacenter());
    if (s != null && m.lookAgain()) {
      s.cleanOf = null;
    }
    if (s != null && !s.damaged.isEmpty()) {
      // A fold would make the skipped value's hits lost for good: wait for a repair.
      m.replyTo().tell(FoldInput.none("values of the store do not parse: " + s.damaged));
    } else if (s == null || s.syncing || s.work() != SourceState.Work.NONE) {
      m.replyTo().tell(FoldInput.NOT_NOW);
    } else if (disagrees(s)) {
      m.replyTo().tell(FoldInput.NOT_NOW);
    } else {
      m.replyTo().tell(FoldPlanner.collect(table, s, m.policy(), m.dead(), m.gone()));
    }
    return this;
  }

  /**
   * The table is the fold's source: before it is written, what it was built from is checked
   * against the stored heads (each head's counted hits, written with its entries, against the
   * snapshot's and the applied entries'). A table that disagrees is loaded again from the store
   * first; if a fresh load disagrees the same way, the store itself says so (logged once) and the
   * fold goes on from what is stored.
   */
  private boolean disagrees(SourceState s) {
    String off = s.disagreement();
    if (off == null || !s.reloadedFor.add(off)) {
      if (off != null) {
        getContext().getLog().warn("the stored heads of {} disagree with their own entries ({}), read fresh: folding what is stored", s.dc, off);
      }
      return false;
    }
    getContext().getLog().error("this node's table of {} disagrees with the stored heads ({}): loading it again before folding", s.dc, off);
    s.problem = "the table disagreed with the stored heads: loading it again";
    s.loaded = false;
    sync(s.dc);
    return true;
  }

  /**
   * A value of the store that does not parse is skipped (counting goes on) and reported; the
   * datacenter is not folded while it lasts, and is read again from scratch every minute, so a
   * repaired value is picked up.
   */
  private void damaged(SourceState s, String key, String problem) {
    bad.skipped("count-view", key, problem);
    if (s.damaged.isEmpty()) {
      timers.startSingleTimer(new Reload(s.dc), Duration.ofMinutes(1));
      if (s.damagedSince == 0) {
        s.damagedSince = System.currentTimeMillis();
      }
    }
    s.damaged.add(key);
  }

  private Behavior<Command> onReload(Reload m) {
    SourceState s = sources.get(m.dc());
    if (s != null && !s.damaged.isEmpty()) {
      s.loaded = false;
      return sync(m.dc());
    }
    return this;
  }

  private void publish() {
    ViewReport.publish(sources, health, status);
  }
}
