package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.DeadGenerations;
import hitcounter.config.ResetRecord;
import hitcounter.fakes.FakeConsul;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A reset the view knows that no key holds any more is written back (decision 0019). */
class ResetWriteBackTest {
  @Test
  void aResetARestoreTookBeforeAnyCopyHadItIsWrittenBackFromTheView() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    ResetRecord home = new ResetRecord(Map.of("us-west", 12L), 0, 5);
    ResetRecord held = new ResetRecord(Map.of("eu-west", 3L), 0, 6);
    consul.put("us-west", ResetRecord.key("eu-west", "about"), held.bytes());
    ResetView.Resets known = new ResetView.Resets();
    known.set(Map.of("home", home, "about", held, "blog~1:gone", home));
    int written = ResetWriteBack.run(consul, "us-west", known, new DeadGenerations(Map.of("blog", 1L))).toCompletableFuture().get();
    assertEquals(1, written, "home only: about is held, blog~1 is dead");
    assertEquals(home, ResetRecord.parse(consul.entry("us-west", ResetRecord.key("us-west", "home")).orElseThrow().value()).orElseThrow());
    assertEquals(0, (int) ResetWriteBack.run(consul, "us-west", known, new DeadGenerations(Map.of("blog", 1L)))
        .toCompletableFuture().get(), "written once");
    assertTrue(consul.entry("us-west", ResetRecord.key("us-west", "blog~1:gone")).isEmpty());
  }
}
