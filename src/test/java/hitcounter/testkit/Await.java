package hitcounter.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or time runs out. */
public final class Await {
  private Await() {}

  /** As {@link #until(String, Duration, BooleanSupplier)}, {@code what} read when time runs out (it may say what was seen last). */
  public static void until(java.util.function.Supplier<String> what, Duration limit, BooleanSupplier condition) {
    try {
      until("", limit, condition);
    } catch (AssertionError e) {
      throw new AssertionError("timed out after " + limit + " waiting for " + what.get(), e.getCause());
    }
  }

  public static void until(String what, Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + limit + " waiting for " + what, last);
  }
}
