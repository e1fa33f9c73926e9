package hitcounter.count;

import hitcounter.infra.consul.TxnOp;
import hitcounter.page.JobCodec;
import hitcounter.page.PageKey;
import hitcounter.store.CountsCodec;
import hitcounter.store.PageStats;
import hitcounter.store.QueueHead;
import hitcounter.store.StoreKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The exactly-once rule of one queue, as a pure planner with no I/O. It knows the queue's head
 * (with its applied record) and its ModifyIndex, and plans the commit of a batch: jobs already
 * applied are skipped; the others become one new journal entry of per-page increments, written
 * in one Consul transaction with the new head (a CAS on the head), so either both land or
 * neither. Jobs are named by (session, id): beanstalkd reuses ids after losing its binlog.
 *
 * <p>A batch whose increments would not fit one entry ({@code entryBudget} bytes before
 * compression) is cut after the last job that fits; the rest is carried to the next commit.
 */
public record QueueLedger(String dc, String queue, QueueHead head, long headIndex, String epoch, long folded) {
  /** A ledger that goes on in the head's own epoch, nothing known folded. */
  public QueueLedger(String dc, String queue, QueueHead head, long headIndex) {
    this(dc, queue, head, headIndex, head.epoch(), 0);
  }

  /**
   * This ledger writing its next entries in {@code epoch}, with the queue folded through
   * {@code folded} (epochs wholly folded leave the head at the next commit).
   */
  public QueueLedger in(String epoch, long folded) {
    return new QueueLedger(dc, queue, head, headIndex, epoch, folded);
  }

  /** A job of the batch as the worker decoded it, and the connection that reserved it. */
  public record BatchJob(long id, String session, List<String> pages, long connection, List<JobCodec.Hit> hits) {
    public BatchJob(long id, String session, List<String> pages, long connection) {
      this(id, session, pages, connection, pages.stream().map(JobCodec.Hit::plain).toList());
    }

    public BatchJob(long id, String session, List<String> pages) {
      this(id, session, pages, -1);
    }

    public Ref ref() {
      return new Ref(session, id);
    }
  }

  /** A job's name across beanstalkd restarts. */
  public record Ref(String session, long id) {}

  /**
   * A planned commit: the jobs it counts (and their hits), those it skips as counted already,
   * those carried to the next commit, the transaction (empty when nothing is counted) and the
   * head it writes.
   */
  public record Commit(
      List<BatchJob> counted, long countedHits, List<BatchJob> skipped, List<BatchJob> carried, List<TxnOp> ops, QueueHead after, int entryBytes) {}

  public static QueueLedger empty(String dc, String queue) {
    return new QueueLedger(dc, queue, QueueHead.EMPTY, 0);
  }

  /** Applied jobs that are neither in {@code batch} nor known {@code gone}: their fate is unknown. */
  public Map<String, Set<Long>> unknownApplied(List<BatchJob> batch, Set<Ref> gone) {
    Set<Ref> inBatch = new HashSet<>();
    batch.forEach(j -> {
      inBatch.add(j.ref());
      if (JobNames.legacy(j.session())) {
        inBatch.add(new Ref(JobCodec.LEGACY_SESSION, j.id())); // a bare "-" id is decided by this job
      }
    });
    Map<String, Set<Long>> out = new TreeMap<>();
    head.applied().forEach((session, ids) -> {
      for (long id : ids) {
        Ref r = new Ref(session, id);
        if (!inBatch.contains(r) && !gone.contains(r)) {
          out.computeIfAbsent(session, s -> new TreeSet<>()).add(id);
        }
      }
    });
    return out;
  }

  /**
   * Which applied jobs a peek shows gone: not found, or found with another session (the id was
   * reused by a beanstalkd that lost its binlog). An id applied under the bare {@code -} (before
   * runs were named, {@link JobNames}) stays while a format-1 job of that id is found.
   */
  public static Set<Ref> goneAfterPeek(Map<String, Set<Long>> asked, Map<Long, String> foundSessions) {
    Set<Ref> gone = new HashSet<>();
    asked.forEach((session, ids) -> {
      for (long id : ids) {
        String found = foundSessions.get(id);
        boolean stays = session.equals(JobCodec.LEGACY_SESSION) ? JobNames.legacy(found) : session.equals(found);
        if (!stays) {
          gone.add(new Ref(session, id));
        }
      }
    });
    return gone;
  }

