package hitcounter.store;

import java.util.TreeMap;

/**
 * Imported counts into the count table (decision 0015): a view stages imports (their versions
 * merged by max per page, the imports summed) apart from what readers see, then shows them at once,
 * as the table's {@link CountTable#IMPORTED} column.
 */
public final class TableImports {
  private final CountTable table;

  TableImports(CountTable table) {
    this.table = table;
  }

  /** Starts staging imported counts: readers see none of it until {@link #commit}. */
  public void begin() {
    long stamp = table.write();
    try {
      table.importing = new ImportStaging(Math.max(1024, table.pages.size()));
    } finally {
      table.unlockWrite(stamp);
    }
  }

  /**
   * Stages a chunk of one version of the import being read: per page, the larger of its count here
   * and what the import's other versions staged ({@link #endImport} closes the import). Returns the
   * hits it holds.
   *
   * @throws CountsCodec.BadValue when the value is not an import chunk (nothing is staged then)
   */
  public long stageChunk(byte[] chunk) {
    TreeMap<String, Long> counts = CountsCodec.decode(CountsCodec.IMPORT, chunk);
    long stamp = table.write();
    try {
      long hits = 0;
      for (var e : counts.entrySet()) {
        int slot = table.slotFor(e.getKey()); // first: a new slot may grow the staging arrays
        table.importing.max(slot, e.getValue());
        hits += e.getValue();
      }
      return hits;
    } finally {
      table.unlockWrite(stamp);
    }
  }

  /** Adds the import read since the last call to what is staged. */
  public void endImport() {
    long stamp = table.write();
    try {
      table.importing.endImport();
    } finally {
      table.unlockWrite(stamp);
    }
  }

  /** Forgets what the import read since the last {@link #endImport} staged (it could not be read whole). */
  public void dropImport() {
    long stamp = table.write();
    try {
      table.importing.dropCurrent();
    } finally {
      table.unlockWrite(stamp);
    }
  }

  /** Shows what was staged: instead of every imported count ({@code replace}) or added to them. Atomic for readers. */
  public void commit(boolean replace) {
    long stamp = table.write();
    try {
      CountColumn c = table.column(CountTable.IMPORTED);
      table.importing.commitInto(c.base, replace);
      table.importing = null;
    } finally {
      table.unlockWrite(stamp);
    }
  }
}
