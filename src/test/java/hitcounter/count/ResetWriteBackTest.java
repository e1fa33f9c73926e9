package hitcounter.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.ResetRecord;
import hitcounter.fakes.FakeConsul;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A reset the view knows that no key holds any more is written back (decision 0019), and only such a one. */
class ResetWriteBackTest {
  private static final Duration SETTLE = Duration.ofMinutes(2);

  @Test
  void aResetARestoreTookBeforeAnyCopyHadItIsWrittenBackOnceItStaysMissing() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    ResetRecord home = new ResetRecord(Map.of("us-west", 12L), 0, 5);
    ResetRecord held = new ResetRecord(Map.of("eu-west", 3L), 0, 6);
    ResetRecord past = new ResetRecord(Map.of("us-west", 50L), 0, 7);
    consul.put("us-west", ResetRecord.key("eu-west", "about"), held.bytes());
    ResetView.Resets known = new ResetView.Resets();
    known.set(Map.of("home", home, "about", held, "blog~1:gone", home, "rolled", past));
    ResetWriteBack back = new ResetWriteBack();
    java.util.function.Predicate<String> shown = id -> !id.startsWith("blog~1:");
    java.util.function.Function<String, Map<String, Long>> raw = id -> Map.of("us-west", 20L);
    assertEquals(0, (int) back.run(consul, "us-west", known, shown, raw, 0, SETTLE).toCompletableFuture().get(), "first look: maybe a resend is on its way");
    assertEquals(0, (int) back.run(consul, "us-west", known, shown, raw, 60_000, SETTLE).toCompletableFuture().get());
    assertEquals(1, (int) back.run(consul, "us-west", known, shown, raw, 120_000, SETTLE).toCompletableFuture().get(),
        "home only: about is held, blog~1 is a deleted site's, rolled's baseline is above its count (the repair's to say)");
    assertEquals(home, ResetRecord.parse(consul.entry("us-west", ResetRecord.key("us-west", "home")).orElseThrow().value()).orElseThrow());
    assertEquals(0, (int) back.run(consul, "us-west", known, shown, raw, 300_000, SETTLE).toCompletableFuture().get(), "written once");
    assertTrue(consul.entry("us-west", ResetRecord.key("us-west", "blog~1:gone")).isEmpty());
    assertTrue(consul.entry("us-west", ResetRecord.key("us-west", "rolled")).isEmpty());
  }
}
