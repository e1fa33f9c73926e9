package hitcounter.infra.consul;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Writes operations one transaction each, in order, in the local datacenter: a merge back of
 * keys one by one, where an operation that meets a key written meanwhile fails alone (merged
 * again next round) and the others still land.
 */
public final class SingleWrites {
  private SingleWrites() {}

  /** Writes each of {@code ops}; {@code committed} hears each one that landed. */
  public static CompletionStage<Void> each(Consul consul, List<TxnOp> ops, Consumer<TxnOp> committed) {
    CompletionStage<Void> writes = CompletableFuture.completedFuture(null);
    for (TxnOp op : ops) {
      writes = writes.thenCompose(y -> consul.txn(null, List.of(op)).thenAccept(r -> {
        if (r.committed()) {
          committed.accept(op);
        }
      }));
    }
    return writes;
  }
}
