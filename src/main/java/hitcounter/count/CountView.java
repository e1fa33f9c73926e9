package hitcounter.count;

import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps {@link CountSnapshot} current: a blocking query on the local datacenter's count keys
 * (its own slots and the copies of every other datacenter's), summed into {@link Totals}.
 */
public final class CountView {
  public sealed interface Command {}

  public record GetTotals(ActorRef<Totals> replyTo) implements Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  private CountView() {}

  public static Behavior<Command> create(Consul consul, CountSnapshot snapshot, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(
        ctx -> {
          BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, Keys.COUNT_ROOT, index, wait);
          ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
          return Behaviors.receive(Command.class)
              .onMessage(
                  Changed.class,
                  m -> {
                    snapshot.set(Totals.of(m.entries().value(), m.entries().index()), System.currentTimeMillis());
                    return Behaviors.same();
                  })
              .onMessage(
                  GetTotals.class,
                  m -> {
                    m.replyTo().tell(snapshot.get());
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
