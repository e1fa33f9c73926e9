package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Reset records are compacted (issue 23, decision 0019), on two real datacenters: resets and a
 * delete asked in both datacenters leave record keys; once at rest and held by both, the keepers
 * fold them into their reset shards and the copies go too, so both Consuls hold shards only;
 * the resets still hold (hits after them count from zero, the deleted page stays deleted),
 * after a node restart too; a page reset again after its fold resets again; and shards a
 * restore took from us-west come back from eu-west's copy. Then a site deleted in one
 * datacenter: once both saw the delete, no shard of either holds its pages' resets any more,
 * and its import is gone from both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResetCompactionIT extends hitcounter.testkit.OneNodePerDatacenter {
  private static final String TOKEN = hitcounter.testkit.TwoDatacenters.TOKEN;
  private static final String CONFIG = "hitcounter.admin-token = \"" + TOKEN + "\"\n"
      + "hitcounter.resets.fold-after = 2s\nhitcounter.resets.fold-interval = 300ms\n"
      // Folds soon after any hit (a few hits may be one entry: max-entries alone did not always fold them in 30 s).
      + "hitcounter.store.max-entries = 10\nhitcounter.store.min-fold-bytes = 0\nhitcounter.store.fold-ratio = 0.1\n"
      // Keys a restore brings back that nothing names any more (old journal entries of a copy) go at the next sweep (10 min in production).
      + "hitcounter.store.sweep-interval = 5s\nhitcounter.replication.sweep-interval = 5s\n";

  @BeforeAll
  void start() throws Exception {
    start("reset-compaction", CONFIG);
  }

  private static HttpResponse<String> admin(TestNode node, String method, String path) {
    return hitcounter.testkit.TwoDatacenters.send(node, method, path, null, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
  }

  private static long total(TestNode n, String page) {
    return Resources.json(n.call("GET", "/api/hits/" + page).body()).path("total").asLong();
  }

  /** The reset keys in {@code consul}: the records (not shards) and the shards. */
  private static List<String> keys(ConsulServer consul, boolean shards) {
    JsonNode all = Resources.json(consul.get("/v1/kv/hitcounter/resets/?keys"));
    List<String> out = new ArrayList<>();
    all.forEach(k -> {
      String key = k.asText();
      if (!key.endsWith("~watch") && key.contains("/~s/") == shards) {
        out.add(key);
      }
    });
    return out;
  }

  /** How many shards {@code pages} (written by one datacenter) fold into. */
  private static int shards(List<String> pages) {
    return (int) pages.stream().mapToInt(hitcounter.config.ResetShards::shardOf).distinct().count();
  }

  private void hits(TestNode node, String page, int n) {
    for (int i = 0; i < n; i++) {
      assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode());
    }
  }

  private void awaitTotals(String why, long expected, String... pages) {
    for (TestNode n : List.of(usNode, euNode)) {
      for (String page : pages) {
        Await.until(n.name + ": " + page + " " + why, Duration.ofSeconds(20), () -> total(n, page) == expected);
      }
    }
  }

  @Test
  @Order(1)
  void recordsFoldIntoShardsInBothDatacentersAndTheResetsStillHold() throws Exception {
    List<String> pages = List.of("rc-a", "rc-b", "rc-c", "rc-d", "rc-e");
    for (String p : pages) {
      hits(usNode, p, 4);
      hits(euNode, p, 4);
    }
    awaitTotals("counted in both", 8, pages.toArray(String[]::new));
    for (String p : List.of("rc-a", "rc-b", "rc-c")) {
      assertEquals(200, admin(usNode, "POST", "/api/pages/default/" + p + "/reset").statusCode());
    }
    assertEquals(200, admin(euNode, "POST", "/api/pages/default/rc-d/reset").statusCode());
    assertEquals(200, admin(euNode, "DELETE", "/api/pages/default/rc-e").statusCode());
    awaitTotals("reset", 0, pages.toArray(String[]::new));
    assertTrue(!keys(us, false).isEmpty(), "records written: " + keys(us, false));
    int shards = shards(List.of("rc-a", "rc-b", "rc-c")) + shards(List.of("rc-d", "rc-e"));

    // At rest and held by both: folded, and the copies go.
    for (ConsulServer c : List.of(us, eu)) {
      Await.until(c.datacenter() + " holds reset shards only", Duration.ofSeconds(30), () -> keys(c, false).isEmpty() && keys(c, true).size() == shards);
    }
    hits(euNode, "rc-a", 3);
    hits(usNode, "rc-d", 2);
    awaitTotals("counted from its reset", 3, "rc-a");
    awaitTotals("counted from its reset", 2, "rc-d");
    awaitTotals("still deleted", 0, "rc-e", "rc-b", "rc-c");
    for (TestNode n : List.of(usNode, euNode)) {
      JsonNode listed = Resources.json(n.call("GET", "/api/pages?prefix=rc-e").body());
      assertEquals(0, listed.path("pages").size(), n.name + " lists no deleted page");
    }

    // A node started afresh reads the resets from the shards.
    euNode.close();
    euNode = resources.keep(new TestNode("eu-west", "eu-west-0", eu.url(), euQueue, CONFIG));
    awaitTotals("after a restart", 3, "rc-a");
    awaitTotals("after a restart", 0, "rc-b", "rc-e");

    // Reset again after its fold: a new record, shown at once, folded again.
    assertEquals(200, admin(usNode, "POST", "/api/pages/default/rc-a/reset").statusCode());
    awaitTotals("reset again", 0, "rc-a");
    for (ConsulServer c : List.of(us, eu)) {
      Await.until(c.datacenter() + " folded the second reset", Duration.ofSeconds(30), () -> keys(c, false).isEmpty());
    }
    hits(usNode, "rc-a", 1);
    awaitTotals("counted from its second reset", 1, "rc-a");

    // A restore takes us-west's shards: they come back from eu-west's copy, and the resets hold.
    for (String k : keys(us, true)) {
      if (k.startsWith("hitcounter/resets/us-west/")) {
        us.send(us.request("/v1/kv/" + k).DELETE().build());
      }
    }
    Await.until("us-west's shards merged back from eu-west", Duration.ofSeconds(20), () -> keys(us, true).size() == shards);
    hits(euNode, "rc-b", 2);
    awaitTotals("still reset after the shards came back", 2, "rc-b");
    awaitTotals("still deleted", 0, "rc-e");
  }

  /** Import keys (manifests and chunks) in {@code consul}, the watch marker left out. */
  private static int importKeys(ConsulServer consul) {
    int[] n = {0};
    Resources.json(consul.get("/v1/kv/hitcounter/imports/?keys")).forEach(k -> n[0] += k.asText().endsWith("~watch") ? 0 : 1);
    return n[0];
  }

  /** Every reset key's value in {@code consul}, as text. */
  private static String values(ConsulServer consul) {
    StringBuilder out = new StringBuilder();
    Resources.json(consul.get("/v1/kv/hitcounter/resets/?recurse")).forEach(e -> {
      if (!e.path("Value").isNull()) {
        out.append(new String(java.util.Base64.getDecoder().decode(e.path("Value").asText()), java.nio.charset.StandardCharsets.UTF_8)).append('\n');
      }
    });
    return out.toString();
  }

  /** The keys of the count store in {@code consul} whose values hold a page or stats of {@code sitePrefix} (for a failure's message). */
  private static List<String> holding(ConsulServer consul, String sitePrefix) {
    List<String> out = new ArrayList<>();
    Resources.json(consul.get("/v1/kv/hitcounter/store/?recurse")).forEach(e -> {
      String key = e.path("Key").asText();
      if (e.path("Value").isNull() || !(key.contains("/s/") || key.contains("/j/"))) {
        return;
      }
      try {
        var d = hitcounter.store.CountsCodec.decodeAll(key.contains("/s/") ? hitcounter.store.CountsCodec.SHARD : hitcounter.store.CountsCodec.ENTRY,
            java.util.Base64.getDecoder().decode(e.path("Value").asText()));
        if (java.util.stream.Stream.concat(d.counts().keySet().stream(), d.stats().keySet().stream()).anyMatch(k -> k.contains(sitePrefix))) {
          out.add(key);
        }
      } catch (hitcounter.store.CountsCodec.BadValue x) {
        // not a value of the store's own kinds
      }
    });
    return out;
  }

  /** The pages and stats keys in the count store of {@code consul} (every datacenter's: its own and the copies), in shards ({@code shards}) or journal entries. */
  private static java.util.Set<String> stored(ConsulServer consul, boolean shards) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    Resources.json(consul.get("/v1/kv/hitcounter/store/?recurse")).forEach(e -> {
      String key = e.path("Key").asText();
      boolean shard = key.contains("/s/");
      if (e.path("Value").isNull() || shard != shards || !(shard || key.contains("/j/"))) {
        return;
      }
      try {
        var d = hitcounter.store.CountsCodec.decodeAll(shard ? hitcounter.store.CountsCodec.SHARD : hitcounter.store.CountsCodec.ENTRY,
            java.util.Base64.getDecoder().decode(e.path("Value").asText()));
        out.addAll(d.counts().keySet());
        out.addAll(d.stats().keySet());
      } catch (hitcounter.store.CountsCodec.BadValue x) {
        // not a value of the store's own kinds (a marker)
      }
    });
    return out;
  }

  /** Whether the count store in {@code c} (shards or journal, own or copies) holds a page or stats of {@code sitePrefix}. */
  private static boolean holds(ConsulServer c, String sitePrefix) {
    return java.util.stream.Stream.concat(stored(c, true).stream(), stored(c, false).stream()).anyMatch(k -> k.contains(sitePrefix));
  }

  @Test
  @Order(2)
  void aDeletedSitesResetsLeaveEveryShardOnceBothDatacentersSawTheDelete() throws Exception {
    assertEquals(200, hitcounter.testkit.TwoDatacenters.send(usNode, "PUT", "/api/sites/gone", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json").statusCode());
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + " counts for site gone", Duration.ofSeconds(10), () -> n.call("POST", "/api/hits/gone/home").statusCode() == 200);
    }
    Await.until("eu-west resets a page of site gone", Duration.ofSeconds(10), () -> admin(euNode, "POST", "/api/pages/gone/home/reset").statusCode() == 200);
    HttpResponse<String> imported = hitcounter.testkit.TwoDatacenters.send(usNode, "POST", "/api/import?site=gone",
        "path,count\n/a,100\n/b,50\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "Authorization", "Bearer " + TOKEN);
    assertEquals(200, imported.statusCode(), imported.body());
    for (ConsulServer c : List.of(us, eu)) {
      Await.until(c.datacenter() + " holds the import", Duration.ofSeconds(30), () -> importKeys(c) >= 2);
    }
    for (ConsulServer c : List.of(us, eu)) {
      Await.until(c.datacenter() + " holds the reset of gone~1:home in a shard", Duration.ofSeconds(30),
          () -> keys(c, false).isEmpty() && values(c).contains("\"gone~1:home\""));
    }
    // Enough hits that both datacenters fold them: the site's pages and stats are in snapshot shards.
    hits(usNode, "gone/home", 12);
    hits(euNode, "gone/home", 12);
    hits(usNode, "rc-kept", 12);
    for (ConsulServer c : List.of(us, eu)) {
      Await.until(c.datacenter() + " holds site gone's pages in snapshot shards", Duration.ofSeconds(60),
          () -> stored(c, true).containsAll(List.of("gone~1:home", hitcounter.store.PageStats.siteKey("gone~1:"))));
    }
    assertEquals(200, admin(usNode, "DELETE", "/api/sites/gone").statusCode());
    for (ConsulServer c : List.of(us, eu)) {
      Await.until(c.datacenter() + " holds nothing of site gone's generation 1", Duration.ofSeconds(30), () -> !values(c).contains("gone~1:"));
      Await.until(c.datacenter() + " holds no import of site gone", Duration.ofSeconds(30),
          () -> importKeys(c) == 0);
      Await.until(c.datacenter() + " holds no page or stats of site gone's generation 1 in any count store", Duration.ofSeconds(30), () -> !holds(c, "gone~1:"));
      assertTrue(stored(c, true).contains("rc-kept") || stored(c, false).contains("rc-kept"), "the other pages stay in the store");
    }
    awaitTotals("kept", 12, "rc-kept");
    // The other resets are still there, and still hold.
    assertTrue(values(us).contains("\"rc-e\""));
    awaitTotals("still deleted", 0, "rc-e");
  }

  /**
   * An operator restores us-west's Consul from a snapshot taken before a site was deleted (in
   * eu-west) and its generation collected: the restored store holds the site's pages again and
   * the restored sites setting shows it live. The delete comes back from eu-west, the site stays
   * deleted, its pages leave both stores again, and every other count holds on both nodes.
   */
  @Test
  @Order(3)
  void aRestoreFromBeforeASitesDeleteBringsItsPagesBackOnlyUntilTheyAreCollectedAgain() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    assertEquals(200, hitcounter.testkit.TwoDatacenters.send(usNode, "PUT", "/api/sites/again", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json").statusCode());
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + " counts for site again", Duration.ofSeconds(10), () -> n.call("POST", "/api/hits/again/home").statusCode() == 200);
      hits(n, "again/home", 12);
    }
    for (ConsulServer c : List.of(us, eu)) {
      Await.until(c.datacenter() + " holds site again's pages in snapshot shards", Duration.ofSeconds(60), () -> stored(c, true).contains("again~1:home"));
    }
    awaitTotals("before the snapshot", 26, "again/home");
    byte[] snapshot = http.send(us.request("/v1/snapshot").timeout(Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();

    assertEquals(200, admin(euNode, "DELETE", "/api/sites/again").statusCode());
    for (ConsulServer c : List.of(us, eu)) {
      Await.until(c.datacenter() + " holds nothing of site again's generation 1", Duration.ofSeconds(60), () -> !holds(c, "again~1:"));
    }
    HttpResponse<String> restored = http.send(us.request("/v1/snapshot").timeout(Duration.ofSeconds(60))
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(snapshot)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, restored.statusCode(), restored.body());
    assertTrue(holds(us, "again~1:"), "the restore brought site again's pages back into us-west's store");

    for (ConsulServer c : List.of(us, eu)) {
      try {
        Await.until(c.datacenter() + " holds nothing of site again's generation 1 after the restore", Duration.ofSeconds(180), () -> !holds(c, "again~1:"));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ": " + holding(c, "again~1:") + "; head " + c.get("/v1/kv/hitcounter/heads/us-west/us-west-0?raw") + "; pointer " + c.get("/v1/kv/hitcounter/heads/us-west/~snapshot?raw")
            + "; manifests " + c.get("/v1/kv/hitcounter/store/us-west/m/?keys")
            + "; sites " + usNode.call("GET", "/api/sites").body(), e);
      }
    }
    for (TestNode n : List.of(usNode, euNode)) {
      Await.until(n.name + ": site again stays deleted", Duration.ofSeconds(30), () -> n.call("POST", "/api/hits/again/home").statusCode() != 200);
    }
    awaitTotals("kept through the restore", 12, "rc-kept");
  }
}
