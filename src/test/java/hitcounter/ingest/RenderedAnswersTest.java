package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.count.ResetView;
import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.page.PageKey;
import hitcounter.replicate.DatacenterStates;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RenderedAnswersTest {
  private final CountTable table = new CountTable();
  private final ResetView.Resets resets = new ResetView.Resets();
  private final DatacenterStates states = new DatacenterStates();
  private final LocalStalls stalls = new LocalStalls(Duration.ofSeconds(15));
  private final HitAnswers answers =
      new HitAnswers("us-west", table, states, new Freshness("us-west", states, stalls, Duration.ofSeconds(3)), resets);
  private final AtomicLong nanos = new AtomicLong();

  private RenderedAnswers rendered(int slots) {
    return new RenderedAnswers(answers, answers::version, nanos::get, slots);
  }

  private static String text(byte[] json) {
    return new String(json, StandardCharsets.UTF_8);
  }

  @Test
  void aPageIsRenderedOncePerChangeAndTenthOfASecond() {
    RenderedAnswers r = rendered(16);
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("news", 7L)), h -> {});
    byte[] first = r.json(PageKey.ofDefault("news"));
    assertTrue(text(first).contains("\"total\":7"), text(first));
    nanos.addAndGet(50_000_000);
    assertSame(first, r.json(PageKey.ofDefault("news")), "nothing changed within the tenth of a second: the same bytes");

    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("news", 2L)), h -> {});
    byte[] counted = r.json(PageKey.ofDefault("news"));
    assertTrue(text(counted).contains("\"total\":9"), "a new count table version renders again at once: " + text(counted));

    nanos.addAndGet(100_000_000);
    assertNotSame(counted, r.json(PageKey.ofDefault("news")), "the next tenth of a second renders again (ages move)");
  }

  @Test
  void aStallReportedOrClearedShowsAtOnce() {
    RenderedAnswers r = rendered(16);
    assertTrue(text(r.json(PageKey.ofDefault("news"))).contains("\"stale\":false"));
    stalls.heard("us-west-1", java.util.List.of(new hitcounter.health.Stall("us-west", hitcounter.health.Stall.COUNTING, "us-west-1", "waits", 12.3)), true,
        System.currentTimeMillis());
    assertTrue(text(r.json(PageKey.ofDefault("news"))).contains("\"stale\":true"), "within the same tenth of a second");
    stalls.heard("us-west-1", java.util.List.of(), true, System.currentTimeMillis());
    assertTrue(text(r.json(PageKey.ofDefault("news"))).contains("\"stale\":false"));
  }

  @Test
  void pagesSharingASlotEachGetTheirOwnAnswer() {
    RenderedAnswers r = rendered(1);
    table.addEntry("us-west", CountsCodec.encode(CountsCodec.ENTRY, Map.of("a", 1L, "b", 2L)), h -> {});
    for (int i = 0; i < 3; i++) {
      assertTrue(text(r.json(PageKey.ofDefault("a"))).contains("\"total\":1"));
      assertTrue(text(r.json(PageKey.ofDefault("b"))).contains("\"total\":2"));
    }
  }
}
