package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.Site;
import hitcounter.page.PageKey;
import hitcounter.store.CountTable;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PageCapsTest {
  /** Found in review: a page admitted whose hit was then not queued (503) held a place under the cap for good. */
  @Test
  void aPageAdmittedButNeverCountedFreesItsPlace() {
    AtomicLong now = new AtomicLong(0);
    PageCaps caps = new PageCaps(new CountTable(), now::get);
    Site site = new Site("s", 1, false, Set.of(), null, 1, Site.Limit.NONE, Site.Limit.NONE, false);
    assertTrue(caps.admits(site, new PageKey("s", 1, "a")));
    assertFalse(caps.admits(site, new PageKey("s", 1, "b")), "the cap of 1 is taken");
    now.addAndGet(31_000_000_000L);
    assertTrue(caps.admits(site, new PageKey("s", 1, "b")), "a never showed: its place is free again");
  }
}
