package hitcounter.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PathNormaliserTest {
  private static final PathRules KEEP_SLASH = new PathRules(true, List.of(), false, null, false);
  private static final PathRules KEEP_PAGE = new PathRules(false, List.of("page", "q"), false, null, false);
  private static final PathRules LOWER = new PathRules(false, List.of(), true, null, false);
  private static final PathRules D = PathRules.DEFAULT;
  private static final String REFUSED = null;

  /** input, rules, the page (null: refused). */
  private record Row(String in, PathRules rules, String out) {}

  private static final String KIB = "a".repeat(1024);

  private static final Row[] TABLE = {
      // plain paths
      new Row("/", D, "/"),
      new Row("/blog/post", D, "/blog/post"),
      new Row("/2024/11/my-post/", D, "/2024/11/my-post"),
      new Row("/2024/11/my-post/", KEEP_SLASH, "/2024/11/my-post/"),
      new Row("/", KEEP_SLASH, "/"),
      new Row("/about.html", D, "/about.html"),
      // percent-decoding, UTF-8, NFC, mixed encodings
      new Row("/caf%C3%A9/menu", D, "/café/menu"),
      new Row("/café/menu", D, "/café/menu"),
      new Row("/cafe%CC%81", D, "/café"), // e + combining acute, NFC: one code point
      new Row("/cafe\u0301", D, "/café"),
      new Row("/caf%c3%a9", D, "/café"), // lower-case hex
      new Row("/caf%C3%A9/m%C3%BCnchen/東京", D, "/café/münchen/東京"),
      new Row("/%E6%9D%B1%E4%BA%AC", D, "/東京"),
      new Row("/emoji/%F0%9F%98%80", D, "/emoji/\uD83D\uDE00"),
      new Row("/a%20b", D, "/a b"),
      new Row("/a+b", D, "/a+b"), // + is a plus in a path
      new Row("/100%", D, "/100%25"), // a % without two hex digits stays, written as its escape
      new Row("/100%25", D, "/100%25"),
      new Row("/%zz", D, "/%25zz"),
      new Row("/a%3Fb", KEEP_PAGE, "/a%3Fb"), // a decoded ? is no query: the page reads back as itself
      new Row("/a%23b", D, "/a%23b"),
      new Row("/x%2541", D, "/x%2541"),
      new Row("/a%2Fb", D, "/a/b"), // an encoded slash is a slash
      // invalid UTF-8, control characters
      new Row("/caf%C3", D, REFUSED),
      new Row("/%FF%FE", D, REFUSED),
      new Row("/%C0%AF", D, REFUSED), // overlong
      new Row("/a%00b", D, REFUSED),
      new Row("/a%0Ab", D, REFUSED),
      new Row("/a\tb", D, REFUSED),
      new Row("/a%7Fb", D, REFUSED),
      new Row("/a%C2%85b", D, REFUSED), // C1 control (NEL)
      new Row("/a\uFFFDb", D, REFUSED),
      new Row("/a%41\uD800", D, REFUSED), // a lone surrogate, with or without a % elsewhere
      new Row("/a\uD800", D, REFUSED),
      // fragment, repeated slashes, dot segments
      new Row("/post#comments", D, "/post"),
      new Row("/post/#top", KEEP_SLASH, "/post/"),
      new Row("//blog///post//", D, "/blog/post"),
      new Row("/a/./b/.", D, "/a/b"),
      new Row("/a/b/../c", D, "/a/c"),
      new Row("/a/%2E%2E/c", D, "/c"),
      new Row("/a/..", D, "/"),
      new Row("/..", D, REFUSED),
      new Row("/a/../../etc/passwd", D, REFUSED),
      new Row("/%2e%2e/x", D, REFUSED),
      new Row("/a/../", KEEP_SLASH, "/"),
      new Row("/a/b/..", KEEP_SLASH, "/a/"),
      // not absolute, whole URLs
      new Row("blog/post", D, REFUSED),
      new Row("", D, REFUSED),
      new Row("javascript:alert(1)", D, REFUSED),
      new Row("https://blog.example.com/2024/post/?utm_source=x", D, "/2024/post"),
      new Row("HTTP://blog.example.com", D, "/"),
      new Row("http://blog.example.com?x=1", D, "/"),
      new Row("https:///nohost", D, REFUSED),
      // queries: dropped, kept, sorted; tracking parameters never kept
      new Row("/search?q=shoes", D, "/search"),
      new Row("/search?q=shoes", KEEP_PAGE, "/search?q=shoes"),
      new Row("/list?page=2&sort=new", KEEP_PAGE, "/list?page=2"),
      new Row("/list?q=b&page=2&q=a", KEEP_PAGE, "/list?page=2&q=a&q=b"),
      new Row("/list?q=caf%C3%A9+cr%C3%A8me", KEEP_PAGE, "/list?q=café crème"),
      new Row("/list?q=a%26b", KEEP_PAGE, "/list?q=a%26b"),
      new Row("/p?utm_source=news&utm_medium=mail&fbclid=x&gclid=y&mc_cid=z&ref=hn&_hsenc=q", KEEP_PAGE, "/p"),
      new Row("/p?page", KEEP_PAGE, "/p?page"),
      new Row("/p?q=%FF", KEEP_PAGE, REFUSED),
      // case
      new Row("/Blog/Post", D, "/Blog/Post"),
      new Row("/Blog/Post", LOWER, "/blog/post"),
      new Row("/CAFÉ", LOWER, "/café"),
      // length: / and 1,024 bytes of UTF-8
      new Row("/" + KIB, D, "/" + KIB),
      new Row("/" + KIB + "a", D, REFUSED),
      new Row("/" + "é".repeat(512), D, "/" + "é".repeat(512)),
      new Row("/" + "é".repeat(512) + "a", D, REFUSED),
      new Row("/" + "%C3%A9".repeat(512), D, "/" + "é".repeat(512)),
      new Row("/" + KIB + "/", D, "/" + KIB), // the trailing slash goes before the length counts
      new Row("/" + KIB + "?page=2", KEEP_PAGE, REFUSED),
  };

  @Test
  void theTable() {
    List<String> wrong = new ArrayList<>();
    for (Row r : TABLE) {
      PathNormaliser.Outcome o = PathNormaliser.normalise(r.in, r.rules);
      String got = o instanceof PathNormaliser.Page p ? p.path() : null;
      if (!java.util.Objects.equals(got, r.out)) {
        wrong.add(clip(r.in) + " → " + clip(got) + " (expected " + clip(r.out) + ")" + (o instanceof PathNormaliser.Refused f ? ": " + f.reason() : ""));
      }
      if (got != null) {
        assertTrue(PageKey.isPath(got), "a normalised path is a page: " + clip(got));
        PathNormaliser.Outcome again = PathNormaliser.normalise(got, r.rules);
        if (!(again instanceof PathNormaliser.Page p2) || !p2.path().equals(got)) {
          wrong.add("not idempotent: " + clip(got));
        }
      }
    }
    assertTrue(TABLE.length >= 40);
    assertEquals(List.of(), wrong);
  }

  @Test
  void theCampaignComesFromTheQuery() {
    var p = (PathNormaliser.Page) PathNormaliser.normalise("/p/?utm_source=Newsletter&utm_medium=email&utm_campaign=launch%20day&x=1", D);
    assertEquals("/p", p.path());
    assertEquals(new PathNormaliser.Campaign("Newsletter", "email", "launch day"), p.campaign());
    var r = (PathNormaliser.Page) PathNormaliser.normalise("/p?ref=producthunt", D);
    assertEquals("producthunt", r.campaign().source());
    var both = (PathNormaliser.Page) PathNormaliser.normalise("/p?ref=a&utm_source=b", D);
    assertEquals("b", both.campaign().source(), "utm_source wins over ref");
    assertTrue(((PathNormaliser.Page) PathNormaliser.normalise("/p", D)).campaign().isEmpty());
    String emoji = "a".repeat(99) + "\uD83D\uDE00";
    var cut = (PathNormaliser.Page) PathNormaliser.normalise("/p?utm_campaign=" + emoji, D);
    assertEquals("a".repeat(99), cut.campaign().campaign(), "cut before a surrogate pair, not dropped");
  }

  @Test
  void refusalsSayWhy() {
    assertEquals("path goes above the root with ..", ((PathNormaliser.Refused) PathNormaliser.normalise("/../x", D)).reason());
    assertTrue(((PathNormaliser.Refused) PathNormaliser.normalise("x", D)).reason().contains("absolute"));
    assertTrue(((PathNormaliser.Refused) PathNormaliser.normalise("/%FF", D)).reason().contains("UTF-8"));
    assertTrue(((PathNormaliser.Refused) PathNormaliser.normalise("/" + KIB + "b", D)).reason().contains("1024"));
  }

  @Test
  void aPatternForPathsIsApartFromThePatternForIds() {
    var site = new hitcounter.config.Site("blog", 1, false, java.util.Set.of(), Pattern.compile("[a-z-]+"), 0, hitcounter.config.Site.Limit.NONE,
        hitcounter.config.Site.Limit.NONE, false, new PathRules(false, List.of(), false, Pattern.compile("/blog/.*"), false));
    assertTrue(site.allowsPage("my-post"));
    assertTrue(site.allowsPage("/blog/my-post"));
    assertTrue(!site.allowsPage("/shop/x"));
    assertTrue(!site.allowsPage("My_Post"));
  }

  private static String clip(String s) {
    return s == null ? "refused" : s.length() <= 60 ? s : s.substring(0, 60) + "…(" + s.length() + ")";
  }
}
