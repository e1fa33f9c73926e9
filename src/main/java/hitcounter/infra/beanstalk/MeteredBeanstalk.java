package hitcounter.infra.beanstalk;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Beanstalk} that times every call it passes on, by command and outcome
 * ({@code hitcounter_beanstalk_commands_seconds}); {@code queue} names the beanstalkd (its
 * node). One call of {@link #delete} or {@link #reserveReady} is one pipelined round trip.
 */
public final class MeteredBeanstalk implements Beanstalk {
  private final Beanstalk inner;
  private final MeterRegistry registry;
  private final String queue;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public MeteredBeanstalk(Beanstalk inner, MeterRegistry registry, String queue) {
    this.inner = inner;
    this.registry = registry;
    this.queue = queue;
  }

  @Override
  public CompletionStage<Long> put(java.util.function.LongFunction<byte[]> body, long priority, Duration delay, Duration ttr) {
    return timed("put", inner.put(body, priority, delay, ttr));
  }

  @Override
  public CompletionStage<Optional<Job>> reserve(Duration timeout) {
    return timed("reserve", inner.reserve(timeout));
  }

  @Override
  public CompletionStage<List<Job>> reserveReady(int max) {
    return timed("reserve_ready", inner.reserveReady(max));
  }

  @Override
  public CompletionStage<List<Long>> delete(long connection, List<Long> ids) {
    return timed("delete", inner.delete(connection, ids));
  }

  @Override
  public CompletionStage<Void> release(long connection, List<Long> ids, long priority, Duration delay) {
    return timed("release", inner.release(connection, ids, priority, delay));
  }

  @Override
  public CompletionStage<Boolean> bury(long connection, long id, long priority) {
    return timed("bury", inner.bury(connection, id, priority));
  }

  @Override
  public CompletionStage<Map<Long, byte[]>> peek(List<Long> ids) {
    return timed("peek", inner.peek(ids));
  }

  @Override
  public CompletionStage<List<Long>> touch(long connection, List<Long> ids) {
    return timed("touch", inner.touch(connection, ids));
  }

  @Override
  public CompletionStage<Optional<Duration>> oldestReadyAge() {
    return timed("oldest_ready", inner.oldestReadyAge());
  }

  @Override
  public CompletionStage<String> incarnation(long connection) {
    return timed("incarnation", inner.incarnation(connection));
  }

  @Override
  public CompletionStage<Map<String, String>> stats() {
    return timed("stats", inner.stats());
  }

  @Override
  public void close() {
    inner.close();
  }

  private <T> CompletionStage<T> timed(String command, CompletionStage<T> call) {
    long start = System.nanoTime();
    return call.whenComplete((v, e) -> timer(command, e == null ? "ok" : "failed").record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  private Timer timer(String command, String outcome) {
    return timers.computeIfAbsent(
        command + '/' + outcome,
        k -> Timer.builder("hitcounter.beanstalk.commands")
            .description("beanstalkd calls of this node, by command and outcome (a pipelined call of several jobs counts once)")
            .tags("command", command, "outcome", outcome, "queue", queue)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry));
  }
}
