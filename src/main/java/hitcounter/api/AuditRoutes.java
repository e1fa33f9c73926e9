package hitcounter.api;

import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.infra.Json;
import hitcounter.audit.FiguresCodec;
import hitcounter.count.StoreStatus;
import hitcounter.audit.AuditFigures;
import hitcounter.audit.AuditKeys;
import hitcounter.count.WorkerStats;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.ingest.HitQueue;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/audit}: accepted against counted, per source (a node's queue), as this
 * datacenter sees it, so a silent loss shows as a gap that does not close. Accepted figures are
 * flushed by each node every second; counted ones are the count keys.
 */
public final class AuditRoutes {
  private final Consul consul;
  private final StoreStatus store;
  private final HitQueue queue;
  private final WorkerStats workers;
  private final String datacenter;
  private final String node;
  private final hitcounter.store.CountTable table;
  private hitcounter.infra.consul.BadValues badValues = new hitcounter.infra.consul.BadValues();

  /** Reports values of the audit figures that do not parse here. */
  public AuditRoutes reportingTo(hitcounter.infra.consul.BadValues bad) {
    this.badValues = bad;
    return this;
  }

  private java.util.function.Supplier<hitcounter.config.Sites> sites;

  /** The sites in force: the table's figures leave out pages of deleted sites. */
  public AuditRoutes showing(java.util.function.Supplier<hitcounter.config.Sites> sites) {
    this.sites = sites;
    return this;
  }

  public AuditRoutes(Consul consul, StoreStatus store, HitQueue queue, WorkerStats workers, String datacenter, String node) {
    this(consul, store, null, queue, workers, datacenter, node);
  }

  public AuditRoutes(
      Consul consul, StoreStatus store, hitcounter.store.CountTable table, HitQueue queue, WorkerStats workers, String datacenter, String node) {
    this.table = table;
    this.consul = consul;
    this.store = store;
    this.queue = queue;
    this.workers = workers;
    this.datacenter = datacenter;
    this.node = node;
  }

  public Route routes() {
    return path(
        PathMatchers.segment("api").slash("audit"),
        () -> HttpMetrics.template("/api/audit", () ->
            get(
                () ->
                    onComplete(
                        audit(),
                        t ->
                            t.isSuccess()
                                ? complete(StatusCodes.OK, t.get(), JsonReplies.JSON)
                                : complete(
                                    StatusCodes.SERVICE_UNAVAILABLE,
                                    Map.of("error", "consul-unavailable", "reason", String.valueOf(t.failed().get().getMessage())),
                                    JsonReplies.JSON)))));
  }

  private CompletionStage<Map<String, Object>> audit() {
    return consul
        .kvTree(null, AuditKeys.ROOT, 0, Duration.ZERO)
        .thenCombine(consul.kvTree(null, hitcounter.audit.LostKeys.ROOT, 0, Duration.ZERO), (audit, lost) -> {
          Map<String, Object> out = report(audit.value());
          out.put("lost", lost(lost.value()));
          return out;
        });
  }

  /**
   * Hits rollbacks of a datacenter's store lost for good (gone, less what copies brought back),
   * per datacenter, with each record (a queue's entries from a seq on): what the audit's gap of
   * that datacenter is made of.
   */
  private Map<String, Object> lost(List<KvEntry> records) {
    Map<String, Long> byDc = new TreeMap<>();
    Map<String, Long> recovered = new TreeMap<>();
    Map<String, Long> unread = new TreeMap<>();
    List<Map<String, Object>> list = new java.util.ArrayList<>();
    for (KvEntry e : records) {
      String rest = e.key().substring(hitcounter.audit.LostKeys.ROOT.length());
      int slash = rest.indexOf('/');
      if (slash <= 0) {
        continue;
      }
      try {
        Map<String, Long> f = FiguresCodec.read(e.value());
        String dc = rest.substring(0, slash);
        byDc.merge(dc, f.getOrDefault("hits", 0L) - f.getOrDefault("recovered", 0L), Long::sum);
        recovered.merge(dc, f.getOrDefault("recovered", 0L), Long::sum);
        unread.merge(dc, f.getOrDefault("unread", 0L), Long::sum);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("datacenter", dc);
        r.put("record", rest.substring(slash + 1));
        r.putAll(f);
        list.add(r);
      } catch (RuntimeException bad) {
        badValues.skipped("audit", e.key(), "not a loss record");
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("byDatacenter", byDc);
    out.put("recoveredByDatacenter", recovered);
    // Entries a copy named but could not give back: their hits are in byDatacenter only where
    // the worker that wrote them measured them; otherwise lost is at least what it says.
    out.put("unreadEntriesByDatacenter", unread);
    out.put("records", list);
    return out;
  }

  private Map<String, Object> report(List<KvEntry> auditEntries) {
    Map<String, Long> accepted = new TreeMap<>();
    Map<String, Long> unknown = new TreeMap<>();
    AuditFigures.bySource(auditEntries, (key, why) -> badValues.skipped("audit", key, why)).forEach((source, f) -> {
      accepted.put(source, f.getOrDefault("accepted", 0L));
      unknown.put(source, f.getOrDefault("unknown", 0L));
    });
    Map<String, Long> counted = new TreeMap<>();
    store.get().forEach((dc, source) -> {
      source.queues().forEach((q, status) -> counted.put(dc + "/" + q, status.counted()));
      if (source.archivedCounted() > 0) {
        counted.put(dc + "/~archived", source.archivedCounted());
      }
    });
    Map<String, Object> sources = new TreeMap<>();
    long totalAccepted = 0;
    long totalCounted = 0;
    long totalUnknown = 0;
    for (String source : union(accepted, counted)) {
      long a = accepted.getOrDefault(source, 0L);
      long c = counted.getOrDefault(source, 0L);
      long u = unknown.getOrDefault(source, 0L);
      totalAccepted += a;
      totalCounted += c;
      totalUnknown += u;
      // A gap that stays open is a loss; counted may pass accepted by at most the unknown ones.
      sources.put(source, Map.of("accepted", a, "counted", c, "unknown", u, "gap", a - c));
    }
    Map<String, Object> self = new LinkedHashMap<>();
    self.put("name", node);
    self.put("accepted", queue.accepted());
    self.put("rejected", queue.rejected());
    self.put("unknown", queue.unknown());
    self.put("workers", workers.snapshot());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("datacenter", datacenter);
    out.put("node", self);
    out.put("sources", sources);
    out.put("totals", Map.of("accepted", totalAccepted, "counted", totalCounted, "unknown", totalUnknown, "gap", totalAccepted - totalCounted));
    if (table != null) {
      // What this node's table holds: every node of every datacenter must agree on pages and byDatacenter; bytes are this JVM's own.
      Map<String, Object> t = new LinkedHashMap<>();
      // A deleted site's pages are left out: their resets go once every datacenter saw the
      // delete (decision 0019), so a node started since would sum them otherwise.
      java.util.function.Predicate<String> shown = prefix -> sites == null
          || hitcounter.page.PageKey.parse(prefix + "p").map(k -> sites.get().shows(k)).orElse(true);
      t.put("pages", table.listings().size(shown));
      t.put("byDatacenter", table.listings().sums(shown));
      Map<String, Long> owners = table.bytesByOwner();
      t.put("bytes", owners.values().stream().mapToLong(Long::longValue).sum());
      t.put("bytesBy", owners);
      out.put("table", t);
    }
    return out;
  }

  private static java.util.Set<String> union(Map<String, Long> a, Map<String, Long> b) {
    java.util.Set<String> s = new java.util.TreeSet<>(a.keySet());
    s.addAll(b.keySet());
    return s;
  }
}
