package hitcounter.ingest;

import hitcounter.config.Site;
import hitcounter.page.PageKey;
import hitcounter.store.CountTable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The cap on a site's distinct pages. A page that exists (a non-zero total in this node's
 * table) always counts; a new one is admitted while the site has fewer pages than its cap. The
 * pages per site come from one pass over the table at most once a second, plus the new pages
 * this node admitted since that are not in the table yet. The cap is soft across nodes: nodes
 * admit new pages independently for the second or so before they see each other's, so a site
 * can exceed its cap by at most (nodes × new pages a node admits in that time), which the
 * site's rate limit bounds (docs/decisions/0010).
 */
public final class PageCaps {
  private static final long RECOUNT_NANOS = 1_000_000_000L;

  private final CountTable table;
  private final LongSupplier clock;
  private volatile Map<String, Integer> bySite = Map.of();
  private volatile long countedAt;
  private volatile boolean counted;
  /** Per site prefix, new pages admitted here since the last count that the table did not show then. */
  private final Map<String, Map<String, Long>> admitted = new ConcurrentHashMap<>();
  /** An admitted page that does not show in the table after this long was never counted (its hit not queued): it is forgotten. */
  private static final long FORGET_NANOS = 30_000_000_000L;

  public PageCaps(CountTable table) {
    this(table, System::nanoTime);
  }

  PageCaps(CountTable table, LongSupplier clock) {
    this.table = table;
    this.clock = clock;
  }

  /** Whether a hit of {@code key} may count under the cap of {@code site}. */
  public boolean admits(Site site, PageKey key) {
    if (site.maxPages() <= 0) {
      return true;
    }
    String id = key.key();
    if (table.totalOf(id) > 0) {
      return true;
    }
    String prefix = PageKey.sitePrefix(site.name(), key.generation());
    Map<String, Long> mine = admitted.computeIfAbsent(prefix, p -> new ConcurrentHashMap<>());
    if (mine.containsKey(id)) {
      return true;
    }
    recountIfOld();
    synchronized (this) { // the same lock as the recount: never between forgetting and counting
      if (pages(prefix) >= site.maxPages()) {
        return false;
      }
      mine.put(id, clock.getAsLong());
      return true;
    }
  }

  /** Pages of the site with {@code prefix}, as last counted plus those admitted here since. */
  public long pages(String prefix) {
    Map<String, Long> mine = admitted.get(prefix);
    return bySite.getOrDefault(prefix, 0) + (mine == null ? 0 : mine.size());
  }

  /** Pages per site prefix, counted at most a second ago. */
  public Map<String, Integer> bySite() {
    recountIfOld();
    return bySite;
  }

  private void recountIfOld() {
    long now = clock.getAsLong();
    if (counted && now - countedAt < RECOUNT_NANOS) {
      return;
    }
    synchronized (this) {
      if (counted && now - countedAt < RECOUNT_NANOS) {
        return;
      }
      // What the table shows now is in the count; keep only admitted pages it does not show yet.
      // ...and forget those admitted long ago that never showed (their hit was refused by the
      // queue, or the page was deleted before it showed): they must not hold the cap.
      admitted.values().forEach(m -> m.entrySet().removeIf(e -> table.totalOf(e.getKey()) > 0 || now - e.getValue() > FORGET_NANOS));
      // Counted after forgetting what the table shows: a page counted in between is then in both
      // (one too many for a second), never in neither (which let one page too many in).
      Map<String, Integer> fresh = table.listings().pagesBySite();
      bySite = fresh;
      countedAt = now;
      counted = true;
    }
  }
}
