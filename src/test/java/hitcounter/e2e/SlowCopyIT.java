package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.Resources;
import hitcounter.testkit.SlowWanPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A snapshot copy slower than a fold (issue 22, defect 9): every call the us-west node makes to
 * eu-west goes through a proxy that holds it 150 ms (a slow WAN; this kernel has no netem), so a
 * snapshot of ~60 shards takes ~10 s to copy, while us-west folds every second or two under hits
 * spread over thousands of pages and deletes replaced shards 1 s after each flip. The copy keeps
 * the snapshot it reads until it is done, and the next copy sends only the shards eu-west lacks:
 * snapshot copies complete during the load, and afterwards eu-west shows us-west's counts
 * exactly. Before, the source's shards were deleted under the copy ("local shard is gone"): no
 * snapshot copy completed while folds went on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowCopyIT {
  private SlowWanPair pair;

  @BeforeAll
  void start() throws Exception {
    String folds = "hitcounter.store.min-fold-bytes = 1\nhitcounter.store.max-entries = 20\nhitcounter.store.fold-check-interval = 500ms\n"
        + "hitcounter.store.shard-budget = 16KiB\nhitcounter.store.garbage-grace = 1s\nhitcounter.store.fold-writes-per-second = 200\n";
    pair = new SlowWanPair("slowcopy", 150, folds);
  }

  @AfterAll
  void stop() throws Exception {
    pair.close();
  }


  @Test
  void snapshotCopiesSlowerThanFoldsFinishAndTheCountsAgree() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 6);
    // Long, random page names: 12,000 pages make ~50 shards of 16 KiB.
    List<String> pages = new ArrayList<>();
    for (int i = 0; i < 12_000; i++) {
      pages.add("slow-" + run + "-" + i + "-" + UUID.randomUUID() + UUID.randomUUID());
    }
    AtomicLong acked = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> hitters = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread h = new Thread(() -> {
        while (running.get()) {
          String page = pages.get(ThreadLocalRandom.current().nextInt(pages.size()));
          if (pair.usNode.call("POST", "/api/hits/" + page).statusCode() == 200) {
            acked.incrementAndGet();
          }
        }
      }, "hitter");
      h.start();
      hitters.add(h);
    }
    List<Long> copiedGens = new ArrayList<>();
    long sourceGenAtStart;
    try {
      Thread.sleep(10_000); // every page hit a few times, the snapshot is tens of shards
      sourceGenAtStart = SlowWanPair.pointer(pair.us).gen();
      long deadline = System.currentTimeMillis() + 40_000;
      while (System.currentTimeMillis() < deadline && copiedGens.size() < 3) {
        long g = SlowWanPair.pointer(pair.eu).gen();
        if (g > sourceGenAtStart && (copiedGens.isEmpty() || g > copiedGens.get(copiedGens.size() - 1))) {
          copiedGens.add(g);
        }
        Thread.sleep(200);
      }
    } finally {
      running.set(false);
      for (Thread h : hitters) {
        h.join();
      }
    }
    long sourceGen = SlowWanPair.pointer(pair.us).gen();
    assertTrue(copiedGens.size() >= 2, "snapshot copies completed while folds went on: eu-west's copy reached gens " + copiedGens
        + " while us-west folded from " + sourceGenAtStart + " to " + sourceGen + " (" + pair.wan.delayed() + " calls held 150 ms)");
    assertTrue(sourceGen > copiedGens.get(0), "folds were faster than copies: us-west at " + sourceGen + ", copies at " + copiedGens);
    long all = acked.get();
    String sample = pages.get(17);
    Await.until("eu-west shows every hit of us-west", Duration.ofSeconds(90), () -> {
      JsonNode audit = Resources.json(pair.euNode.call("GET", "/api/audit").body());
      JsonNode mine = Resources.json(pair.usNode.call("GET", "/api/audit").body());
      return audit.path("table").path("byDatacenter").path("us-west").asLong() == all
          && mine.path("table").path("byDatacenter").path("us-west").asLong() == all;
    });
    // A snapshot copy under way (the last fold's) takes seconds: eu-west says "stale" until it is done.
    Await.until("eu-west answers fresh, as us-west does", Duration.ofSeconds(60), () -> {
      JsonNode b = Resources.json(pair.euNode.call("GET", "/api/hits/" + sample).body());
      return !b.path("stale").asBoolean();
    });
    JsonNode a = Resources.json(pair.usNode.call("GET", "/api/hits/" + sample).body());
    JsonNode b = Resources.json(pair.euNode.call("GET", "/api/hits/" + sample).body());
    assertEquals(a.path("total").asLong(), b.path("total").asLong());
    assertFalse(b.path("stale").asBoolean(), b.toString());
  }
}