  /** Plans the commit of {@code batch}; {@code gone} jobs leave the applied record. */
  public Commit plan(List<BatchJob> batch, Set<Ref> gone, int entryBudget) {
    Set<Ref> distinct = new HashSet<>();
    for (BatchJob job : batch) {
      if (!distinct.add(job.ref())) {
        throw new IllegalArgumentException("job " + job.ref() + " twice in one batch");
      }
    }
    List<BatchJob> counted = new ArrayList<>();
    List<BatchJob> skipped = new ArrayList<>();
    List<BatchJob> carried = new ArrayList<>();
    TreeMap<String, Long> increments = new TreeMap<>();
    Map<String, PageStats.Builder> stats = new HashMap<>();
    long hits = 0;
    long size = 0;
    for (BatchJob job : batch) {
      if (!carried.isEmpty()) {
        carried.add(job);
        continue;
      }
      if (head.isApplied(job.session(), job.id()) || (JobNames.legacy(job.session()) && head.isApplied(JobCodec.LEGACY_SESSION, job.id()))) {
        skipped.add(job);
        continue;
      }
      long added = 0;
      Set<String> fresh = new HashSet<>();
      for (JobCodec.Hit hit : job.hits()) {
        if (!increments.containsKey(hit.page()) && !stats.containsKey(hit.page()) && fresh.add(hit.page())) {
          added += PageKey.utf8Length(hit.page()) + (hit.timed() ? 24 : 4);
        }
        added += hit.timed() && !hit.bot() ? 5 : 0; // a visitor in two sketches, about
        added += referralBytes(hit.referral());
      }
      if (!counted.isEmpty() && size + added > entryBudget) {
        carried.add(job);
        continue;
      }
      size += added;
      for (String page : job.pages()) {
        increments.merge(page, 1L, Long::sum);
      }
      for (JobCodec.Hit hit : job.hits()) {
        if (hit.timed()) {
          analyse(hit, stats);
        }
      }
      hits += job.hits().size();
      counted.add(job);
    }
    Map<String, Set<Long>> applied = new HashMap<>();
    head.applied().forEach((s, ids) -> applied.put(s, new TreeSet<>(ids)));
    for (Ref r : gone) {
      Set<Long> ids = applied.get(r.session());
      if (ids != null) {
        ids.remove(r.id());
      }
    }
    for (BatchJob job : counted) {
      applied.computeIfAbsent(job.session(), s -> new TreeSet<>()).add(job.id());
    }
    if (counted.isEmpty()) {
      QueueHead pruned = new QueueHead(head.seq(), head.counted(), head.bytes(), applied, head.migratedAt(), head.epochs());
      return new Commit(List.of(), 0, skipped, carried, List.of(), pruned, 0);
    }
    Map<String, PageStats> built = new HashMap<>();
    stats.forEach((key, b) -> built.put(key, b.done()));
    byte[] entry = CountsCodec.encode(CountsCodec.ENTRY, increments, built);
    long seq = head.seq() + 1;
    QueueHead after = new QueueHead(seq, head.counted() + hits, head.bytes() + entry.length, applied, head.migratedAt(), head.epochsWith(epoch, seq, folded));
    List<TxnOp> ops = List.of(
        TxnOp.cas(StoreKeys.head(dc, queue), after.toBytes(), headIndex),
        TxnOp.cas(StoreKeys.entry(dc, queue, epoch, seq), entry, 0));
    return new Commit(List.copyOf(counted), hits, List.copyOf(skipped), List.copyOf(carried), ops, after, entry.length);
  }

  /**
   * A timed hit's part of the entry's analytics: its page's day bucket, bot figure and day
   * sketch; its site's minute, hour and day buckets and day sketch. A bot hit goes into the
   * bot figures only, never into a sketch; one of a page nobody counted yet into its site's only.
   * Every timed hit is in its site's figures once: a site's bots are all its bot hits.
   */
  private static void analyse(JobCodec.Hit hit, Map<String, PageStats.Builder> stats) {
    long minute = hit.minute();
    int day = (int) (minute / 1440);
    String sitePrefix = PageKey.parse(hit.page()).map(k -> PageKey.sitePrefix(k.site(), k.generation())).orElse("");
    PageStats.Builder site = stats.computeIfAbsent(PageStats.siteKey(sitePrefix), k -> new PageStats.Builder());
    if (hit.bot()) {
      if (!hit.siteOnly()) {
        PageStats.Builder page = stats.computeIfAbsent(hit.page(), k -> new PageStats.Builder());
        page.bots(1);
        page.bot(PageStats.DAY, day);
      }
      site.bots(1);
      site.bot(PageStats.DAY, day);
      site.bot(PageStats.HOUR, minute / 60);
      site.bot(PageStats.MINUTE, minute);
      return;
    }
    PageStats.Builder page = stats.computeIfAbsent(hit.page(), k -> new PageStats.Builder());
    page.human(PageStats.DAY, day);
    site.human(PageStats.DAY, day);
    site.human(PageStats.HOUR, minute / 60);
    site.human(PageStats.MINUTE, minute);
    if (hit.visitor() != 0) {
      page.visitor(day, hit.visitor());
      site.visitor(day, hit.visitor());
    }
    site.referral(day, hit.referral());
  }

  /** What a referral may add to its site's stats in an entry, at most (a value new to the day, in UTF-8, with its count). */
  private static long referralBytes(hitcounter.page.Referral r) {
    long n = 0;
    for (String v : new String[] {r.host(), r.source(), r.medium(), r.campaign()}) {
      n += v == null ? 0 : PageKey.utf8Length(v) + 4;
    }
    return n;
  }

  /** The transaction that only drops {@code gone} jobs from the applied record (idle pruning); empty when none is there. */
  public List<TxnOp> prune(Set<Ref> gone) {
    Commit c = plan(List.of(), gone, 0);
    if (c.after().applied().equals(head.applied())) {
      return List.of();
    }
    return List.of(TxnOp.cas(StoreKeys.head(dc, queue), c.after().toBytes(), headIndex));
  }

  /** This ledger after its planned commit (or prune) landed with {@code newHeadIndex}. */
  public QueueLedger after(QueueHead head, long newHeadIndex) {
    return new QueueLedger(dc, queue, head, newHeadIndex, epoch, folded);
  }
}
