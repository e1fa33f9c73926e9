package hitcounter.replicate;

import hitcounter.audit.AuditKeys;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.TxnOp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * After a confirmed rollback of this datacenter's store (a Consul snapshot restore), its audit
 * figures come back from a copy that holds more (decision 0018): the copy's audit keys merged
 * into this datacenter's as copies merge them ({@link MaxMerge#AUDIT}). A restored archive that
 * lost folds gets them back whole, and runs of nodes gone since are not left at the restored,
 * older figures. Merging a copy that holds nothing newer writes nothing.
 */
final class AuditCopyBack {
  private AuditCopyBack() {}

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditCopyBack.class);

  static CompletionStage<Void> from(Consul consul, String target) {
    return from(consul, target, 3);
  }

  /** One merge; a key written here meanwhile (a node's own figures) makes it read and merge again, {@code tries} times. */
  private static CompletionStage<Void> from(Consul consul, String target, int tries) {
    String prefix = AuditKeys.prefix(consul.localDatacenter());
    return consul.kvTree(target, prefix, 0, Duration.ZERO)
        .thenCombine(consul.kvTree(null, prefix, 0, Duration.ZERO), (theirs, mine) -> MaxMerge.plan(theirs.value(), mine.value(), MaxMerge.AUDIT))
        .thenCompose(ops -> {
          CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
          for (List<TxnOp> chunk : EntryCopy.pack(ops, List.of())) {
            if (!chunk.isEmpty()) {
              all = all.thenCompose(ok -> consul.txn(null, chunk).thenApply(r -> ok && r.committed()));
            }
          }
          return all;
        })
        .thenCompose(ok -> {
          if (ok) {
            return CompletableFuture.<Void>completedFuture(null);
          }
          if (tries > 1) {
            return from(consul, target, tries - 1);
          }
          LOG.error("audit figures of {} not brought back from the copy in {} after a rollback: keys kept changing; /api/audit may show less accepted than was",
              consul.localDatacenter(), target);
          return CompletableFuture.<Void>completedFuture(null);
        });
  }
}
