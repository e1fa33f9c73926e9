package hitcounter.api;

import hitcounter.store.PageStats;
import java.util.Map;

/** Test access to {@link ReferrerRoutes#of}. */
public final class ReferrerRoutesAccess {
  private ReferrerRoutesAccess() {}

  public static ReferrerRoutes.Answer of(Map<String, PageStats> byDc, int today) {
    return ReferrerRoutes.of("blog", 1, byDc, today);
  }
}
