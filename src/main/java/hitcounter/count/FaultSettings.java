package hitcounter.count;

import com.typesafe.config.Config;

/** `hitcounter.fault` in application.conf: test-only fault injection, off (0) unless the environment says otherwise. */
public record FaultSettings(int haltAfterCommits) {
  public static FaultSettings create(Config root) {
    return new FaultSettings(root.getInt("hitcounter.fault.halt-after-commits"));
  }

  public CommitFaults faults() {
    return CommitFaults.haltAfter(haltAfterCommits);
  }
}
