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

  /** {@code hitcounter.resets}: how long a rollback with no recovery takes to settle, how soon after a recovery, how often to look. */
  public record Settings(Duration settle, Duration quiet, Duration interval) {
    public static Settings create(Config root) {
      Config c = root.getConfig("hitcounter.resets");
      return new Settings(c.getDuration("repair-after"), c.getDuration("repair-after-recovery"), c.getDuration("repair-check-interval"));
    }
  }

  public sealed interface Command {}

  private enum Tick implements Command { INSTANCE }

  private record Done(int lowered, Throwable failure) implements Command {}

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
    if (figures.containsKey("repaired")) {
      return false;
    }
    Long recoveredAt = figures.get("recoveredAt");
    return recoveredAt != null && recoveredAt + s.quiet().toMillis() <= now || figures.getOrDefault("at", now) + s.settle().toMillis() <= now;
  }

  public static Behavior<Command> create(Consul consul, CountTable table, ResetView.Resets resets, ViewHealth view, Settings settings, Clock clock) {
    String dc = consul.localDatacenter();
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval(), settings.interval());
      boolean[] busy = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> {
            if (busy[0] || view.behind().containsKey(dc)) {
              return Behaviors.same(); // what survived shows only in a current table
            }
            busy[0] = true;
            ctx.pipeToSelf(repair(consul, dc, table, resets, settings, clock).toCompletableFuture(), Done::new);
            return Behaviors.same();
          })
          .onMessage(Done.class, d -> {
            busy[0] = false;
            if (d.failure() != null) {
              LOG.warn("repairing resets after a rollback of {} failed; next check: {}", dc, d.failure().toString());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** One look: the lowerings made (0 when no rollback settled since the last one). */
  static CompletionStage<Integer> repair(Consul consul, String dc, CountTable table, ResetView.Resets resets, Settings settings, Clock clock) {
    return consul.kvTree(null, LostKeys.prefix(dc), 0, Duration.ZERO).thenCompose(entries -> {
      long now = clock.millis();
      List<KvEntry> due = entries.value().stream().filter(e -> settled(FiguresCodec.read(e.value()), now, settings)).toList();
      if (due.isEmpty()) {
        return CompletableFuture.completedFuture(0);
      }
      Map<String, Long> lower = lowerings(dc, resets.all(), id -> table.rawCountsOf(id).getOrDefault(dc, 0L));
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
