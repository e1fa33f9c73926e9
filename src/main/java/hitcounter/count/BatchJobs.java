package hitcounter.count;

import hitcounter.count.QueueLedger.BatchJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The jobs of a batch by the beanstalkd connection that reserved them (a job is deleted or released on that connection only). */
final class BatchJobs {
  private BatchJobs() {}

  /** Sends a job command for each connection's jobs, on that connection only; the answers, merged. */
  static CompletionStage<List<Long>> perConnection(
      List<BatchJob> jobs, java.util.function.BiFunction<Long, List<Long>, CompletionStage<List<Long>>> command) {
    Map<Long, List<Long>> byConnection = new HashMap<>();
    jobs.forEach(j -> byConnection.computeIfAbsent(j.connection(), c -> new ArrayList<>()).add(j.id()));
    java.util.concurrent.CompletableFuture<List<Long>> all = java.util.concurrent.CompletableFuture.completedFuture(new ArrayList<>());
    for (var e : byConnection.entrySet()) {
      all = all.thenCompose(acc -> command.apply(e.getKey(), e.getValue()).thenApply(r -> {
        acc.addAll(r);
        return acc;
      }));
    }
    return all;
  }
}
