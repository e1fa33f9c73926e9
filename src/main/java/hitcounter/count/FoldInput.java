package hitcounter.count;

import hitcounter.store.CountTable;
import hitcounter.store.Manifest;
import java.util.List;
import java.util.Map;

/**
 * What the count view hands the folder: the loaded manifest (and its key) and the pointer's ModifyIndex (the
 * CAS of the flip), the folded seq and hits per queue, which shards are rewritten and their
 * pages with counts (unsorted), the journal entries the new snapshot makes garbage, and the
 * queues at rest that it archives (their heads, with the ModifyIndex their removal checks, and
 * the hits they counted, which move to the archive), and the heads whose names the folded entries
 * were read by (checked again before the flip: FlipCheck). Empty when no fold is due ({@code why}
 * says why).
 */
public record FoldInput(
    boolean due,
    String why,
    String dc,
    Manifest manifest,
    String manifestKey,
    long pointerIndex,
    Map<String, Manifest.Folded> folded,
    List<Integer> rewritten,
    List<hitcounter.store.Collected> collected,
    List<String> foldedEntries,
    Map<String, Long> archive,
    long archivedCounted,
    Map<String, hitcounter.store.QueueHead> names) {

  static final FoldInput NOT_NOW = none("the view is syncing");

  static FoldInput none(String why) {
    return new FoldInput(false, why, "", Manifest.EMPTY, "", 0, Map.of(), List.of(), List.of(), List.of(), Map.of(), 0, Map.of());
  }
}
