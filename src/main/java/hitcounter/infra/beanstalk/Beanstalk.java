package hitcounter.infra.beanstalk;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.LongFunction;

/**
 * The one beanstalkd access layer: one client talks to one beanstalkd, jobs in the default tube
 * only (a {@link RunMarker} has a tube of its own, on a connection of its own).
 * Every call returns at once; commands on one client are pipelined and answered in order.
 */
public interface Beanstalk extends AutoCloseable {

  /**
   * Puts a job; completes with its id once beanstalkd answered INSERTED. The body is made for the
   * connection that carries it: {@code body} gets that connection's session, a random number
   * that differs for every connection, so a job can name the beanstalkd run it was put into
   * (beanstalkd numbers jobs from 1 again when it starts without its binlog).
   */
  CompletionStage<Long> put(LongFunction<byte[]> body, long priority, Duration delay, Duration ttr);

  default CompletionStage<Long> put(byte[] body, long priority, Duration delay, Duration ttr) {
    return put(session -> body, priority, delay, ttr);
  }

  /** Reserves one job, waiting at most {@code timeout}; empty when none came. */
  CompletionStage<Optional<Job>> reserve(Duration timeout);

  /** Reserves up to {@code max} ready jobs in one round trip, without waiting. */
  CompletionStage<List<Job>> reserveReady(int max);

  /** For the job commands below: send on whatever connection is open (not tied to a reservation). */
  long ANY_CONNECTION = -1;

  /**
   * Deletes the given jobs in one round trip, on {@code connection} only (the one that reserved
   * them; when it is gone, nothing is sent: a reservation does not survive its connection, and a
   * job id of a lost connection may now name another job); completes with the ids beanstalkd
   * answered DELETED. NOT_FOUND is not "gone": beanstalkd also answers it for a job reserved by
   * another connection.
   */
  CompletionStage<List<Long>> delete(long connection, List<Long> ids);

  default CompletionStage<List<Long>> delete(List<Long> ids) {
    return delete(ANY_CONNECTION, ids);
  }

  /** Releases reserved jobs back to ready, after {@code delay}, on {@code connection} only. */
  CompletionStage<Void> release(long connection, List<Long> ids, long priority, Duration delay);

  default CompletionStage<Void> release(List<Long> ids, long priority, Duration delay) {
    return release(ANY_CONNECTION, ids, priority, delay);
  }

  /**
   * Renews the time-to-run of jobs reserved on {@code connection}; completes with the ids
   * TOUCHED: those this worker still holds, now for a whole TTR again.
   */
  CompletionStage<List<Long>> touch(long connection, List<Long> ids);

  /** Buries a job reserved on {@code connection}. */
  CompletionStage<Boolean> bury(long connection, long id, long priority);

  /** The bodies of those of the given jobs that exist, in any state, reserved by anyone (peek). */
  CompletionStage<Map<Long, byte[]>> peek(List<Long> ids);

  /** How long the oldest ready job has waited (peek-ready, then stats-job); empty when none is ready. */
  CompletionStage<Optional<Duration>> oldestReadyAge();

  /**
   * Server statistics ({@code stats}), as key/value strings; the {@code current-jobs-*} figures
   * are those of the default tube (the hit jobs), so the run marker never shows as a job waiting.
   */
  CompletionStage<Map<String, String>> stats();

  /**
   * The name of the beanstalkd run that {@code connection} talks to ({@link #ANY_CONNECTION}: the
   * open one), read from its {@link RunMarker} (made when there is none), once per connection.
   * It changes exactly when job ids start from 1 again: a restart without the binlog. Fails
   * when {@code connection} is not the open one any more, or broke while the name was read.
   */
  CompletionStage<String> incarnation(long connection);

  @Override
  void close();
}
