package hitcounter.count;

import hitcounter.count.QueueLedger.Ref;
import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.BeanstalkException;
import hitcounter.infra.beanstalk.Job;
import hitcounter.page.JobCodec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name of a job across beanstalkd restarts, (session, id) (decision 0017). Jobs of format 2
 * and later carry their putter's session. A format-1 job carries none (it is read by versions
 * before the count store, which know no header), so it is named by the run of the beanstalkd
 * that holds it: {@code -<run>} ({@link Beanstalk#incarnation}). A beanstalkd that lost its
 * binlog numbers jobs from 1 again under a new run, so its jobs never look applied.
 *
 * <p>Applied ids recorded under the bare {@code -} (by a version before runs, or moved from the
 * bucket-key layout) still hold for format-1 jobs: they leave the record as soon as a peek shows
 * their job gone, as every applied id does.
 */
final class JobNames {
  private static final Logger LOG = LoggerFactory.getLogger(JobNames.class);

  private JobNames() {}

  /** Whether {@code session} names format-1 jobs (bare {@code -}, or a run). */
  static boolean legacy(String session) {
    return session != null && session.startsWith(JobCodec.LEGACY_SESSION);
  }

  /** The session of format-1 jobs of {@code run}. */
  static String ofRun(String run) {
    return JobCodec.LEGACY_SESSION + run;
  }

  static boolean isFormat1(byte[] body) {
    return body.length == 0 || body[0] != '#';
  }

  /**
   * The runs of the connections that reserved format-1 jobs among {@code jobs} (empty, with no
   * call, when there are none). A connection whose run could not be named is left out (and
   * logged): its format-1 jobs go back to the queue.
   */
  static CompletionStage<Map<Long, String>> runs(Beanstalk beanstalk, List<Job> jobs) {
    Set<Long> connections = new TreeSet<>();
    jobs.stream().filter(j -> isFormat1(j.body())).forEach(j -> connections.add(j.connection()));
    CompletionStage<Map<Long, String>> out = CompletableFuture.completedFuture(new HashMap<>());
    for (long c : connections) {
      out = out.thenCompose(m -> beanstalk.incarnation(c).handle((run, e) -> {
        if (e == null) {
          m.put(c, run);
        } else {
          LOG.warn("format-1 jobs go back to their queue: the beanstalkd run of their connection could not be named: {}", e.toString());
        }
        return m;
      }));
    }
    return out;
  }

  /** The session that names {@code job}, decoded as {@code decoded}, given the runs of its connection. */
  static String session(JobCodec.Decoded decoded, Job job, Map<Long, String> runs) {
    if (decoded.format() != 1) {
      return decoded.session();
    }
    String run = runs.get(job.connection());
    if (run == null) {
      throw new IllegalStateException("format-1 job " + job.id() + " of a connection with no run named");
    }
    return ofRun(run);
  }

  /**
   * Which of the {@code unknown} applied jobs are gone, by a peek of their ids. When format-1
   * jobs are asked, the run is named before and after the peek: a beanstalkd that restarted
   * without its binlog in between fails the step (to be tried again), as the peeked bodies
   * could then be of either run.
   */
  static CompletionStage<Set<Ref>> goneAfterPeek(Beanstalk beanstalk, Map<String, Set<Long>> unknown) {
    List<Long> ids = unknown.values().stream().flatMap(Set::stream).distinct().toList();
    // Ids applied under the bare "-" stay while any format-1 job holds them: no run needed.
    if (unknown.keySet().stream().noneMatch(s -> legacy(s) && !s.equals(JobCodec.LEGACY_SESSION))) {
      return beanstalk.peek(ids).thenApply(found -> QueueLedger.goneAfterPeek(unknown, sessionsOf(found, null)));
    }
    return beanstalk.incarnation(Beanstalk.ANY_CONNECTION).thenCompose(before -> beanstalk.peek(ids).thenCompose(found ->
        beanstalk.incarnation(Beanstalk.ANY_CONNECTION).thenApply(after -> {
          if (!before.equals(after)) {
            throw new BeanstalkException("beanstalkd started a new run (" + before + " -> " + after + ") while applied jobs were peeked");
          }
          return QueueLedger.goneAfterPeek(unknown, sessionsOf(found, before));
        })));
  }

  /** The session of each found body (format 1: of {@code run}); null for a body that is no job. */
  private static Map<Long, String> sessionsOf(Map<Long, byte[]> found, String run) {
    Map<Long, String> sessions = new HashMap<>();
    found.forEach((id, body) -> {
      var decoded = JobCodec.decode(body);
      String session = decoded.map(d -> d.format() != 1 ? d.session() : run == null ? JobCodec.LEGACY_SESSION : ofRun(run)).orElse(null);
      sessions.put(id, session);
    });
    return sessions;
  }
}
