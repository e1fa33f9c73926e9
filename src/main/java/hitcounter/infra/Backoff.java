package hitcounter.infra;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Capped exponential backoff with jitter: attempt n waits between half and all of min·2ⁿ, at most max. */
public final class Backoff {
  private Backoff() {}

  public static Duration of(int attempt, Duration min, Duration max) {
    long cap = max.toMillis();
    long base = min.toMillis() << Math.min(Math.max(attempt, 0), 20);
    long ceiling = Math.max(1, Math.min(cap, base));
    long wait = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    return Duration.ofMillis(wait);
  }
}
