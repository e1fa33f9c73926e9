package hitcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CountArrayTest {
  @Test
  void aCountPastAnIntWidensEverySlotAndLosesNothing() {
    CountArray a = new CountArray(4);
    a.set(0, 7);
    a.add(1, Integer.MAX_VALUE);
    assertFalse(a.isWide());
    a.add(1, 1); // 2^31: an int would wrap to a negative count
    assertTrue(a.isWide());
    assertEquals(1L << 31, a.get(1));
    assertEquals(7, a.get(0));
    a.grow(10);
    assertEquals(10, a.length());
    a.add(9, 5L << 40);
    assertEquals(5L << 40, a.get(9));
    assertEquals(1L << 31, a.get(1));
    a.clear();
    assertFalse(a.isWide());
    assertEquals(0, a.get(1));
    assertEquals(10, a.length());
  }

  @Test
  void negativeDeltasStayExact() {
    CountArray a = new CountArray(2);
    a.add(0, -3); // an import taken back before its column had it
    assertEquals(-3, a.get(0));
    a.add(0, Integer.MIN_VALUE);
    assertTrue(a.isWide());
    assertEquals(Integer.MIN_VALUE - 3L, a.get(0));
  }
}
