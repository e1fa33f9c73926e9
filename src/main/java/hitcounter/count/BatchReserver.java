package hitcounter.count;

import hitcounter.infra.beanstalk.Beanstalk;
import hitcounter.infra.beanstalk.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Reserves one batch: waits for a first job, then takes what is ready in pipelined rounds of
 * non-blocking reserves (16, then doubling while every one of a round came back with a job, so
 * an almost empty queue costs one short round and a full one a few long ones); if the batch is
 * not full, lingers once and takes what came meanwhile.
 */
final class BatchReserver {
  private BatchReserver() {}

  static CompletionStage<List<Job>> next(Beanstalk beanstalk, WorkerSettings s) {
    return beanstalk
        .reserve(s.reserveWait())
        .thenCompose(
            first -> {
              if (first.isEmpty()) {
                return CompletableFuture.completedFuture(List.<Job>of());
              }
              List<Job> jobs = new ArrayList<>(s.batchSize());
              jobs.add(first.get());
              return fill(beanstalk, jobs, s.batchSize())
                  .thenCompose(
                      filled -> {
                        if (filled.size() >= s.batchSize() || s.linger().isZero()) {
                          return CompletableFuture.completedFuture(filled);
                        }
                        return CompletableFuture.supplyAsync(
                                () -> filled,
                                CompletableFuture.delayedExecutor(s.linger().toMillis(), TimeUnit.MILLISECONDS))
                            .thenCompose(f -> fill(beanstalk, f, s.batchSize()));
                      });
            });
  }

  static final int FIRST_ROUND = 16;

  private static CompletionStage<List<Job>> fill(Beanstalk beanstalk, List<Job> jobs, int batchSize) {
    return fill(beanstalk, jobs, batchSize, FIRST_ROUND);
  }

  private static CompletionStage<List<Job>> fill(Beanstalk beanstalk, List<Job> jobs, int batchSize, int round) {
    int ask = Math.min(round, batchSize - jobs.size());
    if (ask <= 0) {
      return CompletableFuture.completedFuture(jobs);
    }
    return beanstalk
        .reserveReady(ask)
        .thenCompose(
            more -> {
              jobs.addAll(more);
              return more.size() < ask
                  ? CompletableFuture.completedFuture(jobs)
                  : fill(beanstalk, jobs, batchSize, round * 2);
            });
  }
}
