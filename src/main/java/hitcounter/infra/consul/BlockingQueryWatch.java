package hitcounter.infra.consul;

import hitcounter.infra.Backoff;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps one Consul blocking query going and tells {@code subscriber} every new result: the
 * first read is immediate, each next one waits for a change past the last index. An index that
 * goes backwards (a Consul restart or snapshot restore) starts over from 0, as Consul's docs
 * ask. After an answer, waits at least {@code minInterval}, so a busy key is not re-read in a
 * tight loop; after a failure, backs off (capped) and reads at once.
 */
public final class BlockingQueryWatch {
  public sealed interface Command {}

  private record Answered<T>(Indexed<T> result) implements Command {}

  private record Failed(Throwable cause) implements Command {}

  private enum Query implements Command {
    INSTANCE
  }

  /** Runs a blocking query for the given index (0: answer at once). */
  public interface BlockingQuery<T> extends Function<Long, CompletionStage<Indexed<T>>> {}

  public record Settings(Duration minInterval, Duration retryMin, Duration retryMax) {}

  private BlockingQueryWatch() {}

  public static <T, M> Behavior<Command> create(
      BlockingQuery<T> query, ActorRef<M> subscriber, Function<Indexed<T>, M> wrap, Settings settings) {
    // Whatever fails in here, the watch goes on (restarted, reading at once): a watch that stops
    // leaves its view showing old figures as if they were current.
    return Behaviors.supervise(Behaviors.<Command>setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  ctx.getSelf().tell(Query.INSTANCE);
                  return running(new Loop<T>(ctx, query, r -> subscriber.tell(wrap.apply(r)), settings, timers), 0L, 0, System.nanoTime());
                })))
        .onFailure(org.apache.pekko.actor.typed.SupervisorStrategy.restartWithBackoff(settings.retryMin(), settings.retryMax(), 0.2));
  }

  private record Loop<T>(
      ActorContext<Command> ctx,
      BlockingQuery<T> query,
      java.util.function.Consumer<Indexed<T>> subscriber,
      Settings settings,
      TimerScheduler<Command> timers) {}

  /**
   * At least this often the watch reads at once (index 0) and hands the whole answer on, however
   * quiet the prefix: if Consul's index ever stands above the data (a restart on a wiped or
   * restored store that no failure revealed), a view is wrong for at most this long, not for good.
   */
  static final long FULL_READ_NANOS = 30_000_000_000L;

  private static <T> Behavior<Command> running(Loop<T> loop, long index, int failures, long lastFull) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Query.class,
            m -> {
              CompletionStage<Indexed<T>> answer;
              try {
                answer = loop.query().apply(index);
              } catch (RuntimeException e) {
                // A client that throws instead of failing its future (a pool shut down under it)
                // must not stop the watch: that left a view silently stuck on old figures.
                answer = java.util.concurrent.CompletableFuture.failedFuture(e);
              }
              loop.ctx().pipeToSelf(answer, (r, e) -> e == null ? new Answered<>(r) : new Failed(e));
              return Behaviors.same();
            })
        .onMessage(
            Answered.class,
            m -> {
              @SuppressWarnings("unchecked")
              Indexed<T> r = (Indexed<T>) m.result();
              long next = r.index() < index ? 0 : Math.max(r.index(), 1);
              if (next != index || index == 0) {
                loop.subscriber().accept(r);
              }
              long now = System.nanoTime();
              long full = index == 0 ? now : lastFull;
              if (now - full > FULL_READ_NANOS) {
                next = 0;
              }
              loop.timers().startSingleTimer(Query.INSTANCE, loop.settings().minInterval());
              return running(loop, next, 0, full);
            })
        .onMessage(
            Failed.class,
            m -> {
              loop.timers()
                  .startSingleTimer(
                      Query.INSTANCE, Backoff.of(failures, loop.settings().retryMin(), loop.settings().retryMax()));
              // After a failure, read at once (index 0) rather than wait past the last index: a
              // Consul that came back wiped or restored has an index below it, and a query
              // waiting for it would see nothing new until its index caught up.
              return running(loop, 0L, failures + 1, lastFull);
            })
        .build();
  }
}
