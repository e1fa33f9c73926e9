package hitcounter.count;

import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  private record ParsedKey(long index, Map<String, Long> counts) {}

  private CountView() {}

  public static Behavior<Command> create(Consul consul, CountSnapshot snapshot, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(
        ctx -> {
          BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, Keys.COUNT_ROOT, index, wait);
          ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
          Map<String, ParsedKey> parsed = new HashMap<>();
          return Behaviors.receive(Command.class)
              .onMessage(
                  Changed.class,
                  m -> {
                    // Only keys whose ModifyIndex moved are parsed again.
                    Map<String, ParsedKey> next = new HashMap<>();
                    Totals totals = Totals.of(m.entries().value(), m.entries().index(), e -> {
                      ParsedKey old = parsed.get(e.key());
                      ParsedKey now = old != null && old.index() == e.modifyIndex() ? old : new ParsedKey(e.modifyIndex(), CountCodec.counts(e.value()));
                      next.put(e.key(), now);
                      return now.counts();
                    });
                    parsed.clear();
                    parsed.putAll(next);
                    snapshot.set(totals);
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
