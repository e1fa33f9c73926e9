package hitcounter.replicate;

import hitcounter.store.QueueHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Iterator;

/**
 * Keys a copy no longer needs in its target: a few named keys (shards, a manifest) and runs of
 * journal entries, kept as ranges of seqs named by the head that named them, so that the first
 * copy of a snapshot over a journal of millions of entries holds a few records, not millions of
 * strings. Keys are made one batch at a time when they are deleted.
 */
record CopyGarbage(List<String> keys, List<Entries> entries) {
  static final CopyGarbage NONE = new CopyGarbage(List.of(), List.of());

  /** Entries {@code from}..{@code to} of {@code queue} of {@code dc}, by the names {@code names} gives them. */
  record Entries(String dc, String queue, QueueHead names, long from, long to) {
    long size() {
      return Math.max(0, to - from + 1);
    }
  }

  static Builder builder() {
    return new Builder();
  }

  long size() {
    return keys.size() + entries.stream().mapToLong(Entries::size).sum();
  }

  boolean isEmpty() {
    return size() == 0;
  }

  /** The keys in lists of at most {@code max}, each made when it is asked for. */
  Iterator<List<String>> batches(int max) {
    return new Iterator<>() {
      private int key;
      private int range;
      private long seq = entries.isEmpty() ? 0 : entries.get(0).from();

      @Override
      public boolean hasNext() {
        skipEmpty();
        return key < keys.size() || range < entries.size();
      }

      @Override
      public List<String> next() {
        List<String> batch = new ArrayList<>(max);
        while (batch.size() < max && hasNext()) {
          if (key < keys.size()) {
            batch.add(keys.get(key++));
          } else {
            Entries e = entries.get(range);
            batch.add(e.names().entryKey(e.dc(), e.queue(), seq++));
          }
        }
        return batch;
      }

      private void skipEmpty() {
        while (range < entries.size() && seq > entries.get(range).to()) {
          range++;
          if (range < entries.size()) {
            seq = entries.get(range).from();
          }
        }
      }
    };
  }

  static final class Builder {
    private final List<String> keys = new ArrayList<>();
    private final List<Entries> entries = new ArrayList<>();

    Builder key(String key) {
      keys.add(key);
      return this;
    }

    Builder entries(String dc, String queue, QueueHead names, long from, long to) {
      if (from <= to) {
        entries.add(new Entries(dc, queue, names, from, to));
      }
      return this;
    }

    CopyGarbage build() {
      return new CopyGarbage(List.copyOf(keys), List.copyOf(entries));
    }
  }
}
