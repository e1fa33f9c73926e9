package hitcounter.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.ResetRecord;
import hitcounter.store.CountsCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** URL paths as pages wherever a page goes: counted ids, jobs (format 4), counts values, reset keys. */
class PathPagesTest {
  private static final String LONG = "/" + "é".repeat(512);

  @Test
  void aPathIsAPageOfTheDefaultSiteOrOfASite() {
    assertEquals(PageKey.ofDefault("/a:b/c d"), PageKey.parse("/a:b/c d").orElseThrow());
    assertEquals(new PageKey("blog", 2, "/café/menu"), PageKey.parse("blog~2:/café/menu").orElseThrow());
    assertEquals("blog~2:/x", new PageKey("blog", 2, "/x").key());
    assertTrue(PageKey.isValid(LONG));
    assertTrue(PageKey.isValid("blog~1:" + LONG));
    assertFalse(PageKey.isValid(LONG + "a"));
    assertFalse(PageKey.isValid("/a\nb"));
    assertFalse(PageKey.isValid("my-post/x"), "a page id holds no slash");
    assertTrue(PageKey.isValid("my-post"));
    assertFalse(PageKey.isSited("/a:b"), "a default-site path with a colon is no site's page");
    assertTrue(PageKey.isSited("blog~1:/a"));
  }

  @Test
  void format4CarriesPathsWithSpacesAndReferralsAndStaysAscii() {
    JobCodec.Hit a = new JobCodec.Hit("blog~1:/a b/café", 29_000_000, 12345, false).with(new Referral("news.ycombinator.com", "hn", "social", "launch day"));
    JobCodec.Hit b = new JobCodec.Hit("/100%", 29_000_001, 0, true);
    JobCodec.Hit c = JobCodec.Hit.plain("/plain path");
    JobCodec.Hit d = new JobCodec.Hit("my-post", 29_000_002, 7, false);
    byte[] body = JobCodec.encode(4, 99, List.of(a.line(), b.line(), c.line(), d.line()));
    String text = new String(body, StandardCharsets.ISO_8859_1);
    assertTrue(text.chars().allMatch(ch -> ch < 0x80), text);
    var decoded = JobCodec.decode(body).orElseThrow();
    assertEquals(4, decoded.format());
    assertEquals(List.of(a, b, c, d), decoded.hits());
    assertEquals("my-post " + Long.toString(29_000_002, 36) + " 7", d.line(), "a page id's line is its format-3 line");
  }

  @Test
  void format3DropsTheReferralAndNeverCarriesAPath() {
    JobCodec.Hit a = new JobCodec.Hit("my-post", 29_000_000, 5, false).with(new Referral("x.com", null, null, null));
    var decoded = JobCodec.decode(JobCodec.encode(3, 1, List.of(a.line()))).orElseThrow();
    assertEquals(List.of(new JobCodec.Hit("my-post", 29_000_000, 5, false)), decoded.hits());
    assertFalse(JobCodec.carries(3, "/a"));
    assertFalse(JobCodec.carries(3, "blog~1:/a"));
    assertTrue(JobCodec.carries(3, "blog~1:a"));
    assertTrue(JobCodec.carries(4, "/a"));
    assertTrue(JobCodec.decode("#3 ab\n/a".getBytes(StandardCharsets.US_ASCII)).isEmpty(), "a path in format 3 is not a job this version wrote");
  }

  @Test
  void aBadFormat4LineIsPoison() {
    assertTrue(JobCodec.decode("#4 ab\n/a%ZZ".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    assertTrue(JobCodec.decode("#4 ab\n/a%FF".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    assertTrue(JobCodec.decode("#4 ab\n/a 1 2 q=x".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    assertTrue(JobCodec.decode("#4 ab\n/a 1 2 r=x r=y".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    assertTrue(JobCodec.decode("#4 ab\nrelative".getBytes(StandardCharsets.US_ASCII)).isPresent());
    assertTrue(JobCodec.decode("#4 ab\nrel/ative".getBytes(StandardCharsets.US_ASCII)).isEmpty());
  }

  @Test
  void countsValuesHoldPathsOfAKibibyteAndAnyText() {
    Map<String, Long> counts = new TreeMap<>(Map.of("blog~1:" + LONG, 3L, "/café", 2L, "/a b", 1L, "my-post", 4L, "/東京/\uD83D\uDE00", 5L));
    assertEquals(counts, CountsCodec.decode(CountsCodec.ENTRY, CountsCodec.encode(CountsCodec.ENTRY, counts)));
  }

  @Test
  void aResetKeyEscapesItsPath() {
    assertEquals("hitcounter/resets/us-west/blog~1:my-post", ResetRecord.key("us-west", "blog~1:my-post"));
    String k = ResetRecord.key("us-west", "blog~1:/café/a b!");
    assertEquals("hitcounter/resets/us-west/blog~1:!2Fcaf!C3!A9!2Fa!20b!21", k);
    assertEquals("blog~1:/café/a b!", ResetRecord.countedIdOf(k));
    assertEquals("/100%", ResetRecord.countedIdOf(ResetRecord.key("eu-west", "/100%")));
    assertNull(ResetRecord.unsegment("!ZZ"));
  }
}
