package hitcounter.count;

/**
 * Test-only fault injection between a worker's commit and its delete: the hardest moment to
 * die, since the hits are counted but their jobs still queued. Off unless configured
 * (`hitcounter.fault.halt-after-commits`, env HC_FAULT_HALT_AFTER_COMMITS); nothing over HTTP
 * can turn it on.
 */
public interface CommitFaults {
  /** Called after a commit succeeded and before its jobs are deleted. */
  void afterCommit(String queue);

  static CommitFaults none() {
    return queue -> {};
  }

  /** Halts the whole JVM, as kill -9 would, right after the n-th commit of this node. */
  static CommitFaults haltAfter(int commits) {
    if (commits <= 0) {
      return none();
    }
    java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
    return queue -> {
      if (seen.incrementAndGet() == commits) {
        System.err.println("fault injection: halting after commit " + commits + " of queue " + queue + ", before its delete");
        Runtime.getRuntime().halt(137);
      }
    };
  }
}
