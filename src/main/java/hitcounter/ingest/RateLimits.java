package hitcounter.ingest;

import hitcounter.config.Site;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets (bucket4j) in this node's memory: one per site and client address, one per
 * site. A site's limits are read on every hit, so a change of the "sites" setting applies at
 * once (a bucket whose limit changed starts again, full). At most {@code maxBuckets} are kept:
 * past that, buckets idle long enough to be full again are dropped (a full bucket is the same as
 * a new one), then, if a flood of addresses still fills the map, the least recently used.
 */
public final class RateLimits {
  /** A refused hit: which limit ({@code client} or {@code site}) and when to come back. */
  public record Over(String limit, long retryAfterSeconds) {}

  private static final class Entry {
    final Bucket bucket;
    final Site.Limit limit;
    volatile long lastUsedNanos;

    Entry(Site.Limit limit, long now) {
      this.limit = limit;
      this.bucket = Bucket.builder().addLimit(bandwidth(limit)).build();
      this.lastUsedNanos = now;
    }

    /** Nanoseconds after which an untouched bucket is full again. */
    long refillNanos() {
      return (long) Math.ceil(limit.burst() / limit.rate() * 1e9);
    }
  }

  private final Map<String, Entry> buckets = new ConcurrentHashMap<>();
  private final int maxBuckets;
  private final LongSupplier clock;

  public RateLimits(int maxBuckets) {
    this(maxBuckets, System::nanoTime);
  }

  RateLimits(int maxBuckets, LongSupplier clock) {
    this.maxBuckets = maxBuckets;
    this.clock = clock;
  }

  /** Takes a token for one hit of {@code client} on {@code site}; empty when allowed. */
  public Optional<Over> take(Site site, String client) {
    long now = clock.getAsLong();
    if (site.perClient().limits()) {
      ConsumptionProbe p = entry("c\t" + site.name() + "\t" + client, site.perClient(), now).bucket.tryConsumeAndReturnRemaining(1);
      if (!p.isConsumed()) {
        return Optional.of(new Over("client", seconds(p.getNanosToWaitForRefill())));
      }
    }
    if (site.perSite().limits()) {
      ConsumptionProbe p = entry("s\t" + site.name(), site.perSite(), now).bucket.tryConsumeAndReturnRemaining(1);
      if (!p.isConsumed()) {
        return Optional.of(new Over("site", seconds(p.getNanosToWaitForRefill())));
      }
    }
    return Optional.empty();
  }

  /** Buckets kept now. */
  public int size() {
    return buckets.size();
  }

  private Entry entry(String key, Site.Limit limit, long now) {
    Entry e = buckets.get(key);
    if (e == null || !e.limit.equals(limit)) {
      if (e == null && buckets.size() >= maxBuckets) {
        evict(now);
      }
      e = buckets.compute(key, (k, old) -> old != null && old.limit.equals(limit) ? old : new Entry(limit, now));
    }
    e.lastUsedNanos = now;
    return e;
  }

  private synchronized void evict(long now) {
    if (buckets.size() < maxBuckets) {
      return;
    }
    buckets.entrySet().removeIf(x -> now - x.getValue().lastUsedNanos > x.getValue().refillNanos());
    if (buckets.size() >= maxBuckets) {
      // A flood of addresses: keep the most recent half.
      long[] ages = buckets.values().stream().mapToLong(x -> now - x.lastUsedNanos).sorted().toArray();
      long cut = ages[ages.length / 2];
      buckets.entrySet().removeIf(x -> now - x.getValue().lastUsedNanos >= cut);
    }
  }

  private static long seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  private static Bandwidth bandwidth(Site.Limit limit) {
    // Whole tokens over a period: rate 0.5/s is 1 token every 2 s, rate 20/s is 20 every second.
    long perMinute = Math.max(1, Math.round(limit.rate() * 60));
    Duration period = perMinute % 60 == 0 ? Duration.ofSeconds(1) : Duration.ofMinutes(1);
    long tokens = perMinute % 60 == 0 ? perMinute / 60 : perMinute;
    return Bandwidth.builder().capacity(Math.max(1, limit.burst())).refillGreedy(tokens, period).build();
  }
}
