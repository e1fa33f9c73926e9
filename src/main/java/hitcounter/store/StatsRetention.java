package hitcounter.store;

/** What a fold keeps of analytics: day buckets for {@code days} days up to {@code today} (epoch day), hour buckets for {@code hours} hours, minute buckets for 24 h. */
public record StatsRetention(int today, int days, int hours) {
  public static StatsRetention now(int days, int hours) {
    return new StatsRetention((int) Math.floorDiv(System.currentTimeMillis(), 86_400_000L), days, hours);
  }
}
