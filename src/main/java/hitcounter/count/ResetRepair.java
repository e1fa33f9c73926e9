package hitcounter.count;

import com.typesafe.config.Config;
import hitcounter.audit.FiguresCodec;
import hitcounter.audit.LostKeys;
import hitcounter.config.ResetRecord;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.store.CountTable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps resets true after a rollback of this datacenter's store (defect 7 of decision 0012). A
 * reset's baseline is the count it saw; a restore or a wipe can take some of those hits away
 * for good, and the page's count then stays below its baseline: every hit after the rollback
 * would be hidden until the count passed the old baseline again. What survived a rollback is
 * known once it settled: the store went back, and all that a copy held was brought back
 * ({@code recoveredAt} in its record, written with the recovery's last step, {@link LostKeys}),
 * or {@code settle} passed with no recovery (no copy held any of it). Then the
 * keeper lowers every baseline of this datacenter that its counts stay below to those counts
 * ({@link ResetRecord#lower}: a lowering wins over baselines written before it), and marks the
 * records {@code repaired}. One WARN line per repair; the loss itself is reported in the audit.
 * Hits the page took in this datacenter between the rollback and the repair stay hidden (a
 * second or two after a recovery; at most {@code settle} when no copy held anything). A
 * recovery that starts only after {@code settle} (a WAN cut that long) comes too late: its hits
 * of a reset page show (the WARN line names the pages).
 */
public final class ResetRepair {
  private static final Logger LOG = LoggerFactory.getLogger(ResetRepair.class);

  /** {@code hitcounter.resets}: how long a rollback with no recovery takes to settle, how soon after a recovery, how soon a look put off is tried again. */
  public record Settings(Duration settle, Duration quiet, Duration interval) {
    public static Settings create(Config root) {
      Config c = root.getConfig("hitcounter.resets");
      return new Settings(c.getDuration("repair-after"), c.getDuration("repair-after-recovery"), c.getDuration("repair-check-interval"));
    }
  }

  public sealed interface Command {}

  private enum Tick implements Command { INSTANCE }

  private record Done(int lowered, Throwable failure) implements Command {}

  private record Records(List<KvEntry> entries) implements Command {}

  private ResetRepair() {}

  /**
   * The baselines of {@code dc} to lower: every page whose baseline there is above its count
   * there (as {@code rawOf} counts it), to that count.
   */
  static Map<String, Long> lowerings(String dc, Map<String, ResetRecord> resets, Function<String, Long> rawOf) {
    Map<String, Long> out = new TreeMap<>();
    resets.forEach((id, r) -> {
      Long baseline = r.baselines().get(dc);
      long raw = baseline == null ? 0 : rawOf.apply(id);
      if (baseline != null && baseline > raw) {
        out.put(id, raw);
      }
    });
    return out;
  }

  /** Whether a rollback record's figures say it settled at {@code now} (and was not repaired yet). */
  static boolean settled(Map<String, Long> figures, long now, Settings s) {
    return settlesAt(figures, s) <= now;
  }

  /** When a rollback record settles (its figures), or {@code Long.MAX_VALUE} when it was repaired. */
  static long settlesAt(Map<String, Long> figures, Settings s) {
    if (figures.containsKey("repaired")) {
      return Long.MAX_VALUE;
    }
    Long recoveredAt = figures.get("recoveredAt");
    long byRecovery = recoveredAt == null ? Long.MAX_VALUE : recoveredAt + s.quiet().toMillis();
    return Math.min(byRecovery, figures.getOrDefault("at", 0L) + s.settle().toMillis());
  }

  /**
   * Watches this datacenter's rollback records (a blocking query: nothing is read while none
   * changes), and looks when the next one settles; a look put off (the view behind, a failure)
   * is tried again after {@code interval}. {@code counts}: whether a page still counts (its
   * site's generation not dead). A deleted site's page is never lowered: its counts leave the
   * store once its generation is collected, and a reset key written for it would be a false
   * "lost hits" (decision 0019).
   */
  public static Behavior<Command> create(Consul consul, CountTable table, ResetView.Resets resets, ViewHealth view, Settings settings, Clock clock,
      hitcounter.infra.consul.BlockingQueryWatch.Settings watch, Duration wait, java.util.function.Predicate<String> counts) {
    String dc = consul.localDatacenter();
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      hitcounter.infra.consul.BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, LostKeys.prefix(dc), index, wait);
      ctx.spawn(hitcounter.infra.consul.BlockingQueryWatch.create(query, ctx.getSelf(), r -> new Records(r.value()), watch), "watch");
      boolean[] busy = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Records.class, r -> {
            long next = r.entries().stream().mapToLong(e -> settlesAt(FiguresCodec.read(e.value()), settings)).min().orElse(Long.MAX_VALUE);
            if (next != Long.MAX_VALUE) {
              timers.startSingleTimer(Tick.INSTANCE, Duration.ofMillis(Math.max(0, next - clock.millis())));
            }
            return Behaviors.same();
          })
          .onMessage(Tick.class, t -> {
            if (busy[0]) {
              return Behaviors.same();
            }
            if (view.behind().containsKey(dc)) {
              timers.startSingleTimer(Tick.INSTANCE, settings.interval()); // what survived shows only in a current table
              return Behaviors.same();
            }
            busy[0] = true;
            ctx.pipeToSelf(repair(consul, dc, table, resets, settings, clock, counts).toCompletableFuture(), Done::new);
            return Behaviors.same();
          })
          .onMessage(Done.class, d -> {
            busy[0] = false;
            if (d.failure() != null) {
              LOG.warn("repairing resets after a rollback of {} failed; trying again: {}", dc, d.failure().toString());
              timers.startSingleTimer(Tick.INSTANCE, settings.interval());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** One look: the lowerings made (0 when no rollback settled since the last one). */
  static CompletionStage<Integer> repair(Consul consul, String dc, CountTable table, ResetView.Resets resets, Settings settings, Clock clock) {
    return repair(consul, dc, table, resets, settings, clock, id -> true);
  }

  static CompletionStage<Integer> repair(Consul consul, String dc, CountTable table, ResetView.Resets resets, Settings settings, Clock clock,
      java.util.function.Predicate<String> counts) {
    return consul.kvTree(null, LostKeys.prefix(dc), 0, Duration.ZERO).thenCompose(entries -> {
      long now = clock.millis();
      List<KvEntry> due = entries.value().stream().filter(e -> settled(FiguresCodec.read(e.value()), now, settings)).toList();
      if (due.isEmpty()) {
        return CompletableFuture.completedFuture(0);
      }
      Map<String, ResetRecord> counted = new TreeMap<>(resets.all());
      counted.keySet().removeIf(id -> !counts.test(id));
      Map<String, Long> lower = lowerings(dc, counted, id -> table.rawCountsOf(id).getOrDefault(dc, 0L));
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (var e : lower.entrySet()) {
        ResetRecord lowered = resets.of(e.getKey()).lower(dc, e.getValue());
        chain = chain.thenCompose(x -> PageResetter.write(consul, ResetRecord.key(dc, e.getKey()), lowered, 3).thenApply(w -> {
          if (w.isEmpty()) {
            throw new IllegalStateException("lowering the reset of " + e.getKey() + " conflicted three times; the rollback stays unrepaired, next check");
          }
          return null;
        }));
      }
      for (KvEntry e : due) {
        Map<String, Long> figures = new TreeMap<>(FiguresCodec.read(e.value()));
        figures.put("repaired", now);
        // A record changed meanwhile (another witness, a recovery step) is looked at again next time.
        chain = chain.thenCompose(x -> consul.txn(null, List.of(TxnOp.cas(e.key(), FiguresCodec.write(figures), e.modifyIndex()))).thenApply(r -> null));
      }
      return chain.thenApply(x -> {
        if (!lower.isEmpty()) {
          LOG.warn("the store of {} went back and some reset pages lost hits the reset had taken away: {} baselines lowered to what survived ({})", dc,
              lower.size(), new ArrayList<>(lower.keySet()).subList(0, Math.min(5, lower.size())));
        }
        return lower.size();
      });
    });
  }
}
