package hitcounter.config;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What one datacenter does next about visitor salts, given the time and every salt record it
 * holds (its own and the copies of the others'): a pure function, so the agreement and the
 * midnight rotation are tested with a clock the test controls.
 *
 * <ul>
 *   <li>Propose: today and tomorrow each get a record with 16 random bytes, once.
 *   <li>Decide: from {@code decideBefore} ahead of a day's midnight (UTC) (for a day already
 *       begun: at once), as soon as every datacenter's proposal for the day is held, or, when one
 *       is missing (cut off, not running), {@code grace} later: the salt is the highest proposal
 *       held, or, when another datacenter has decided already (this one started late, or came
 *       back), the salt it decided. Every datacenter that heard all the proposals picks the same
 *       salt; one that decided without them may not, and its uniques are then not united (the
 *       answers say so).
 *   <li>Forget: records of days before yesterday are deleted (a salt lives 48 h from the start of
 *       its day: its day, then the day after, while late hits and copies arrive).
 * </ul>
 */
public final class SaltPlan {
  private SaltPlan() {}

  public sealed interface Action {}

  /** Write this datacenter's record of {@code day} (create or replace). */
  public record Write(LocalDate day, SaltRecord record) implements Action {}

  /** Delete a record of an old day (any datacenter's copy in this Consul). */
  public record Delete(String dc, LocalDate day) implements Action {}

  public static List<Action> next(
      Instant now, String localDc, Collection<String> datacenters, Map<String, Map<LocalDate, SaltRecord>> records, Duration decideBefore, Duration grace,
      Supplier<byte[]> random) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    List<Action> out = new ArrayList<>();
    Map<LocalDate, SaltRecord> mine = records.getOrDefault(localDc, Map.of());
    for (LocalDate day : List.of(today, today.plusDays(1))) {
      SaltRecord own = mine.get(day);
      if (own == null) {
        own = SaltRecord.proposed(random.get(), now.toEpochMilli());
        out.add(new Write(day, own));
      }
      Instant decideAt = day.atStartOfDay(ZoneOffset.UTC).toInstant().minus(decideBefore);
      if (!own.decided() && !now.isBefore(decideAt)) {
        String highest = own.proposal();
        String decidedElsewhere = null;
        for (var e : records.entrySet()) {
          SaltRecord r = e.getKey().equals(localDc) ? null : e.getValue().get(day);
          if (r != null && r.decided() && (decidedElsewhere == null || r.salt().compareTo(decidedElsewhere) > 0)) {
            decidedElsewhere = r.salt();
          }
        }
        boolean heardAll = true;
        for (String dc : datacenters) {
          SaltRecord r = dc.equals(localDc) ? own : records.getOrDefault(dc, Map.of()).get(day);
          if (r == null) {
            heardAll = false;
          } else if (r.proposal().compareTo(highest) > 0) {
            highest = r.proposal();
          }
        }
        // A copy of a datacenter not (or no longer) listed still takes part: it proposed.
        for (var e : records.entrySet()) {
          SaltRecord r = e.getValue().get(day);
          if (r != null && r.proposal().compareTo(highest) > 0) {
            highest = r.proposal();
          }
        }
        Instant waitedFrom = Instant.ofEpochMilli(Math.max(decideAt.toEpochMilli(), own.proposedAt()));
        if (decidedElsewhere != null || heardAll || !now.isBefore(waitedFrom.plus(grace))) {
          out.removeIf(a -> a instanceof Write w && w.day().equals(day));
          out.add(new Write(day, own.decide(decidedElsewhere != null ? decidedElsewhere : highest, heardAll, now.toEpochMilli())));
        }
      }
    }
    records.forEach((dc, days) -> days.keySet().forEach(day -> {
      if (day.isBefore(today.minusDays(1))) {
        out.add(new Delete(dc, day));
      }
    }));
    return out;
  }
}
