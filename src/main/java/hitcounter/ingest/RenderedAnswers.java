package hitcounter.ingest;

import hitcounter.infra.Json;
import hitcounter.page.PageKey;
import java.util.function.LongSupplier;

/**
 * The hit routes' answers as JSON bytes, kept for a page while nothing it shows can have changed:
 * the same count table version, resets, heartbeats and stall reports, within the same tenth of a
 * second (ages in an answer are shown to a tenth of a second). A
 * page hit many times a second is rendered a few times a second, not once per hit. The cache is
 * a fixed array of slots by page (a slot holds the last page rendered into it): memory is bounded
 * whatever the number of pages, and nothing needs evicting.
 */
public final class RenderedAnswers {
  private static final long TICK_NANOS = 100_000_000L;

  private record Rendered(String key, long tick, long version, byte[] json) {}

  private final HitAnswers answers;
  private final LongSupplier version;
  private final LongSupplier nanos;
  private final Rendered[] slots;

  public RenderedAnswers(HitAnswers answers) {
    this(answers, answers::version, System::nanoTime, 4096);
  }

  RenderedAnswers(HitAnswers answers, LongSupplier version, LongSupplier nanos, int slots) {
    if (Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of 2");
    }
    this.answers = answers;
    this.version = version;
    this.nanos = nanos;
    this.slots = new Rendered[slots];
  }

  /** The answer for {@code key}, as JSON. */
  public byte[] json(PageKey key) {
    String k = key.key();
    long tick = nanos.getAsLong() / TICK_NANOS;
    long v = version.getAsLong();
    int slot = (k.hashCode() * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(slots.length)) & (slots.length - 1);
    Rendered r = slots[slot]; // records are immutable: a racing read sees a whole one or the older one
    if (r != null && r.tick() == tick && r.version() == v && r.key().equals(k)) {
      return r.json();
    }
    byte[] json;
    try {
      json = Json.mapper().writeValueAsBytes(answers.reply(key));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render the answer of " + k, e);
    }
    slots[slot] = new Rendered(k, tick, v, json);
    return json;
  }
}
