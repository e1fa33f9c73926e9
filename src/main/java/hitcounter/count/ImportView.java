package hitcounter.count;

import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import hitcounter.store.CountTable;
import hitcounter.store.CountsCodec;
import hitcounter.store.ImportKeys;
import hitcounter.store.ImportManifest;
import hitcounter.store.TableImports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows imported counts (decision 0015): watches the import manifests in the local Consul
 * ({@code hitcounter/imports/m/}, small; every datacenter's versions, copied by the keepers) and
 * loads into the table's imported column what they add. Each import shows one version, the same
 * on every node: the earliest written ({@code at}, then name). Versions with its digest hold the
 * same counts (any of them is read); a version of other counts (the site's path rules changed
 * between two writes) is never added to it: when it becomes the one to show, the one shown is
 * taken back first. What the table shows stays when its manifest is gone (a restore, until a copy
 * brings it back): names are never deleted, so a vanished manifest is a rollback, not a change.
 * An import whose chunks cannot be read is left out, logged, listed ({@link ImportsKnown}) and
 * tried again with a growing pause.
 */
public final class ImportView {
  private static final Logger log = LoggerFactory.getLogger(ImportView.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(2);
  private static final Duration LAST_RETRY = Duration.ofSeconds(60);

  public sealed interface Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  private record Loaded(Object load, Map<String, String> problems, Throwable failure) implements Command {}

  private enum Retry implements Command {
    INSTANCE
  }

  private ImportView() {}

  public static Behavior<Command> create(Consul consul, CountTable table, ImportsKnown known, BadValues bad, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, ImportKeys.MANIFESTS, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
      State s = new State(consul, table, known, bad, timers, ctx.getSelf()::tell);
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, m -> {
            s.latest = s.parse(m.entries().value());
            s.next();
            return Behaviors.same();
          })
          .onMessage(Retry.class, m -> {
            s.next();
            return Behaviors.same();
          })
          .onMessage(Loaded.class, m -> {
            s.loaded(m);
            s.next();
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** The version of an import every node shows: the earliest written, then by name. */
  static ImportManifest chosen(List<ImportManifest> versions) {
    return versions.stream().min(Comparator.comparingLong(ImportManifest::at).thenComparing(ImportManifest::version)).orElseThrow();
  }

  /** The view's state: the manifests last read, the load in flight, the problems of the last load. */
  private static final class State {
    final Consul consul;
    final CountTable table;
    final ImportsKnown known;
    final BadValues bad;
    final TimerScheduler<Command> timers;
    final java.util.function.Consumer<Command> self;
    Map<String, List<ImportManifest>> latest;
    Map<String, String> problems = Map.of();
    Object loading;
    Duration retry = FIRST_RETRY;

    State(Consul consul, CountTable table, ImportsKnown known, BadValues bad, TimerScheduler<Command> timers, java.util.function.Consumer<Command> self) {
      this.consul = consul;
      this.table = table;
      this.known = known;
      this.bad = bad;
      this.timers = timers;
      this.self = self;
    }

    Map<String, List<ImportManifest>> parse(List<KvEntry> entries) {
      Map<String, List<ImportManifest>> out = new TreeMap<>();
      for (KvEntry e : entries) {
        var m = ImportManifest.parse(e.key(), e.value());
        if (m.isEmpty()) {
          bad.skipped("import-view", e.key(), "not an import manifest");
          continue;
        }
        bad.good("import-view", e.key());
        out.computeIfAbsent(m.get().id(), id -> new ArrayList<>()).add(m.get());
      }
      return out;
    }

    /** Whether the table shows every import as it should (the chosen version's counts). */
    private boolean current(Map<String, ImportManifest> shown) {
      return latest.entrySet().stream().allMatch(e -> {
        ImportManifest s = shown.get(e.getKey());
        return s != null && s.digest().equals(chosen(e.getValue()).digest());
      });
    }

    /** Starts the load the latest reading needs, unless one is in flight or the table shows it already. */
    void next() {
      if (latest == null || loading != null) {
        return;
      }
      if (current(table.imports().shown())) {
        problems = Map.of();
        retry = FIRST_RETRY;
        publish();
        return;
      }
      TableImports.Load load = table.imports().begin();
      loading = load;
      Map<String, String> failed = new TreeMap<>();
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (var e : latest.entrySet()) {
        ImportManifest want = chosen(e.getValue());
        ImportManifest shows = load.before().get(e.getKey());
        if (shows != null && shows.digest().equals(want.digest())) {
          continue;
        }
        List<ImportManifest> same = e.getValue().stream().filter(v -> v.digest().equals(want.digest())).sorted(Comparator.comparing(ImportManifest::version)).toList();
        List<ImportManifest> old = shows == null ? List.of() : withFirst(shows, e.getValue().stream().filter(v -> v.digest().equals(shows.digest())).toList());
        // Both read before anything is staged: an import is switched whole or not at all.
        chain = chain.thenCompose(x -> fetch(withFirst(want, same), 0).thenCombine(takeBack(old), (add, remove) -> {
          remove.forEach(c -> load.stageChunk(c, -1));
          add.forEach(c -> load.stageChunk(c, 1));
          load.endVersion(e.getKey(), want);
          return (Void) null;
        }).handle((ok, err) -> {
          if (err != null) {
            load.dropVersion();
            failed.put(e.getKey(), reason(err));
          }
          return null;
        }));
      }
      chain.thenAccept(x -> load.commit())
          .whenComplete((x, e) -> self.accept(new Loaded(load, failed, e)));
      publish();
    }

    /** The chunks of the version shown (or of any version of its digest), to take it back before another takes its place. */
    private CompletionStage<List<byte[]>> takeBack(List<ImportManifest> old) {
      if (old.isEmpty()) {
        return CompletableFuture.completedFuture(List.of());
      }
      return fetch(old, 0).exceptionallyCompose(e -> CompletableFuture.failedFuture(new IllegalStateException(
          "the version shown (" + old.get(0).version() + ") cannot be read to be replaced by the one every node shows: " + reason(e))));
    }

    private static List<ImportManifest> withFirst(ImportManifest first, List<ImportManifest> all) {
      List<ImportManifest> out = new ArrayList<>();
      out.add(first);
      all.stream().filter(v -> !v.version().equals(first.version())).forEach(out::add);
      return out;
    }

    void loaded(Loaded m) {
      if (m.load() != loading) {
        return; // a load of an earlier incarnation of this view
      }
      loading = null;
      if (m.failure() != null) {
        log.warn("imports not loaded: {} (tried again in {} s)", reason(m.failure()), retry.toSeconds());
        problems = Map.of("*", reason(m.failure()));
      } else {
        // An import whose manifest went meanwhile (a deleted site's, collected) is no problem.
        Map<String, String> now = new java.util.TreeMap<>(m.problems());
        now.keySet().removeIf(id -> latest != null && !latest.containsKey(id));
        for (var e : now.entrySet()) {
          if (!problems.containsKey(e.getKey())) {
            log.error("import {} cannot be shown: {} (left out, tried again)", e.getKey(), e.getValue());
          }
        }
        problems = Map.copyOf(now);
      }
      if (!problems.isEmpty()) {
        timers.startSingleTimer(Retry.INSTANCE, retry);
        retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
      } else {
        retry = FIRST_RETRY;
      }
      publish();
    }

    private void publish() {
      known.set(latest == null ? Map.of() : latest, table.imports().shown(), problems);
    }

    static String reason(Throwable e) {
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return c.getMessage() != null ? c.getMessage() : c.toString();
    }

    /** The chunks of version {@code i} of {@code same} (one content), or of the next when one of its chunks cannot be read. */
    private CompletionStage<List<byte[]>> fetch(List<ImportManifest> same, int i) {
      return readChunks(same.get(i)).exceptionallyCompose(e -> i + 1 < same.size() ? fetch(same, i + 1) : CompletableFuture.failedFuture(e));
    }

    /** Every chunk of version {@code v}, checked to decode, in order; fails naming what is missing or bad. */
    private CompletionStage<List<byte[]>> readChunks(ImportManifest v) {
      List<CompletableFuture<byte[]>> all = new ArrayList<>();
      for (int n = 0; n < v.chunks(); n++) {
        String key = ImportKeys.chunk(v.id(), v.version(), n);
        all.add(consul.kvGetRaw(null, key).toCompletableFuture().thenApply(b -> {
          byte[] value = b.orElseThrow(() -> new IllegalStateException("chunk " + key + " is missing"));
          try {
            CountsCodec.decode(CountsCodec.IMPORT, value, (p, c) -> {});
          } catch (CountsCodec.BadValue bv) {
            bad.skipped("import-view", key, bv.getMessage());
            throw new IllegalStateException("chunk " + key + " does not parse: " + bv.getMessage());
          }
          return value;
        }));
      }
      return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(x -> all.stream().map(CompletableFuture::join).toList());
    }
  }
}
