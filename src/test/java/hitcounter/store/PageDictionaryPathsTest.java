package hitcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The dictionary with URL paths: UTF-8 ids of up to 1,100 bytes, over many arena chunks, in byte order. */
class PageDictionaryPathsTest {
  private static String path(int i) {
    return "blog~1:/" + (i % 3 == 0 ? "é" : "a").repeat(100 + i % 400) + "/" + i;
  }

  @Test
  void longPathsOverManyChunksReadBackAndCompareByTheirBytes() {
    PageDictionary d = new PageDictionary();
    int n = 8000; // about 3 MB of ids: several chunks
    for (int i = 0; i < n; i++) {
      assertEquals(i, d.slotFor(path(i)));
    }
    assertTrue(d.bytes() > 3_000_000);
    for (int i = 0; i < n; i += 7) {
      assertEquals(i, d.find(path(i)));
      assertEquals(path(i), d.page(i));
      assertTrue(d.startsWith(i, "blog~1:/"));
      assertEquals("blog~1:", d.sitePrefix(i));
    }
    assertEquals(-1, d.find("/nope"));
    int slash = d.slotFor("/a:b");
    assertEquals("", d.sitePrefix(slash), "a default-site path with a colon names no site");
    assertTrue(!d.sited(slash));
    int e = d.slotFor("/é");
    int z = d.slotFor("/z");
    assertTrue(d.compare(z, e) < 0, "byte order: z (0x7A) before é (0xC3)");
    assertTrue(d.compare(e, "/z") > 0);
    assertEquals(0, d.compare(e, "/é"));
    assertTrue(d.compare(z, "/zé") < 0);
    assertTrue(d.compare(z, "/") > 0);
    assertTrue(d.startsWith(e, "/é"));
  }
}
