package hitcounter.page;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PageIdTest {
  @Test
  void acceptsTheUnreservedSetUpTo128() {
    assertTrue(PageId.isValid("home"));
    assertTrue(PageId.isValid("A-z_0.9~"));
    assertTrue(PageId.isValid("x".repeat(128)));
  }

  @Test
  void refusesEverythingElse() {
    for (String bad : new String[] {"", "x".repeat(129), "a/b", "a b", "é", "a%20", "a?b", "<script>", "a\nb", null}) {
      assertFalse(PageId.isValid(bad), String.valueOf(bad));
    }
  }
}
