package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.regex.Pattern;

/** A setting that can be changed at run time through Consul: its name, default and check. */
public enum Setting {
  COLOUR("colour", "background colour of the HTML page: #rrggbb or a CSS colour name") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return v.isTextual() && (HEX.matcher(v.asText()).matches() || NAME.matcher(v.asText()).matches())
          ? Optional.empty()
          : Optional.of("colour must be a string like \"#1e90ff\" or \"teal\"");
    }
  },
  BATCH_SIZE("batch-size", "most jobs a worker commits in one transaction (1-10000)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 1, 10_000);
    }
  },
  LINGER_MS("linger-ms", "how long a worker waits for more jobs after a partial batch (0-1000 ms)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 0, 1_000);
    }
  },
  WORKERS_PER_QUEUE("workers-per-queue", "nodes that drain each queue at once (1-8)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 1, 8);
    }
  },
  REPLICATION_INTERVAL_MS("replication-interval-ms", "how often counts are copied to other datacenters (50-10000 ms)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 50, 10_000);
    }
  },
  SITES("sites", "who may count: one member per site with origins, page pattern, maxPages, perClient and perSite limits (PUT /api/sites/{site} edits one)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return Sites.problem(v);
    }

    @Override
    public boolean isMap() {
      return true;
    }
  },
  ANALYTICS("analytics", "1: hits also count unique visitors, series and bots apart; 0: counts only, every hit a human's (0-1)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 0, 1);
    }
  },
  SERIES_DAYS("series-days", "days of hits per day (pages, sites) and unique visitors kept (1-3660)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 1, 3660);
    }
  },
  SERIES_HOURS("series-hours", "hours of hits per hour kept for each site (24-87840)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 24, 87_840);
    }
  },
  JOB_FORMAT("job-format", "format of new hit jobs: 4 (URL paths and referrals), 3 while nodes of a version before paths still run (with time, visitor and bot mark), 2 before analytics, 1 before the count store (1-4)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 1, 4);
    }
  },
  STORE_FORMAT("store-format", "how workers name journal entries: 2 in epochs (a restored store never reuses a name), 1 while nodes of a version before epochs still run (1-2)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 1, 2);
    }
  },
  RESET_FORMAT("reset-format", "how reset records are kept: 2 folded into shards at rest (decision 0019), 1 while nodes of a version before shards still run (1-2)") {
    @Override
    public Optional<String> problem(JsonNode v) {
      return intIn(v, 1, 2);
    }
  };

  private static final Pattern HEX = Pattern.compile("#[0-9a-fA-F]{6}");
  private static final Pattern NAME = Pattern.compile("[a-z]{3,20}");

  public final String key;
  public final String description;

  Setting(String key, String description) {
    this.key = key;
    this.description = description;
  }

  /** Why {@code value} is not acceptable for this setting, or empty. */
  public abstract Optional<String> problem(JsonNode value);

  /** Whether the value is a map whose entries merge one by one across datacenters ({@link EntryMerge}), not the whole value. */
  public boolean isMap() {
    return false;
  }

  public static Optional<Setting> named(String name) {
    for (Setting s : values()) {
      if (s.key.equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> intIn(JsonNode v, int min, int max) {
    return v.isIntegralNumber() && v.asLong() >= min && v.asLong() <= max
        ? Optional.empty()
        : Optional.of("must be a whole number from " + min + " to " + max);
  }
}
