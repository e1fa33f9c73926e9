package hitcounter.replicate;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.Manifest;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * This datacenter's store as the keeper copies it: its heads, marker and pointer as the watch
 * last read them, and the folded seqs of the manifest the pointer names (read when the pointer
 * moves; they travel with every copy). {@link #local} is the last complete reading, and {@link
 * #gen} its generation: a round copies the store to a target when it is behind it.
 */
final class LocalStore {
  private final Consul consul;
  private StoreCopy.Local local;
  private long gen;
  private List<KvEntry> lastHeads;
  private Map<String, QueueHead> pendingHeads;
  private Map<String, byte[]> pendingHeadBytes;
  private SnapshotPointer pendingPointer = SnapshotPointer.NONE;
  private byte[] pendingMarker;
  private boolean readingManifest;
  private boolean manifestReadFailed;

  LocalStore(Consul consul) {
    this.consul = consul;
  }

  StoreCopy.Local local() {
    return local;
  }

  long gen() {
    return gen;
  }

  /** Takes a reading of the heads; true when {@link #local} changed (else a manifest may be due: {@link #manifestDue}). */
  boolean headsRead(List<KvEntry> entries) {
    List<KvEntry> before = lastHeads;
    lastHeads = entries;
    if (local != null && !manifestReadFailed && hitcounter.infra.consul.KvEntry.sameVersions(before, entries)) {
      return false; // a watch that answered without a change
    }
    Map<String, QueueHead> heads = new TreeMap<>();
    Map<String, byte[]> bytes = new HashMap<>();
    SnapshotPointer pointer = SnapshotPointer.NONE;
    byte[] marker = null;
    for (KvEntry e : entries) {
      String[] dcAndName = StoreKeys.headOf(e.key());
      if (dcAndName == null) {
        continue;
      }
      if (dcAndName[1].equals(hitcounter.store.StoreMarker.NAME)) {
        marker = e.value();
      } else if (dcAndName[1].equals(StoreKeys.SNAPSHOT)) {
        pointer = SnapshotPointer.parse(e.value()).orElse(SnapshotPointer.NONE);
      } else if (StoreKeys.isQueue(dcAndName[1])) {
        var h = QueueHead.parse(e.value());
        if (h.isPresent()) {
          heads.put(dcAndName[1], h.get());
          bytes.put(dcAndName[1], e.value());
        }
      }
    }
    pendingHeads = heads;
    pendingHeadBytes = bytes;
    pendingMarker = marker;
    if (local != null && pointer.equals(local.pointer())) {
      local = new StoreCopy.Local(pointer, local.folded(), heads, bytes, marker);
      gen++;
      return true;
    }
    pendingPointer = pointer; // its manifest is due (manifestDue)
    return false;
  }

  /** Whether the manifest of the pending pointer is still to be read (the pointer moved, or a read failed). */
  boolean manifestDue() {
    return !readingManifest && (manifestReadFailed || (pendingHeads != null && (local == null || !pendingPointer.equals(local.pointer()))));
  }

  /** The pointer whose manifest {@link #readManifest} reads. */
  SnapshotPointer pendingPointer() {
    return pendingPointer;
  }

  /** Reads the folded seqs of the pending pointer's manifest (the caller hands the answer to {@link #manifestRead}). */
  CompletionStage<Map<String, Long>> readManifest() {
    readingManifest = true;
    SnapshotPointer p = pendingPointer;
    return p.gen() == 0
        ? CompletableFuture.completedFuture(Map.of())
        : consul.kvGetRaw(null, p.manifestKey()).thenApply(v -> {
            Manifest man = v.flatMap(Manifest::parse).orElseThrow(() -> new IllegalStateException("manifest " + p.manifestKey() + " unreadable"));
            Map<String, Long> f = new TreeMap<>();
            man.queues().forEach((q, x) -> f.put(q, x.seq()));
            return f;
          });
  }

  /** The manifest of {@code pointer} read ({@code folded} null: the read failed, tried again next tick); true when {@link #local} changed. */
  boolean manifestRead(SnapshotPointer pointer, Map<String, Long> folded) {
    readingManifest = false;
    manifestReadFailed = folded == null;
    if (folded == null || !pointer.equals(pendingPointer)) {
      return false;
    }
    local = new StoreCopy.Local(pointer, folded, pendingHeads, pendingHeadBytes, pendingMarker);
    gen++;
    return true;
  }
}
