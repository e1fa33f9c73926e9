package hitcounter.replicate;

import hitcounter.audit.LossRecords;
import hitcounter.infra.consul.Consul;
import hitcounter.store.CountsCodec;
import hitcounter.store.QueueHead;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a confirmed rollback of this datacenter's store lost: per queue, the entries a copy holds
 * from the first one the source names otherwise (or no longer has) to the copy's head. Their
 * hits are read from the copy, before the copy follows its source back, and recorded
 * ({@link LossRecords}: the worker that wrote them may know more), so that nothing is silently
 * absent. Entries the copy no longer holds as entries (folded into its snapshot)
 * cannot be read: the record then says how many hits at least, and how many entries were not
 * read. (Bringing the lost entries forward into the source is not done: decision 0012.)
 */
final class RollbackLoss {

  /** Entries {@code from}..{@code to} of {@code queue}, first named in {@code epoch}: {@code hits} lost, {@code unread} of them not readable. */
  record Lost(String queue, long from, long to, String epoch, long hits, long unread) {}

  private final Consul consul;
  private final String localDc;
  private final LossRecords records;

  RollbackLoss(Consul consul, MeterRegistry registry) {
    this.consul = consul;
    this.localDc = consul.localDatacenter();
    this.records = new LossRecords(consul, registry);
  }

  /** Measures what the copy in {@code target} holds that the source lost, and records it. */
  CompletionStage<List<Lost>> record(String target, StoreCopy.Local local, StoreCopy.Remote r) {
    List<CompletableFuture<Lost>> all = new ArrayList<>();
    r.heads().forEach((q, theirs) -> {
      QueueHead mine = local.heads().get(q);
      long folded = local.folded().getOrDefault(q, 0L);
      long from = mine == null ? folded + 1 : Math.min(mine.seq() + 1, mine.firstDifferent(theirs, folded + 1, theirs.seq()));
      if (mine == null || from > theirs.seq()) {
        return;
      }
      all.add(measure(target, q, theirs, from).toCompletableFuture());
    });
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenCompose(x -> {
          List<Lost> lost = all.stream().map(CompletableFuture::join).filter(l -> l.hits() > 0 || l.unread() > 0).toList();
          CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
          for (Lost l : lost) {
            writes = writes.thenCompose(v -> write(target, l));
          }
          return writes.thenApply(v -> lost);
        });
  }

  private CompletionStage<Lost> measure(String target, String q, QueueHead theirs, long from) {
    CompletableFuture<long[]> sum = CompletableFuture.completedFuture(new long[2]);
    for (long seq = from; seq <= theirs.seq(); seq++) {
      String key = theirs.entryKey(localDc, q, seq);
      sum = sum.thenCompose(acc -> consul.kvGetRaw(target, key).thenApply(v -> {
        if (v.isEmpty()) {
          acc[1]++;
        } else {
          try {
            acc[0] += CountsCodec.decodeAll(CountsCodec.ENTRY, v.get()).hits();
          } catch (CountsCodec.BadValue e) {
            acc[1]++;
          }
        }
        return acc;
      }));
    }
    return sum.thenApply(acc -> new Lost(q, from, theirs.seq(), theirs.epochOf(from), acc[0], acc[1]));
  }

  private CompletionStage<Void> write(String target, Lost l) {
    return records.record(new LossRecords.Loss(localDc, l.queue(), l.from(), l.to(), l.epoch(), l.hits(), l.unread()), "the copy in " + target);
  }
}
