package hitcounter.store;

import java.util.Collection;
import java.util.TreeSet;

/**
 * A set of job ids written as sorted ranges, {@code "5-9,12,20-21"}: a batch reserves mostly
 * consecutive ids, so an applied record of a thousand jobs is a few characters long.
 */
public final class IdRanges {
  private IdRanges() {}

  public static String format(Collection<Long> ids) {
    StringBuilder b = new StringBuilder();
    long start = -1;
    long prev = -2;
    for (long id : new TreeSet<>(ids)) {
      if (id == prev + 1) {
        prev = id;
        continue;
      }
      append(b, start, prev);
      start = id;
      prev = id;
    }
    append(b, start, prev);
    return b.toString();
  }

  private static void append(StringBuilder b, long start, long end) {
    if (start < 0) {
      return;
    }
    if (b.length() > 0) {
      b.append(',');
    }
    b.append(start);
    if (end > start) {
      b.append('-').append(end);
    }
  }

  /** Parses {@link #format}'s output; throws IllegalArgumentException on anything else. */
  public static TreeSet<Long> parse(String text) {
    TreeSet<Long> out = new TreeSet<>();
    if (text.isEmpty()) {
      return out;
    }
    for (String part : text.split(",")) {
      int dash = part.indexOf('-');
      long from = Long.parseLong(dash < 0 ? part : part.substring(0, dash));
      long to = dash < 0 ? from : Long.parseLong(part.substring(dash + 1));
      if (from < 0 || to < from || to - from > 1_000_000) {
        throw new IllegalArgumentException("bad id range " + part);
      }
      for (long id = from; id <= to; id++) {
        out.add(id);
      }
    }
    return out;
  }
}
