package hitcounter.infra.beanstalk;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The one beanstalkd access layer: one client talks to one beanstalkd, default tube only.
 * Every call returns at once; commands on one client are pipelined and answered in order.
 */
public interface Beanstalk extends AutoCloseable {

  /** Puts a job; completes with its id once beanstalkd answered INSERTED. */
  CompletionStage<Long> put(byte[] body, long priority, Duration delay, Duration ttr);

  /** Reserves one job, waiting at most {@code timeout}; empty when none came. */
  CompletionStage<Optional<Job>> reserve(Duration timeout);

  /** Reserves up to {@code max} ready jobs in one round trip, without waiting. */
  CompletionStage<List<Job>> reserveReady(int max);

  /** Deletes the given jobs in one round trip; completes with the ids that are gone (DELETED or NOT_FOUND). */
  CompletionStage<List<Long>> delete(List<Long> ids);

  /** Releases reserved jobs back to ready, after {@code delay}. */
  CompletionStage<Void> release(List<Long> ids, long priority, Duration delay);

  /** Buries a reserved job. */
  CompletionStage<Boolean> bury(long id, long priority);

  /** Which of the given ids still exist (in any state) on this beanstalkd. */
  CompletionStage<List<Long>> existing(List<Long> ids);

  /** Server statistics (`stats`), as key/value strings. */
  CompletionStage<Map<String, String>> stats();

  @Override
  void close();
}
