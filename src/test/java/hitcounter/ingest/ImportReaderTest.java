package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.Site;
import hitcounter.page.PathRules;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ImportReaderTest {
  static final Site BLOG = new Site("blog", 3, false, Set.of(), null, 0, Site.Limit.NONE, Site.Limit.NONE, false, PathRules.DEFAULT);
  static final Site DEFAULT = new Site("default", 0, false, Set.of(), null, 0, Site.Limit.NONE, Site.Limit.NONE, false, PathRules.DEFAULT);

  static ImportReader.Read read(Site site, String text) throws Exception {
    return new ImportReader(site.name(), site, 1000).read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] gzip(String text) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  @Test
  void aPlainCsvIsSummedPerPageWithTheSitesRulesAndItsDays() throws Exception {
    var r = read(BLOG, "/a,3,2024-01-02\r\n/a/,4,2024-01-05\n\n\"/b,c\",5\n/caf%C3%A9,1,2023-12-31\n");
    assertEquals(Map.of("blog~3:/a", 7L, "blog~3:/b,c", 5L, "blog~3:/café", 1L), r.counts());
    assertEquals(13, r.hits());
    assertEquals(4, r.rows());
    assertEquals("2023-12-31", r.firstDay());
    assertEquals("2024-01-05", r.lastDay());
    assertEquals("csv", r.format());
  }

  @Test
  void aHeaderNamesTheColumnsSoThisNodesOwnExportReadsBack() throws Exception {
    var r = read(DEFAULT, "\uFEFFpath,total,imported,eu-west,us-west\n/x,10,2,3,5\nmy-post,4,0,4,0\n");
    assertEquals(Map.of("/x", 10L, "my-post", 4L), r.counts());
    var days = read(DEFAULT, "Path,Day,Count\n/x,2024-02-01,2\n");
    assertEquals(Map.of("/x", 2L), days.counts());
    assertEquals("2024-02-01", days.firstDay());
  }

  static final String GOAT_HEAD = "2Path,Title,Event,UserAgent,Browser,System,Session,Bot,Referrer,Referrer scheme,Screen size,Location,FirstVisit,Date\n";

  static String goatRow(String path, boolean event, int bot, String date) {
    return path + ",\"A title, with a comma\"," + event + ",,Firefox 120,Linux,abc," + bot + ",https://news.example/,h,\"1920,1080,1\",NL,true," + date + "\n";
  }

  @Test
  void goatCounterRowsAreHitsLessEventsAndBots() throws Exception {
    String csv = GOAT_HEAD + goatRow("/a", false, 0, "2024-03-01T10:00:00Z") + goatRow("/a", false, 0, "2024-03-02T10:00:00Z")
        + goatRow("signup-click", true, 0, "2024-03-02T10:00:00Z") + goatRow("/a", false, 7, "2024-03-02T11:00:00Z")
        + goatRow("/b/", false, 0, "2024-03-04T00:00:00Z");
    var r = read(BLOG, csv);
    assertEquals(Map.of("blog~3:/a", 2L, "blog~3:/b", 1L), r.counts());
    assertEquals(1, r.events());
    assertEquals(1, r.bots());
    assertEquals("goatcounter-2", r.format());
    assertEquals("2024-03-01", r.firstDay());
    assertEquals("2024-03-04", r.lastDay());
    // The header as GoatCounter's docs write it, the version a field of its own
    var split = read(BLOG, "2," + GOAT_HEAD.substring(1) + goatRow("/a", false, 0, "2024-03-01T10:00:00Z"));
    assertEquals(Map.of("blog~3:/a", 1L), split.counts());
    var v3 = assertThrows(ImportReader.Refused.class, () -> read(BLOG, "3" + GOAT_HEAD.substring(1) + goatRow("/a", false, 0, "2024-03-01T10:00:00Z")));
    assertTrue(v3.getMessage().contains("version 3 is not supported"), v3.getMessage());
  }

  @Test
  void theIdIsTheFileGzippedOrNotAndDiffersPerSiteGeneration() throws Exception {
    String csv = "/a,3\n/b,4\n";
    var plain = read(BLOG, csv);
    var gz = new ImportReader("blog", BLOG, 1000).read(new ByteArrayInputStream(gzip(csv)));
    assertEquals(plain.id(), gz.id());
    assertEquals(plain.counts(), gz.counts());
    Site next = new Site("blog", 4, false, Set.of(), null, 0, Site.Limit.NONE, Site.Limit.NONE, false, PathRules.DEFAULT);
    assertNotEquals(plain.id(), read(next, csv).id());
    assertNotEquals(plain.id(), read(BLOG, csv + "/c,1\n").id());
    assertEquals(32, plain.id().length());
  }

  @Test
  void aBadRowRefusesTheWholeFileNamingItsLine() throws Exception {
    for (var c : List.of(
        List.of("/a,1\n/b,x\n", "line 2: the count is not a whole number"),
        List.of("/a,1\n/b,-1\n", "line 2: the count is not between"),
        List.of("/a,1\n/b\n", "line 2: a row is path,count"),
        List.of("/a,1\n\n/b,2,yesterday\n", "line 3: not a day"),
        List.of("/a,1\nnot a page!,2\n", "line 2: neither a path"),
        List.of("/a,1\n\"/b,2\n", "line 2: a quoted field is not closed"),
        List.of("/a,1\n/b\u0001c,2\n", "line 2: bad path"),
        List.of("", "the file is empty"),
        List.of("path,views\n/a,1\n", "line 1: the header names no count column"))) {
      var e = assertThrows(ImportReader.Refused.class, () -> read(DEFAULT, c.get(0)), c.get(0));
      assertTrue(e.getMessage().startsWith(c.get(1)), e.getMessage() + " for " + c.get(0));
    }
    byte[] latin1 = "/caf\u00e9,1\n".getBytes(StandardCharsets.ISO_8859_1);
    var e = assertThrows(ImportReader.Refused.class, () -> new ImportReader("default", DEFAULT, 10).read(new ByteArrayInputStream(latin1)));
    assertEquals("the file is not UTF-8 text", e.getMessage());
  }

  @Test
  void aFileOfMorePagesThanTheBoundIsRefused() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      b.append("/p").append(i).append(",1\n");
    }
    var e = assertThrows(ImportReader.Refused.class, () -> new ImportReader("default", DEFAULT, 10)
        .read(new ByteArrayInputStream(b.toString().getBytes(StandardCharsets.UTF_8))));
    assertTrue(e.getMessage().startsWith("line 11: more than 10 pages"), e.getMessage());
  }

  @Test
  void edgesFoundInReview() throws Exception {
    // a byte order mark before a quoted first field
    assertEquals(Map.of("/a,b", 2L), read(DEFAULT, "\uFEFF\"/a,b\",2\n").counts());
    // a GoatCounter row whose fields do not line up with its header is refused, not read shifted
    var shifted = assertThrows(ImportReader.Refused.class, () -> read(BLOG, "2," + GOAT_HEAD.substring(1) + "2," + goatRow("/a", false, 0, "2024-03-01T10:00:00Z")));
    assertTrue(shifted.getMessage().startsWith("line 2: a GoatCounter row has 15 fields, its header 14"), shifted.getMessage());
    // a file that counts nothing writes nothing
    var none = assertThrows(ImportReader.Refused.class, () -> read(BLOG, GOAT_HEAD + goatRow("x", true, 0, "2024-03-01T10:00:00Z")));
    assertEquals("the file counts no hit (1 event rows, 0 bot rows skipped)", none.getMessage());
    // a gzip that inflates beyond its bound
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      many.append("/p,1\n");
    }
    var bomb = assertThrows(ImportReader.TooLarge.class, () -> new ImportReader("default", DEFAULT, 10, 10_000)
        .read(new ByteArrayInputStream(gzip(many.toString()))));
    assertTrue(bomb.getMessage().startsWith("the file inflates beyond"), bomb.getMessage());
    // under pathsAsIds the page id the path names is what the site's pattern checks, as for a hit
    Site ids = new Site("ids", 1, false, Set.of(), java.util.regex.Pattern.compile("[a-z-]+"), 0, Site.Limit.NONE, Site.Limit.NONE, false,
        new PathRules(false, List.of(), false, java.util.regex.Pattern.compile("/never"), true));
    assertEquals(Map.of("ids~1:my-post", 3L), read(ids, "/my-post,3\n").counts());
  }
}
