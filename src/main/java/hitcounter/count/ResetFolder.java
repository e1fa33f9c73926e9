package hitcounter.count;

import com.typesafe.config.Config;
import hitcounter.config.ConfigKeys;
import hitcounter.config.DeadGenerations;
import hitcounter.config.ResetFold;
import hitcounter.config.ResetRecord;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keeper's care of its datacenter's reset records (decision 0019), every {@code
 * fold-interval}: it reads the copy of them in every other datacenter, merges back what a copy
 * holds beyond them (a restore or a wipe here), then folds records at rest that every copy holds
 * into the shards ({@link ResetFold}). A datacenter out of reach skips the fold of that round (a
 * record is folded only once every datacenter has it). It learns how long each key has held
 * its ModifyIndex by reading them: a new keeper folds no sooner than {@code fold-after} after it
 * took over.
 */
public final class ResetFolder {
  private static final Logger LOG = LoggerFactory.getLogger(ResetFolder.class);

  /** {@code hitcounter.resets}: how long a record rests before it is folded, and how often the keeper looks. */
  public record Settings(Duration foldAfter, Duration foldInterval) {
    public static Settings create(Config root) {
      Config c = root.getConfig("hitcounter.resets");
      return new Settings(c.getDuration("fold-after"), c.getDuration("fold-interval"));
    }
  }

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Local(List<KvEntry> entries, long index, Throwable failure) implements Command {}

  private record Read(Reading reading, Throwable failure) implements Command {}

  /** Rounds with nothing to fold and nothing changed here that ask no other datacenter, in a row. */
  static final int QUIET_ROUNDS = 10;

  private record Folded(ResetFold.Plan plan, int committed, int writtenBack, Throwable failure) implements Command {}

  /**
   * This datacenter's reset keys here, and as every other datacenter holds them (null: one was
   * out of reach); the generations of deleted sites every datacenter has seen deleted.
   */
  private record Reading(List<KvEntry> local, Map<String, List<KvEntry>> copies, DeadGenerations dead, String unreachable) {}

  private record Seen(long index, long since) {}

  /** What the keeper's node knows: its view's resets, whether its sites show a page, a page's raw counts by datacenter. */
  public record NodeView(ResetView.Resets resets, java.util.function.Predicate<String> shown, java.util.function.Function<String, Map<String, Long>> raw) {}

  private ResetFolder() {}

