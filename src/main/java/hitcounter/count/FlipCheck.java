package hitcounter.count;

import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The last check before a flip: the queue heads in Consul, read now, still hold every entry the
 * fold folded, by the names the view read them by. A view learns of a restore only at the next
 * write to the heads, and a fold planned from what it held before would otherwise be flipped into
 * the restored store (its pointer's CAS can match: absent before and after): a snapshot folded
 * past the heads, whose entries the workers then write again under new names, which every reader
 * skips as folded. A restore in the milliseconds between this read and the flip is not caught.
 */
final class FlipCheck {
  private FlipCheck() {}

  static CompletionStage<Void> headsHold(Consul consul, FoldPlanner.Plan p) {
    return consul.kvTree(null, StoreKeys.headsPrefix(p.dc()), 0, Duration.ZERO).thenAccept(tree -> {
      Map<String, QueueHead> now = new HashMap<>();
      for (KvEntry e : tree.value()) {
        String[] dcAndName = StoreKeys.headOf(e.key());
        if (dcAndName != null && StoreKeys.isQueue(dcAndName[1])) {
          QueueHead.parse(e.value()).ifPresent(h -> now.put(dcAndName[1], h));
        }
      }
      p.manifest().queues().forEach((q, f) -> {
        long from = p.previous().foldedSeq(q) + 1;
        if (f.seq() < from) {
          return; // nothing of it folded now
        }
        QueueHead h = now.get(q);
        QueueHead seen = p.names().get(q);
        if (h == null || h.seq() < f.seq() || (seen != null && !h.sameNames(seen, from, f.seq()))) {
          throw new IllegalStateException("the head of queue " + q + " in Consul no longer holds entries " + from + "-" + f.seq() + " as the fold read"
              + " them (" + (h == null ? "no head" : "it is at entry " + h.seq()) + "): the store went back; not flipped");
        }
      });
    });
  }
}
