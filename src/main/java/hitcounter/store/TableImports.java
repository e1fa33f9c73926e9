package hitcounter.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * Imported counts into the count table (decision 0015): a load stages versions of imports (each
 * added, or taken back when another version of its import takes its place) apart from what
 * readers see, then shows them at once, as the table's {@link CountTable#IMPORTED} column, with
 * which version of each import the column now holds ({@link #shown}). What is shown is kept by the
 * table, not by the view that loads it: a view that restarts goes on from it and never adds an
 * import twice. One load at a time: a load begun ends every earlier one unfinished.
 */
public final class TableImports {
  private final CountTable table;
  /** Per import id, the version the column holds. Guarded by the table's lock. */
  private Map<String, ImportManifest> shown = Map.of();
  private Load current;

  TableImports(CountTable table) {
    this.table = table;
  }

  /** Per import id, the version whose counts the table shows. */
  public Map<String, ImportManifest> shown() {
    return table.read(() -> shown);
  }

  /** One load: stage versions, then {@link #commit}. Stale once another load begins. */
  public final class Load {
    private final ImportStaging staging;
    private final Map<String, ImportManifest> next = new TreeMap<>();

    private final Map<String, ImportManifest> before;

    private Load(int capacity) {
      this.staging = new ImportStaging(capacity);
      this.before = shown;
      next.putAll(shown);
    }

    /** The versions shown when this load began: what it changes. */
    public Map<String, ImportManifest> before() {
      return before;
    }

    /**
     * Stages a chunk of a version being read: its counts added ({@code sign} 1) or taken back
     * (-1); returns the hits it holds.
     *
     * @throws CountsCodec.BadValue when the value is not an import chunk (nothing is staged then)
     * @throws IllegalStateException when another load began since
     */
    public long stageChunk(byte[] chunk, int sign) {
      TreeMap<String, Long> counts = CountsCodec.decode(CountsCodec.IMPORT, chunk);
      long stamp = table.write();
      try {
        check();
        long hits = 0;
        for (var e : counts.entrySet()) {
          int slot = table.slotFor(e.getKey()); // first: a new slot may grow the staging arrays
          staging.add(slot, sign * e.getValue());
          hits += e.getValue();
        }
        return hits;
      } finally {
        table.unlockWrite(stamp);
      }
    }

    /** The version read since the last call is staged whole, and takes its import's place. */
    public void endVersion(String id, ImportManifest shows) {
      underLock(() -> {
        staging.endVersion();
        next.put(id, shows);
      });
    }

    /** Forgets what was read since the last {@link #endVersion} (it could not be read whole). */
    public void dropVersion() {
      underLock(staging::dropCurrent);
    }

    /** Shows what was staged, atomically for readers; the versions shown are recorded with it. */
    public void commit() {
      underLock(() -> {
        staging.commitInto(table.column(CountTable.IMPORTED).base);
        shown = Map.copyOf(next);
        current = null;
        table.importing = null;
      });
    }

    /** Runs {@code step} under the table's write lock, if this load is still the current one. */
    private void underLock(Runnable step) {
      long stamp = table.write();
      try {
        check();
        step.run();
      } finally {
        table.unlockWrite(stamp);
      }
    }

    private void check() {
      if (current != this) {
        throw new IllegalStateException("another load of imports began since");
      }
    }
  }

  /** Begins a load (an unfinished earlier one can no longer stage or commit). */
  public Load begin() {
    long stamp = table.write();
    try {
      current = new Load(Math.max(1024, table.pages.size()));
      table.importing = current.staging;
      return current;
    } finally {
      table.unlockWrite(stamp);
    }
  }
}
