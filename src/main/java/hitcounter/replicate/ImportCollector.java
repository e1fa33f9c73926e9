package hitcounter.replicate;

import hitcounter.config.DeadGenerations;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.ImportKeys;
import hitcounter.store.ImportManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The keeper's collection of a deleted site's imports (issue 23): every {@code interval}, the
 * import versions in this datacenter's Consul of a generation every datacenter has seen deleted
 * ({@link DeadGenerations}, learned by the reset folder) go, each version's chunks and manifest
 * in one transaction (the manifest by CAS). Every keeper collects its own Consul, and no copy
 * brings them back ({@link ImportCopy} leaves dead generations out). What the count table showed
 * of them stays until the node restarts; every route hides a deleted site's pages anyway.
 */
public final class ImportCollector {
  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Done(int versions, Throwable failure) implements Command {}

  private ImportCollector() {}

  /** The operations that delete every version among {@code manifests} of a {@code dead} generation, one transaction per version. */
  static List<List<TxnOp>> plan(List<KvEntry> manifests, DeadGenerations dead) {
    List<List<TxnOp>> out = new ArrayList<>();
    for (KvEntry e : manifests) {
      Optional<ImportManifest> m = ImportManifest.parse(e.key(), e.value());
      if (m.isPresent() && dead.dead(m.get().site(), m.get().generation())) {
        out.add(List.of(TxnOp.deleteTree(ImportKeys.chunkPrefix(m.get().id(), m.get().version())), TxnOp.deleteCas(e.key(), e.modifyIndex())));
      }
    }
    return out;
  }

  public static Behavior<Command> create(Consul consul, DeadGenerations.Known dead, Duration interval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
      boolean[] busy = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> {
            DeadGenerations now = dead.get();
            if (busy[0] || now.through().isEmpty()) {
              return Behaviors.same();
            }
            busy[0] = true;
            CompletionStage<Integer> done = consul.kvTree(null, ImportKeys.MANIFESTS, 0, Duration.ZERO).thenCompose(r -> {
              CompletionStage<Integer> chain = CompletableFuture.completedFuture(0);
              for (List<TxnOp> txn : plan(r.value(), now)) {
                chain = chain.thenCompose(n -> consul.txn(null, txn).thenApply(x -> n + (x.committed() ? 1 : 0)));
              }
              return chain;
            });
            ctx.pipeToSelf(done.toCompletableFuture(), Done::new);
            return Behaviors.same();
          })
          .onMessage(Done.class, d -> {
            busy[0] = false;
            if (d.failure() != null) {
              ctx.getLog().warn("imports of deleted sites not collected this round (tried again in {}): {}", interval, d.failure().toString());
            } else if (d.versions() > 0) {
              ctx.getLog().info("collected {} import versions of deleted sites", d.versions());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }
}
