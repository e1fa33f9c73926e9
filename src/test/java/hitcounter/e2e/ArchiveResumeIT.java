package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.store.StoreKeys;
import hitcounter.testkit.Await;
import hitcounter.testkit.Resources;
import hitcounter.testkit.SlowWanPair;
import hitcounter.testkit.TestNode;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A queue archived and then resumed before the next copy (issue 22, defect 5), on real Consul:
 * us-west's queue rests 2 s and is folded into the archive (its head removed), then counts again
 * from a new head, while every call of us-west to eu-west is held (a slow WAN) so that no copy
 * round sees the archive alone. Afterwards both datacenters show every hit once, fresh, and no
 * rollback is reported. Before, eu-west's copy kept the old head and asked for entries that were
 * collected: us-west's pages froze there, still "fresh"; a recovery would have counted the
 * archived hits twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveResumeIT {
  private SlowWanPair pair;

  @BeforeAll
  void start() throws Exception {
    String archive = "hitcounter.store.archive-after = 2s\nhitcounter.store.fold-check-interval = 200ms\nhitcounter.store.garbage-grace = 500ms\n";
    pair = new SlowWanPair("archive", 0, archive);
  }

  @AfterAll
  void stop() throws Exception {
    pair.close();
  }

  private static JsonNode answer(TestNode n, String page) {
    return Resources.json(n.call("GET", "/api/hits/" + page).body());
  }

  private long hit(String page, int n) {
    long acked = 0;
    for (int i = 0; i < n; i++) {
      acked += pair.usNode.call("POST", "/api/hits/" + page).statusCode() == 200 ? 1 : 0;
    }
    return acked;
  }

  private boolean headThere() {
    return !pair.us.get("/v1/kv/" + StoreKeys.head("us-west", "us-west-0")).isBlank();
  }

  @Test
  void aQueueArchivedAndResumedBeforeTheNextCopyIsCountedOnceEverywhere() throws Exception {
    String page = "archive-" + UUID.randomUUID().toString().substring(0, 8);
    long before = hit(page, 30);
    Await.until("eu-west shows the first hits", Duration.ofSeconds(30), () -> answer(pair.euNode, page).path("total").asLong() == before);

    // Whatever eu-west answers as fresh from now on is never more than was acknowledged.
    java.util.concurrent.atomic.AtomicLong mostFresh = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (watching.get()) {
        JsonNode b = answer(pair.euNode, page);
        if (!b.path("stale").asBoolean()) {
          mostFresh.accumulateAndGet(b.path("total").asLong(), Math::max);
        }
      }
    }, "watcher");
    watcher.start();
    pair.wan.delay(8_000); // the next copy round to eu-west waits: it sees neither the archive nor the resume alone
    Await.until("us-west's queue archived at rest (its head removed)", Duration.ofSeconds(30), () -> !headThere());
    long after = hit(page, 20);
    Await.until("the queue counting again from a new head", Duration.ofSeconds(30), this::headThere);
    pair.wan.delay(0);

    long all = before + after;
    Await.until("both datacenters show every hit once, fresh", Duration.ofSeconds(60), () -> {
      JsonNode a = answer(pair.usNode, page);
      JsonNode b = answer(pair.euNode, page);
      return a.path("total").asLong() == all && b.path("total").asLong() == all && !a.path("stale").asBoolean() && !b.path("stale").asBoolean();
    });
    Thread.sleep(2000);
    watching.set(false);
    watcher.join();
    assertEquals(all, answer(pair.euNode, page).path("total").asLong(), "nothing counted twice");
    assertEquals(all, mostFresh.get(), "eu-west never answered more than was acknowledged as fresh");
    JsonNode lost = Resources.json(pair.euNode.call("GET", "/api/audit").body()).path("lost");
    assertEquals(0, lost.path("byDatacenter").path("us-west").asLong(), lost.toString());
    assertEquals(0, lost.path("recoveredByDatacenter").path("us-west").asLong(), "an archive is no rollback: " + lost);
    assertFalse(answer(pair.euNode, page).path("stale").asBoolean());
    assertTrue(pair.wan.delayed() > 0);
  }
}
