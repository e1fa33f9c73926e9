package hitcounter.discovery;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * Where the node's readiness check lives, so Pekko Management's {@link ReadinessCheck} (built by
 * reflection) can reach it. Not ready until the node installed its check, and never again once
 * shutdown began.
 */
public final class Readiness implements Extension {
  public static final Id ID = new Id();

  public static final class Id extends AbstractExtensionId<Readiness> {
    @Override
    public Readiness createExtension(ExtendedActorSystem system) {
      return new Readiness();
    }
  }

  private volatile Supplier<CompletionStage<Boolean>> check = () -> CompletableFuture.completedFuture(false);
  private volatile boolean draining;

  public void install(Supplier<CompletionStage<Boolean>> check) {
    this.check = check;
  }

  /** From now on the node answers not-ready (it is shutting down). */
  public void drain() {
    draining = true;
  }

  CompletionStage<Boolean> ready() {
    return draining ? CompletableFuture.completedFuture(false) : check.get();
  }
}
