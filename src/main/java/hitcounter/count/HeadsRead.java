package hitcounter.count;

import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.QueueHead;
import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One answer of the watch on {@code hitcounter/heads/}, by datacenter: its queue heads and their
 * ModifyIndexes, its snapshot pointer and its ModifyIndex. Values that do not parse are skipped
 * and reported; every datacenter with any key under the prefix is listed.
 */
record HeadsRead(
    Map<String, Map<String, QueueHead>> heads,
    Map<String, Map<String, Long>> headIndexes,
    Map<String, SnapshotPointer> pointers,
    Map<String, Long> pointerIndexes) {

  static HeadsRead parse(List<KvEntry> entries, BadValues bad) {
    HeadsRead r = new HeadsRead(new TreeMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>());
    for (KvEntry e : entries) {
      String[] dcAndName = StoreKeys.headOf(e.key());
      if (dcAndName == null) {
        bad.skipped("count-view", e.key(), "not a head key");
        continue;
      }
      String dc = dcAndName[0];
      r.heads.computeIfAbsent(dc, d -> new TreeMap<>());
      if (!StoreKeys.isQueue(dcAndName[1]) && !dcAndName[1].equals(StoreKeys.SNAPSHOT)) {
        continue; // the store marker and other datacenter-wide keys
      }
      if (dcAndName[1].equals(StoreKeys.SNAPSHOT)) {
        var p = SnapshotPointer.parse(e.value());
        if (p.isEmpty()) {
          bad.skipped("count-view", e.key(), "not a snapshot pointer");
          continue;
        }
        r.pointers.put(dc, p.get());
        r.pointerIndexes.put(dc, e.modifyIndex());
      } else {
        var h = QueueHead.parse(e.value());
        if (h.isEmpty()) {
          bad.skipped("count-view", e.key(), "not a queue head");
          continue;
        }
        r.heads.get(dc).put(dcAndName[1], h.get());
        r.headIndexes.computeIfAbsent(dc, d -> new HashMap<>()).put(dcAndName[1], e.modifyIndex());
      }
      bad.good("count-view", e.key());
    }
    return r;
  }
}
