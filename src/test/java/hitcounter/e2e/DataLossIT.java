package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.testkit.Await;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * eu-west's Consul loses its data (killed, data folder deleted, started again empty) while hits
 * keep coming to both datacenters: what us-west holds of eu-west comes back to eu-west (its
 * counts, its applied records, its settings), eu-west's node counts nothing twice meanwhile,
 * and every node converges on every acknowledged hit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataLossIT extends hitcounter.testkit.OneNodePerDatacenter {
  private static final String TOKEN = hitcounter.testkit.TwoDatacenters.TOKEN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    start("data-loss", "hitcounter.replication.new-store-grace = 20s");
  }

  private long total(TestNode n, String page) {
    return Resources.json(n.call("GET", "/api/hits/" + page).body()).path("total").asLong();
  }

  @Test
  void aDatacenterThatLostItsConsulDataGetsItsCountsAndSettingsBack() throws Exception {
    String page = "loss-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> colour = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + euNode.httpPort + "/api/config/colour"))
        .PUT(HttpRequest.BodyPublishers.ofString("\"#abcdef\"")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, colour.statusCode());
    long acked = 0;
    for (int i = 0; i < 100; i++) {
      acked += usNode.call("POST", "/api/hits/" + page).statusCode() == 200 ? 1 : 0;
      acked += euNode.call("POST", "/api/hits/" + page).statusCode() == 200 ? 1 : 0;
    }
    long before = acked;
    Await.until("both datacenters counted and copied", Duration.ofSeconds(15), () -> total(usNode, page) == before && total(euNode, page) == before);
    Thread.sleep(1000); // every commit of eu-west is copied to us-west by now

    eu.kill();
    eu.wipe();
    ConsulServer again = resources.keep(new ConsulServer("eu-west", dir, eu).start(List.of(us.serfWanPort)));
    again.awaitFederation(List.of("us-west", "eu-west"), Duration.ofSeconds(60));
    // Hits keep coming to both datacenters while eu-west is restored.
    for (int i = 0; i < 100; i++) {
      acked += usNode.call("POST", "/api/hits/" + page).statusCode() == 200 ? 1 : 0;
      acked += euNode.call("POST", "/api/hits/" + page).statusCode() == 200 ? 1 : 0;
    }
    long all = acked;
    try {
      Await.until("every node shows every acknowledged hit", Duration.ofSeconds(60), () -> total(usNode, page) == all && total(euNode, page) == all);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": acknowledged " + all + "; us-west-0 answers " + usNode.call("GET", "/api/hits/" + page).body()
          + "; eu-west-0 answers " + euNode.call("GET", "/api/hits/" + page).body() + "; eu-west-0 audit " + euNode.call("GET", "/api/audit").body(), e);
    }
    Thread.sleep(2000);
    assertEquals(all, total(usNode, page), "nothing counted twice");
    assertEquals(all, total(euNode, page), "nothing counted twice");
    // Its settings came back into its Consul, and its store says where it was restored from.
    JsonNode setting = Resources.json(again.get("/v1/kv/hitcounter/config/eu-west/colour"));
    assertTrue(new String(Base64.getDecoder().decode(setting.get(0).path("Value").asText())).contains("#abcdef"));
    JsonNode marker = Resources.json(new String(Base64.getDecoder().decode(
        Resources.json(again.get("/v1/kv/hitcounter/heads/eu-west/~store")).get(0).path("Value").asText())));
    assertEquals("us-west", marker.path("restoredFrom").asText());
  }
}
