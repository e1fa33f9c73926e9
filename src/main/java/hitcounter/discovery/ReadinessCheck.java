package hitcounter.discovery;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/** Pekko Management readiness check: the node's beanstalkd and Consul answer. */
public final class ReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private final Readiness readiness;

  public ReadinessCheck(ActorSystem system) {
    this.readiness = Readiness.ID.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return readiness.ready();
  }
}
