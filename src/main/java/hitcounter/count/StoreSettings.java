package hitcounter.count;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * When and how a datacenter's journal is folded into its snapshot: `hitcounter.store` in
 * application.conf. A fold rewrites only the shards whose pages changed, and is due when the
 * journal after the snapshot has grown to {@code ratio} times the bytes of those shards (so
 * each byte of a shard is rewritten about once per {@code ratio} bytes of journal: a bounded
 * write amplification), or holds {@code maxEntries} entries (the key budget), or
 * {@code maxUnfoldedBytes} (the reader's start-up cost).
 */
public record StoreSettings(
    int shardBudget,
    long minFoldBytes,
    double ratio,
    int maxEntries,
    long maxUnfoldedBytes,
    Duration checkInterval,
    int writesPerSecond,
    Duration garbageGrace,
    Duration sweepInterval,
    Duration archiveAfter,
    Duration legacyRetention,
    Duration legacyCheck) {

  public StoreSettings {
    require(shardBudget >= 16 * 1024 && shardBudget <= 384 * 1024, "shard-budget must be 16 KiB to 384 KiB (a shard is one PUT, far under Consul's 512 KiB)");
    require(minFoldBytes >= 0, "min-fold-bytes must not be negative");
    require(ratio >= 0.1 && ratio <= 100, "fold-ratio must be 0.1 to 100");
    require(maxEntries >= 10 && maxEntries <= 20_000, "max-entries must be 10 to 20000 (the key budget is 100,000 per datacenter)");
    require(maxUnfoldedBytes >= minFoldBytes, "max-unfolded-bytes must be at least min-fold-bytes");
    require(writesPerSecond >= 1 && writesPerSecond <= 200, "fold-writes-per-second must be 1 to 200");
    require(!garbageGrace.isNegative(), "garbage-grace must not be negative");
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("hitcounter.store: " + problem);
    }
  }

  public static StoreSettings create(Config root) {
    Config c = root.getConfig("hitcounter.store");
    return new StoreSettings(
        (int) c.getMemorySize("shard-budget").toBytes(),
        c.getMemorySize("min-fold-bytes").toBytes(),
        c.getDouble("fold-ratio"),
        c.getInt("max-entries"),
        c.getMemorySize("max-unfolded-bytes").toBytes(),
        c.getDuration("fold-check-interval"),
        c.getInt("fold-writes-per-second"),
        c.getDuration("garbage-grace"),
        c.getDuration("sweep-interval"),
        c.getDuration("archive-after"),
        c.getDuration("legacy-retention"),
        c.getDuration("legacy-check-interval"));
  }
}