  /**
   * {@code format}: the live setting reset-format (1: nothing is folded, nodes of a version
   * before shards still run); {@code dead}: where the generations found dead are told (the
   * replicator's copies drop them too); {@code resets}: what this node's view knows, written back
   * where no key holds it any more ({@link ResetWriteBack}), for pages its sites show ({@code
   * node.shown}) and within its counts ({@code node.raw}).
   */
  public static Behavior<Command> create(Consul consul, String dc, Settings settings, Clock clock, java.util.function.IntSupplier format,
      DeadGenerations.Known dead, NodeView node) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.foldInterval());
      Map<String, Seen> seen = new HashMap<>();
      hitcounter.config.DeadConfirmation deadSince = new hitcounter.config.DeadConfirmation();
      int[] cutOff = {0};
      boolean[] busy = {false};
      List<KvEntry>[] lastFull = new List[] {null};
      long[] lastIndex = {-1};
      long[] pendingIndex = {-1};
      ResetWriteBack writeBack = new ResetWriteBack();
      int[] quiet = {0};
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, m -> {
            if (!busy[0]) {
              busy[0] = true;
              ctx.pipeToSelf(consul.kvTree(null, ResetRecord.prefix(dc), 0, Duration.ZERO).toCompletableFuture(), (r, e) -> new Local(e == null ? r.value() : null, e == null ? r.index() : 0, e));
            }
            return Behaviors.same();
          })
          .onMessage(Local.class, m -> {
            // Nothing to fold and nothing changed here since the last full round: the other
            // datacenters are asked only every tenth round (a restore or a wipe elsewhere healed).
            boolean records = m.entries() != null && m.entries().stream().anyMatch(e -> !hitcounter.config.ResetShards.isShard(e.key()));
            boolean same = m.index() == lastIndex[0] && hitcounter.infra.consul.KvEntry.sameVersions(lastFull[0], m.entries());
            if (m.entries() != null && !records && ++quiet[0] < QUIET_ROUNDS && same) {
              busy[0] = false;
              return Behaviors.same();
            }
            quiet[0] = 0;
            pendingIndex[0] = m.index();
            ctx.pipeToSelf(read(consul, dc, dead, m.entries()).toCompletableFuture(), Read::new);
            return Behaviors.same();
          })
          .onMessage(Read.class, m -> {
            if (m.failure() != null) {
              busy[0] = false;
              ctx.getLog().warn("reset records of {} not read for a fold: {}", dc, m.failure().toString());
              return Behaviors.same();
            }
            long now = clock.millis();
            Map<String, Seen> current = new HashMap<>();
            for (KvEntry e : m.reading().local()) {
              Seen s = seen.get(e.key());
              current.put(e.key(), s != null && s.index() == e.modifyIndex() ? s : new Seen(e.modifyIndex(), now));
            }
            seen.clear();
            seen.putAll(current);
            if (m.reading().copies() == null) {
              // A datacenter out of reach: nothing is folded it may not have (said every 10th round in a row).
              if (++cutOff[0] % QUIET_ROUNDS == 1) {
                LOG.warn("reset records of {} are not folded while datacenter {} does not answer ({} rounds in a row; one removed for good: delete its"
                    + " heartbeat key, docs/operations.md)", dc, m.reading().unreachable(), cutOff[0]);
              }
              busy[0] = false;
              return Behaviors.same();
            }
            cutOff[0] = 0;
            if (format.getAsInt() < 2) {
              busy[0] = false; // folds not on yet (nodes of a version before shards)
              lastFull[0] = m.reading().local();
              lastIndex[0] = pendingIndex[0];
              return Behaviors.same();
            }
            dead.set(deadSince.confirmed(m.reading().dead(), now, settings.foldAfter()));
            ResetFold.Plan plan = ResetFold.plan(dc, m.reading().local(), m.reading().copies(), e -> seen.get(e.key()).since(), now, settings.foldAfter(),
                TxnOp.MAX_OPS, dead.get());
            if (plan.txns().isEmpty()) {
              lastFull[0] = m.reading().local();
              lastIndex[0] = pendingIndex[0];
            }
            CompletionStage<Integer> writes = CompletableFuture.completedFuture(0);
            for (List<TxnOp> txn : plan.txns()) {
              // One shard's failure (a refused or too large request) leaves the others to go on.
              writes = writes.thenCompose(n -> consul.txn(null, txn).handle((r, e) -> {
                if (e != null) {
                  LOG.warn("reset fold of {} into {} failed (tried again next round): {}", dc, txn.get(0).key(), e.toString());
                }
                return n + (e == null && r.committed() ? 1 : 0);
              }));
            }
            // A write back waits two full rounds, at least two minutes apart: another datacenter's resend brings its own keys back first.
            Duration settle = settings.foldInterval().multipliedBy(2).compareTo(Duration.ofMinutes(2)) > 0 ? settings.foldInterval().multipliedBy(2)
                : Duration.ofMinutes(2);
            CompletionStage<int[]> all = writes.thenCompose(n -> writeBack.run(consul, dc, node.resets(), id -> node.shown().test(id) && !dead.get().dead(id),
                node.raw(), now, settle).thenApply(w -> new int[] {n, w}));
            ctx.pipeToSelf(all.toCompletableFuture(), (n, e) -> new Folded(plan, n == null ? 0 : n[0], n == null ? 0 : n[1], e));
            return Behaviors.same();
          })
          .onMessage(Folded.class, m -> {
            busy[0] = false;
            if (!m.plan().txns().isEmpty() || m.writtenBack() > 0) {
              lastFull[0] = null; // what this round wrote is read again next round
            }
            if (m.failure() != null) {
              ctx.getLog().warn("reset fold of {} failed (tried again in {}): {}", dc, settings.foldInterval(), m.failure().toString());
            } else if (!m.plan().txns().isEmpty()) {
              ctx.getLog().info("folded reset records of {} into {} of {} shards ({} records, {} of deleted sites dropped; a shard that met a record written"
                  + " meanwhile is tried again)", dc, m.committed(), m.plan().txns().size(), m.plan().folded(), m.plan().dropped());
            }
            warnFull(dc, m.plan());
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static void warnFull(String dc, ResetFold.Plan plan) {
    if (plan.full() > 0) {
      LOG.warn("{} reset records of {} stay keys: their shards are full ({} bytes)", plan.full(), dc, hitcounter.config.ResetShards.MAX_SHARD_BYTES);
    }
  }

  /**
   * This datacenter's reset keys after what every other datacenter's copy holds beyond them was
   * merged back (one key per write; a key written meanwhile is merged next round), with those
   * copies (null when a datacenter was out of reach). {@code local}: this datacenter's keys as
   * the round's tick just read them (null: not read); read again only after a merge back wrote
   * (the fold's writes are CAS: a key changed since fails and is tried next round).
   */
  static CompletionStage<Reading> read(Consul consul, String dc, DeadGenerations.Known known, List<KvEntry> local) {
    String prefix = ResetRecord.prefix(dc);
    List<KvEntry>[] now = new List[] {local};
    java.util.function.Supplier<CompletionStage<List<KvEntry>>> localNow = () -> now[0] != null ? CompletableFuture.completedFuture(now[0])
        : consul.kvTree(null, prefix, 0, Duration.ZERO).thenApply(r -> {
          now[0] = r.value();
          return r.value();
        });
    // Every datacenter that ever beat here must answer, not only those Consul lists now (one
    // not joined again after a restart is not "none to ask").
    return consul.kvKeys(null, hitcounter.replicate.HeartbeatView.ROOT).thenCombine(consul.datacenters(), (beats, listed) -> {
      java.util.Set<String> all = new java.util.TreeSet<>(listed);
      beats.forEach(k -> all.add(k.substring(hitcounter.replicate.HeartbeatView.ROOT.length())));
      return all;
    }).thenCompose(all -> {
      Map<String, List<KvEntry>> copies = new TreeMap<>();
      String[] missing = {null};
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (String other : all) {
        if (other.equals(dc)) {
          continue;
        }
        chain = chain.thenCompose(x -> consul.kvTree(other, prefix, 0, Duration.ZERO)
            .thenCompose(copy -> localNow.get().thenApply(here -> {
              copies.put(other, copy.value());
              List<TxnOp> ops = ResetFold.back(dc, copy.value(), here, known.get());
              if (!ops.isEmpty()) {
                now[0] = null; // what is merged back is read again
              }
              return ops;
            }))
            .thenCompose(ops -> hitcounter.infra.consul.SingleWrites.each(consul, ops,
                op -> LOG.warn("reset key {} of {} brought back from the copy in {} (a restore or a wipe here had taken it back)", op.key(), dc, other)))
            .exceptionally(e -> {
              missing[0] = other;
              LOG.debug("reset keys of {} not read in {} this round: {}", dc, other, e.toString());
              return null;
            }));
      }
      List<com.fasterxml.jackson.databind.JsonNode> sites = new java.util.ArrayList<>();
      for (String any : all) {
        chain = chain.thenCompose(x -> consul.kvTree(any.equals(dc) ? null : any, ConfigKeys.ROOT, 0, Duration.ZERO)
            .thenAccept(config -> sites.add(DeadGenerations.sitesIn(config.value())))
            .exceptionally(e -> {
              missing[0] = any;
              return null;
            }));
      }
      return chain.thenCompose(x -> localNow.get())
          .thenApply(here -> missing[0] != null ? new Reading(here, null, DeadGenerations.NONE, missing[0])
              : new Reading(here, copies, DeadGenerations.seenByAll(sites), null));
    });
  }
}
