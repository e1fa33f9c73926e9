package hitcounter.count;

import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the count view knows of one datacenter's counts in the local Consul (its own, or the
 * copies of another's): the latest heads and snapshot pointer seen by the watch, and what is
 * loaded into the table: the manifest, and per queue the last entry applied. Owned by the view
 * actor.
 */
final class SourceState {
  final String dc;
  SnapshotPointer pointer = SnapshotPointer.NONE;
  long pointerIndex;
  Map<String, QueueHead> heads = new TreeMap<>();
  Map<String, Long> headIndexes = new HashMap<>();
  /** When each head last changed, by this node's clock (queues at rest for long are archived). */
  final Map<String, Long> headChangedAt = new HashMap<>();

  Manifest manifest = Manifest.EMPTY;
  /** The key of the loaded manifest (keys are unique: a gen can come back after a restore, a key cannot). */
  String manifestKey = "";
  /** Per queue, the head whose names ({@link QueueHead#epochOf}) the applied entries were fetched by. */
  final Map<String, QueueHead> named = new HashMap<>();
  boolean loaded;
  final Map<String, Long> appliedSeq = new HashMap<>();
  /** Hits in the entries applied after the snapshot, per queue. */
  final Map<String, Long> appliedHits = new HashMap<>();
  long unfoldedBytes;
  long unfoldedEntries;
  /** Shards (of the loaded manifest; bit 0 when it has none) with entries applied after it. */
  final BitSet dirty = new BitSet();
  boolean syncing;
  /** The dead generations the loaded snapshot holds no page of (null: not known; a full load resets it). */
  hitcounter.config.DeadGenerations cleanOf = hitcounter.config.DeadGenerations.NONE;
  /** Dead generations a sweep found only kept (this node's sites still show one), and until when it is not tried again. */
  hitcounter.config.DeadGenerations heldBackOf;
  long heldBackUntil;
  /** Keys whose values did not parse (skipped); while any, this datacenter is not folded. */
  final java.util.Set<String> damaged = new java.util.TreeSet<>();
  long lastEntryMillis;
  long entriesApplied;

  /** When the watch last answered with this datacenter's heads, by this node's clock. */
  long headsSeenAt;
  /** The table holds at least what the heads said at this time (this node's clock). */
  long appliedAsOf;
  /** Since when values do not parse (0: none). */
  long damagedSince;
  /** What held the last sync up (null: nothing). */
  String problem;
  /** The sync under way: the heads it works towards, and when they were seen. */
  private long stepHeadsAt;
  private Map<String, Long> stepTarget = Map.of();
  private String stepPointer = "";

  SourceState(String dc) {
    this.dc = dc;
    this.headsSeenAt = System.currentTimeMillis();
    this.appliedAsOf = headsSeenAt;
  }

  /** A sync starts: it works towards the heads seen last. */
  void stepStarted() {
    stepHeadsAt = headsSeenAt;
    Map<String, Long> target = new HashMap<>();
    heads.forEach((q, h) -> target.put(q, h.seq()));
    stepTarget = target;
    stepPointer = pointer.manifestKey();
  }

  /** A sync applied what it fetched: if that reached what it worked towards, the table is current as of then. */
  void stepApplied() {
    problem = null;
    if (manifestKey.equals(stepPointer) && stepTarget.entrySet().stream().allMatch(e -> applied(e.getKey()) >= e.getValue())) {
      appliedAsOf = Math.max(appliedAsOf, stepHeadsAt);
    }
  }

  /** Whether the table holds everything the heads seen last say, with no value skipped. */
  boolean current() {
    return !syncing && damaged.isEmpty() && work() == Work.NONE;
  }

  /** The last entry of {@code queue} the table holds: applied after the snapshot, or folded into it. */
  long applied(String queue) {
    return Math.max(appliedSeq.getOrDefault(queue, 0L), manifest.foldedSeq(queue));
  }

  /** What the next sync must do, judged from the latest watch answer. */
  Work work() {
    if (!loaded || !pointer.manifestKey().equals(manifestKey)) {
      boolean backwards = loaded && pointer.gen() < manifest.gen();
      return backwards ? Work.RELOAD : Work.SNAPSHOT;
    }
    for (var e : heads.entrySet()) {
      Long entry = appliedSeq.get(e.getKey());
      if (entry != null && (e.getValue().seq() < entry || !sameNames(e.getKey(), e.getValue(), entry))) {
        // An entry this view applied is no longer named, or named otherwise: the store went
        // back (a restore, a wipe) and was written again in a new epoch.
        return Work.RELOAD;
      }
      if (e.getValue().seq() > applied(e.getKey())) {
        return Work.ENTRIES;
      }
    }
    return Work.NONE;
  }

  private boolean sameNames(String queue, QueueHead now, long through) {
    QueueHead before = named.get(queue);
    return before == null || now.sameNames(before, manifest.foldedSeq(queue) + 1, through);
  }

  enum Work {
    NONE,
    ENTRIES,
    SNAPSHOT,
    RELOAD
  }

  void markDirty(long hash) {
    dirty.set(manifest.shards().isEmpty() ? 0 : manifest.shardOf(hash));
  }

  /** Disagreements already answered by a fresh load (at most one reload each). */
  final java.util.Set<String> reloadedFor = new java.util.HashSet<>();

  /**
   * The first queue whose head counts other hits than the table was built from (the snapshot's
   * counted plus the applied entries' hits), once every entry it names is applied; null if none.
   */
  String disagreement() {
    for (var e : heads.entrySet()) {
      String q = e.getKey();
      QueueHead h = e.getValue();
      if (applied(q) == h.seq() && countedThrough(q) != h.counted()) {
        return q + " at entry " + h.seq() + " counts " + h.counted() + " hits, the table " + countedThrough(q);
      }
    }
    return null;
  }

  /** Hits counted from {@code queue} up to its last applied entry. */
  long countedThrough(String queue) {
    Manifest.Folded f = manifest.queues().get(queue);
    return (f == null ? 0 : f.counted()) + appliedHits.getOrDefault(queue, 0L);
  }
}
