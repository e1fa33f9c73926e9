package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.config.Sites;
import hitcounter.infra.Json;
import hitcounter.page.PageKey;
import hitcounter.store.CountTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A site's rules applied to URL paths: its path pattern, trailing slashes, kept query, case, and paths counted as ids. */
class PathGateTest {
  private static final String SITES = """
      {"blog": {"pattern": "[a-z0-9-]{1,40}", "pathPattern": "/(blog/.*|)", "trailingSlash": "keep", "keepQuery": ["page"], "generation": 3},
       "old": {"pattern": "[a-z0-9-]{1,40}", "pathsAsIds": true, "lowerCase": true, "generation": 1}}
      """;
  private final HitGate gate = new HitGate(() -> HitGateTest.sites(SITES), new RateLimits(1000), new PageCaps(new CountTable()), new SimpleMeterRegistry());

  private String verdict(String site, String path) {
    HitGate.Verdict v = gate.checkPath(site, path, Optional.empty(), Optional.empty(), "10.0.0.1", false);
    return v instanceof HitGate.Pass p ? p.key().key() : ((HitGate.Refuse) v).status() + " " + ((HitGate.Refuse) v).reason();
  }

  @Test
  void theSitesRulesMakeThePage() {
    assertEquals("blog~3:/blog/post/", verdict("blog", "/blog/post/?utm_source=x"));
    assertEquals("blog~3:/blog/list?page=2", verdict("blog", "/blog/list?page=2&sort=new"));
    assertEquals("blog~3:/", verdict("blog", "/"));
    assertEquals("403 page-pattern", verdict("blog", "/shop/x"), "the path pattern, not the id pattern");
    assertEquals("400 bad-path", verdict("blog", "/../x"));
    assertEquals("403 unknown-site", verdict("nope", "/x"));
    // A site counted by ids keeps one page per post: /My-Post is page id my-post.
    assertEquals("old~1:my-post", verdict("old", "/My-Post/"));
    assertEquals("old~1:/2024/11/post", verdict("old", "/2024/11/post"), "a path that is no id stays a path");
    assertEquals("/café", verdict(null, "/caf%C3%A9"));
  }

  @Test
  void pathRulesAreCheckedWhenWritten() {
    for (String bad : new String[] {"{\"trailingSlash\": \"sometimes\"}", "{\"keepQuery\": [\"utm_source\"]}", "{\"keepQuery\": \"page\"}",
        "{\"pathPattern\": \"(\"}", "{\"lowerCase\": \"yes\"}", "{\"pathsAsIds\": 1}"}) {
      try {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.set("s", Json.mapper().readTree(bad));
        assertTrue(Sites.problem(doc).isPresent(), bad);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    assertTrue(PageKey.isValid("old~1:my-post"));
  }
}
