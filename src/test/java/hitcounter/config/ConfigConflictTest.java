package hitcounter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.ConfigFactory;
import hitcounter.replicate.MaxMerge;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule that settles two writes of one setting, the same way in every datacenter. */
class ConfigConflictTest {
  private static VersionedValue v(String value, long version, long at, String dc) {
    return new VersionedValue(TextNode.valueOf(value), version, at, dc);
  }

  @Test
  void higherVersionThenLaterTimeThenDatacenterNameWins() {
    assertTrue(v("a", 8, 1, "eu-west").newerThan(v("b", 7, 999, "us-west")));
    assertTrue(v("a", 7, 1000, "eu-west").newerThan(v("b", 7, 999, "us-west")));
    assertTrue(v("a", 7, 1000, "us-west").newerThan(v("b", 7, 1000, "eu-west")));
    assertFalse(v("a", 7, 1000, "eu-west").newerThan(v("a", 7, 1000, "eu-west")));
  }

  @Test
  void everyOrderOfArrivalEndsOnTheSameWinner() {
    List<VersionedValue> writes = new ArrayList<>(List.of(
        v("red", 3, 100, "us-west"), v("blue", 3, 100, "eu-west"), v("green", 2, 500, "ap-south"), v("teal", 1, 900, "us-west")));
    for (int round = 0; round < 20; round++) {
      Collections.shuffle(writes, new java.util.Random(round));
      LiveSettings live = new LiveSettings(ConfigFactory.load());
      writes.forEach(w -> live.apply(Setting.COLOUR, w));
      assertEquals("red", live.getString(Setting.COLOUR));
    }
  }

  @Test
  void anOlderWriteNeverReplacesANewerOne() {
    LiveSettings live = new LiveSettings(ConfigFactory.load());
    assertEquals(1000, live.getInt(Setting.BATCH_SIZE), "the default from application.conf");
    assertTrue(live.apply(Setting.BATCH_SIZE, new VersionedValue(IntNode.valueOf(500), 5, 10, "us-west")));
    assertFalse(live.apply(Setting.BATCH_SIZE, new VersionedValue(IntNode.valueOf(200), 4, 99, "us-west")));
    assertEquals(500, live.getInt(Setting.BATCH_SIZE));
    assertEquals(5L, live.appliedVersions().get("batch-size"));
  }

  @Test
  void replicationKeepsTheWinnerInTheCopy() {
    byte[] newer = v("red", 3, 100, "us-west").bytes();
    byte[] older = v("blue", 2, 900, "eu-west").bytes();
    assertEquals(newer, MaxMerge.LAST_WRITER.merged(newer, older));
    assertNull(MaxMerge.LAST_WRITER.merged(older, newer));
    assertEquals(newer, MaxMerge.LAST_WRITER.merged(newer, null));
  }

  @Test
  void valuesAreChecked() {
    assertTrue(Setting.COLOUR.problem(TextNode.valueOf("#1e90ff")).isEmpty());
    assertTrue(Setting.COLOUR.problem(TextNode.valueOf("teal")).isEmpty());
    assertFalse(Setting.COLOUR.problem(TextNode.valueOf("red; background: url(x)")).isEmpty());
    assertFalse(Setting.BATCH_SIZE.problem(IntNode.valueOf(0)).isEmpty());
    assertFalse(Setting.BATCH_SIZE.problem(TextNode.valueOf("500")).isEmpty());
    assertTrue(Setting.WORKERS_PER_QUEUE.problem(IntNode.valueOf(2)).isEmpty());
  }
}
