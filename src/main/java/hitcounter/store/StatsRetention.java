package hitcounter.store;

/** What a fold keeps of analytics, at minute {@code nowMinute} (since the epoch): day buckets for {@code days} days, hour buckets for {@code hours} hours, minute buckets for 24 h. */
public record StatsRetention(long nowMinute, int days, int hours) {
  public static StatsRetention now(int days, int hours) {
    return new StatsRetention(System.currentTimeMillis() / 60_000, days, hours);
  }

  public int today() {
    return (int) (nowMinute / 1440);
  }
}
