package hitcounter.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CopyStatusTest {
  /**
   * Found in the lab: under steady load every round ends with newer changes waiting, and the
   * copy age kept the time of the first change ever, so after 10 s of load every answer said
   * "copy-failing" though every round succeeded.
   */
  @Test
  void underSteadyLoadTheAgeIsThatOfChangesNewerThanTheLastRound() {
    CopyStatus status = new CopyStatus();
    status.changed("eu-west", 1_000);
    // Rounds start every 200 ms, each succeeds, and new changes keep coming meanwhile.
    for (long t = 1_000; t < 60_000; t += 200) {
      status.succeeded("eu-west", false, 100, t);
      status.changed("eu-west", t + 100);
    }
    assertEquals(0.2, status.targets().get("eu-west").ageSeconds(60_000), 0.001);
  }

  @Test
  void aRoundThatLeavesNothingBehindMakesTheAgeZero() {
    CopyStatus status = new CopyStatus();
    status.changed("eu-west", 1_000);
    status.succeeded("eu-west", true, 100, 1_100);
    assertEquals(0, status.targets().get("eu-west").ageSeconds(9_000), 0.001);
  }

  @Test
  void aRoundThatLeftASmallCopyBehindKeepsTheOldestChange() {
    CopyStatus status = new CopyStatus();
    status.changed("eu-west", 1_000);
    status.succeeded("eu-west", false, 100, 0); // the settings copy was not taken there
    assertEquals(8.0, status.targets().get("eu-west").ageSeconds(9_000), 0.001);
  }

  @Test
  void failingRoundsKeepTheOldestChange() {
    CopyStatus status = new CopyStatus();
    status.changed("eu-west", 1_000);
    status.failed("eu-west", "timeout", 2_000);
    status.failed("eu-west", "timeout", 5_000);
    assertEquals(10.0, status.targets().get("eu-west").ageSeconds(11_000), 0.001);
  }
}
