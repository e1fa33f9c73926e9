package hitcounter.config;

import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The visitor salts this datacenter decided, as the salt keeper last read them, for the hit
 * path (which salt hashes a visitor today) and the answers (whether a day's uniques are
 * united: every datacenter decided the same salt that day). Read by any thread.
 */
public final class Salts {
  /** A decided day: its salt, and whether every datacenter decided the same one. */
  public record Day(LocalDate day, byte[] salt, boolean united, Map<String, Boolean> agreeing) {}

  private volatile Map<LocalDate, Day> days = Map.of();

  /** The salt of {@code day}, when this datacenter has decided it. */
  public Optional<Day> of(LocalDate day) {
    return Optional.ofNullable(days.get(day));
  }

  /** Whether {@code day}'s uniques are united across datacenters. */
  public boolean united(LocalDate day) {
    Day d = days.get(day);
    return d != null && d.united();
  }

  /** Publishes what {@code records} (every datacenter's, as held here) say, for {@code datacenters}. */
  public void publish(String localDc, Collection<String> datacenters, Map<String, Map<LocalDate, SaltRecord>> records) {
    Map<LocalDate, Day> out = new TreeMap<>();
    records.getOrDefault(localDc, Map.of()).forEach((day, own) -> {
      if (!own.decided()) {
        return;
      }
      Map<String, Boolean> agreeing = new TreeMap<>();
      boolean united = true;
      for (String dc : datacenters) {
        SaltRecord r = records.getOrDefault(dc, Map.of()).get(day);
        boolean same = r != null && r.decided() && r.salt().equals(own.salt());
        agreeing.put(dc, same);
        united &= same;
      }
      out.put(day, new Day(day, own.saltBytes(), united, agreeing));
    });
    days = Map.copyOf(out);
  }

  /** For tests and single-node use: a decided, united salt for {@code day}. */
  public static Salts fixed(LocalDate day, byte[] salt) {
    Salts s = new Salts();
    Map<LocalDate, Day> m = new HashMap<>();
    m.put(day, new Day(day, salt, true, Map.of()));
    s.days = Map.copyOf(m);
    return s;
  }

  List<LocalDate> known() {
    return List.copyOf(days.keySet());
  }
}
