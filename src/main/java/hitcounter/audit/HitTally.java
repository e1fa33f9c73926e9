package hitcounter.audit;

/** What a node's hit queue answered since it started: the accepted side of the audit. */
public interface HitTally {
  /** Hits answered 200. */
  long accepted();

  /** Hits answered 503: certainly not queued. */
  long rejected();

  /** Hits answered 504: their outcome is unknown. */
  long unknown();
}
