package hitcounter;

import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The root actor of a node: builds its outside world ({@link Deps}) and wires it ({@link NodeWiring}). */
public final class Guardian {
  private Guardian() {}

  public static Behavior<Void> create(Function<ActorSystem<?>, Deps> depsFactory) {
    return Behaviors.setup(ctx -> {
      new NodeWiring(ctx, NodeConfig.create(ctx.getSystem().settings().config()), depsFactory.apply(ctx.getSystem())).start();
      return Behaviors.empty();
    });
  }
}
