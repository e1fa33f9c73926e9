package hitcounter.ingest;

import hitcounter.config.Salts;
import hitcounter.page.JobCodec;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Optional;

/**
 * What a hit job line says of one hit (job format 3): its page, the minute it was taken, and
 * either the visitor's hash under the day's salt or the mark of a bot. Without a decided salt
 * (the first moments of a new datacenter) the hit is counted with no visitor.
 */
public final class HitLines {
  private final Salts salts;
  private final BotDetector bots;
  private final Clock clock;
  private final java.util.function.BooleanSupplier enabled;
  private final java.util.function.Predicate<String> knownPage;

  public HitLines(Salts salts, BotDetector bots, Clock clock) {
    this(salts, bots, clock, () -> true, page -> true);
  }

  /**
   * Lines with analytics while {@code enabled} says so (the live setting analytics), the page
   * alone otherwise. A bot's hit of a page {@code knownPage} does not know (nobody counted it)
   * counts for the page's site only: bots never make pages (nor take room under a site's cap).
   */
  public HitLines(Salts salts, BotDetector bots, Clock clock, java.util.function.BooleanSupplier enabled, java.util.function.Predicate<String> knownPage) {
    this.salts = salts;
    this.bots = bots;
    this.clock = clock;
    this.enabled = enabled;
    this.knownPage = knownPage;
  }

  /** Lines that carry the page alone (no analytics). */
  public static HitLines none() {
    return new HitLines(null, null, null, () -> false, page -> true);
  }

  /** Whether a hit with {@code userAgent} is a bot's (false while analytics are off: every hit is then a human's). */
  public boolean isBot(Optional<String> userAgent) {
    return enabled.getAsBoolean() && bots.isBot(userAgent.orElse(""));
  }

  /**
   * The line of a hit of counted id {@code key} by {@code client} with {@code userAgent} (may be
   * empty); {@code bot} is {@link #isBot} of that User-Agent (the intake asked it for the gate).
   */
  public JobCodec.Hit hit(String key, String client, Optional<String> userAgent, boolean bot) {
    if (!enabled.getAsBoolean()) {
      return JobCodec.Hit.plain(key);
    }
    long now = clock.millis();
    long minute = now / 60_000;
    String ua = userAgent.orElse("");
    if (bot) {
      return knownPage.test(key) ? new JobCodec.Hit(key, minute, 0, true) : JobCodec.Hit.siteBot(key, minute);
    }
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(now, 86_400_000L));
    long visitor = salts.of(day).map(d -> VisitorHash.of(d.salt(), client, ua)).orElse(0L);
    return new JobCodec.Hit(key, minute, visitor, false);
  }
}
