package hitcounter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import hitcounter.fakes.FakeConsul;
import hitcounter.infra.Json;
import org.junit.jupiter.api.Test;

class SettingWriterTest {
  /**
   * Found in review: a site edit was built from the node's copy of the sites, which the watch
   * updates a little later; two edits in a row (or a delete then a create) lost the first one,
   * or reused a deleted site's generation.
   */
  @Test
  void editsInARowBuildOnEachOtherNotOnTheNodesCopy() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    SettingWriter writer = new SettingWriter(consul, new ConfigView.Writes(), "us-west");
    SitesSettings settings = SitesSettings.create(ConfigFactory.load());
    JsonNode empty = Json.mapper().createObjectNode();
    ObjectNode def = Json.mapper().createObjectNode();
    writer.update(Setting.SITES, empty, cur -> Sites.of(cur, settings).with(cur, "a", def)).toCompletableFuture().get();
    writer.update(Setting.SITES, empty, cur -> Sites.of(cur, settings).with(cur, "b", def)).toCompletableFuture().get();
    writer.update(Setting.SITES, empty, cur -> Sites.of(cur, settings).without(cur, "a")).toCompletableFuture().get();
    VersionedValue last = writer.update(Setting.SITES, empty, cur -> Sites.of(cur, settings).with(cur, "a", def)).toCompletableFuture().get().orElseThrow();
    JsonNode doc = last.value();
    assertTrue(doc.has("b"), "the second site is still there: " + doc);
    assertEquals(2, doc.get("a").get("generation").asLong(), "created again after its delete: the next generation");
    assertEquals(4, last.version());
  }
}
