package hitcounter.config;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The salt agreement of two datacenters and its rotation at midnight, on a clock the test moves:
 * each datacenter's Consul is a map; a step applies what {@link SaltPlan} says; a copy merges
 * one datacenter's records into the other's as the replicator does ({@link
 * hitcounter.replicate.MaxMerge#SALTS}).
 */
class SaltPlanTest {
  private static final List<String> DCS = List.of("eu-west", "us-west");
  private static final Duration BEFORE = Duration.ofHours(2);
  private static final Duration GRACE = Duration.ofSeconds(30);
  private final Random random = new Random(7);
  /** Per datacenter's Consul: datacenter → day → record. */
  private final Map<String, Map<String, Map<LocalDate, SaltRecord>>> consul = new HashMap<>();
  private Instant now;

  private void at(String instant) {
    now = Instant.parse(instant);
  }

  private Map<String, Map<LocalDate, SaltRecord>> of(String dc) {
    return consul.computeIfAbsent(dc, d -> new HashMap<>());
  }

  private void step(String dc) {
    for (SaltPlan.Action a : SaltPlan.next(now, dc, DCS, of(dc), BEFORE, GRACE, () -> {
      byte[] b = new byte[16];
      random.nextBytes(b);
      return b;
    })) {
      if (a instanceof SaltPlan.Write w) {
        of(dc).computeIfAbsent(dc, d -> new HashMap<>()).put(w.day(), w.record());
      } else if (a instanceof SaltPlan.Delete d) {
        of(dc).getOrDefault(d.dc(), new HashMap<>()).remove(d.day());
      }
    }
  }

  /** The replicator: {@code from}'s own records into {@code to}'s Consul, merged. */
  private void copy(String from, String to) {
    of(from).getOrDefault(from, Map.of()).forEach((day, r) -> {
      Map<LocalDate, SaltRecord> target = of(to).computeIfAbsent(from, d -> new HashMap<>());
      byte[] merged = hitcounter.replicate.MaxMerge.SALTS.merged(r.bytes(), target.containsKey(day) ? target.get(day).bytes() : null);
      if (merged != null) {
        target.put(day, SaltRecord.parse(merged).orElseThrow());
      }
    });
  }

  private void copyBoth() {
    copy("us-west", "eu-west");
    copy("eu-west", "us-west");
  }

  private Salts salts(String dc) {
    Salts s = new Salts();
    s.publish(dc, DCS, of(dc));
    return s;
  }

  private static LocalDate day(String d) {
    return LocalDate.parse(d);
  }

  /** Both datacenters start at noon and hear each other: each proposes, then decides today's salt. */
  private void startBothAtNoon() {
    at("2026-11-27T12:00:00Z");
    step("us-west");
    step("eu-west");
    copyBoth();
    step("us-west");
    step("eu-west");
    copyBoth();
  }

  @Test
  void datacentersAgreeOnTomorrowsSaltBeforeMidnightAndRotateAtIt() {
    startBothAtNoon();
    // Today was begun when they started: each heard the other within the grace and decided the same.
    assertTrue(salts("us-west").united(day("2026-11-27")));
    assertArrayEquals(salts("us-west").of(day("2026-11-27")).orElseThrow().salt(), salts("eu-west").of(day("2026-11-27")).orElseThrow().salt());
    // Tomorrow is proposed, not decided, until two hours before midnight.
    at("2026-11-27T21:59:59Z");
    step("us-west");
    step("eu-west");
    assertTrue(salts("us-west").of(day("2026-11-28")).isEmpty());
    at("2026-11-27T22:00:00Z");
    step("us-west");
    step("eu-west");
    copyBoth();
    byte[] tomorrow = salts("us-west").of(day("2026-11-28")).orElseThrow().salt();
    assertArrayEquals(tomorrow, salts("eu-west").of(day("2026-11-28")).orElseThrow().salt(), "the highest proposal wins in both");
    assertTrue(salts("eu-west").united(day("2026-11-28")));
    assertTrue(of("us-west").get("us-west").get(day("2026-11-28")).heardAll());
    assertFalse(java.util.Arrays.equals(tomorrow, salts("us-west").of(day("2026-11-27")).orElseThrow().salt()), "a new salt each day");
    // Midnight: the day's salt is in force, the next day's is proposed; the old one lives on
    // while late hits and copies arrive.
    at("2026-11-28T00:00:01Z");
    step("us-west");
    assertTrue(of("us-west").get("us-west").containsKey(day("2026-11-29")));
    assertTrue(of("us-west").get("us-west").containsKey(day("2026-11-27")));
    // 48 h after its day began, a salt is gone, in every datacenter's Consul (copies too).
    at("2026-11-29T00:00:01Z");
    step("us-west");
    step("eu-west");
    for (String dc : DCS) {
      for (String owner : DCS) {
        assertFalse(of(dc).getOrDefault(owner, Map.of()).containsKey(day("2026-11-27")), dc + " still holds " + owner + "'s salt of the 27th");
      }
    }
    assertTrue(of("us-west").get("us-west").containsKey(day("2026-11-28")));
    at("2026-11-30T00:00:01Z");
    step("us-west");
    assertFalse(of("us-west").get("us-west").containsKey(day("2026-11-28")));
  }

  @Test
  void aDatacenterCutOffWhenTheSaltIsDecidedUsesItsOwnAndTheDayIsNotUnited() {
    startBothAtNoon();
    // The WAN is cut before the 28th's proposals cross... (they were made at 12:00 and copied:
    // use the 29th, proposed after the cut).
    at("2026-11-28T12:00:00Z");
    step("us-west");
    step("eu-west"); // the 29th proposed in each, not copied
    at("2026-11-28T22:00:00Z");
    step("us-west");
    step("eu-west");
    assertTrue(salts("us-west").of(day("2026-11-29")).isEmpty(), "waits for the other's proposal");
    at("2026-11-28T22:00:30Z");
    step("us-west");
    step("eu-west");
    assertFalse(of("us-west").get("us-west").get(day("2026-11-29")).heardAll());
    assertTrue(salts("us-west").of(day("2026-11-29")).isPresent(), "decides alone after the grace");
    // The WAN heals: the copies cross, the decisions stand, and both say the day is not united.
    copyBoth();
    step("us-west");
    step("eu-west");
    assertFalse(java.util.Arrays.equals(salts("us-west").of(day("2026-11-29")).orElseThrow().salt(), salts("eu-west").of(day("2026-11-29")).orElseThrow().salt()));
    assertFalse(salts("us-west").united(day("2026-11-29")));
    assertFalse(salts("eu-west").united(day("2026-11-29")));
    assertTrue(salts("us-west").united(day("2026-11-28")), "the days decided before the cut stay united");
  }

  @Test
  void aDatacenterThatDecidesLateAdoptsTheSaltDecidedElsewhere() {
    at("2026-11-27T12:00:00Z");
    step("us-west"); // us-west alone: eu-west does not run yet
    at("2026-11-27T12:00:31Z");
    step("us-west");
    assertTrue(salts("us-west").of(day("2026-11-27")).isPresent(), "decided after the grace, without eu-west");
    // eu-west starts five minutes later; its proposal may be higher, but us-west has decided.
    at("2026-11-27T12:05:00Z");
    step("eu-west");
    copyBoth();
    step("eu-west");
    copyBoth();
    step("us-west");
    assertArrayEquals(salts("us-west").of(day("2026-11-27")).orElseThrow().salt(), salts("eu-west").of(day("2026-11-27")).orElseThrow().salt());
    assertTrue(salts("eu-west").united(day("2026-11-27")));
    assertTrue(salts("us-west").united(day("2026-11-27")));
  }

  @Test
  void aCopyTakesALaterDecisionOfTheSameDatacenter() {
    SaltRecord first = SaltRecord.proposed(new byte[16], 1).decide("00".repeat(16), true, 10);
    SaltRecord again = SaltRecord.proposed(new byte[16], 1).decide("11".repeat(16), false, 20);
    assertNotNull(hitcounter.replicate.MaxMerge.SALTS.merged(again.bytes(), first.bytes()), "its Consul was wiped and it decided again");
    assertNull(hitcounter.replicate.MaxMerge.SALTS.merged(first.bytes(), again.bytes()));
    assertNull(hitcounter.replicate.MaxMerge.SALTS.merged(SaltRecord.proposed(new byte[16], 1).bytes(), first.bytes()), "never back to undecided");
  }
}
