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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows imported counts (decision 0015): watches the import manifests in the local Consul
 * ({@code hitcounter/imports/m/}, small; every datacenter's versions, copied by the keepers) and
 * loads what is new into the table's imported column. An import is shown once whatever the number
 * of its versions: versions with the same digest are one content (one is read), versions that
 * differ merge by max per page. A new import is added; anything else (a version of another
 * content, an import gone after a restore) reloads every import. An import whose chunks cannot
 * be read is left out, logged and listed ({@link ImportsKnown#unapplied}), and tried again.
 */
public final class ImportView {
  private static final Logger log = LoggerFactory.getLogger(ImportView.class);
  private static final Duration RETRY = Duration.ofSeconds(2);

  public sealed interface Command {}

  private record Changed(Indexed<List<KvEntry>> entries) implements Command {}

  private record Loaded(Map<String, Set<String>> applied, Map<String, String> unapplied, Throwable failure) implements Command {}

  private enum Retry implements Command {
    INSTANCE
  }

  private ImportView() {}

  public static Behavior<Command> create(Consul consul, CountTable table, ImportsKnown known, BadValues bad, BlockingQueryWatch.Settings watch, Duration wait) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      BlockingQueryWatch.BlockingQuery<List<KvEntry>> query = index -> consul.kvTree(null, ImportKeys.MANIFESTS, index, wait);
      ctx.spawn(BlockingQueryWatch.create(query, ctx.getSelf(), Changed::new, watch), "watch");
      State s = new State(consul, table, known, bad);
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, m -> {
            s.latest = s.parse(m.entries().value());
            s.next(ctx.getSelf()::tell, timers);
            return Behaviors.same();
          })
          .onMessage(Retry.class, m -> {
            s.next(ctx.getSelf()::tell, timers);
            return Behaviors.same();
          })
          .onMessage(Loaded.class, m -> {
            s.loaded(m, timers);
            s.next(ctx.getSelf()::tell, timers);
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** The view's state: the manifests last read, what the table shows (id → digests), a load in flight. */
  private static final class State {
    final Consul consul;
    final CountTable table;
    final ImportsKnown known;
    final BadValues bad;
    Map<String, List<ImportManifest>> latest;
    Map<String, Set<String>> applied = new HashMap<>();
    Map<String, String> unapplied = new HashMap<>();
    boolean loading;
    boolean again;

    State(Consul consul, CountTable table, ImportsKnown known, BadValues bad) {
      this.consul = consul;
      this.table = table;
      this.known = known;
      this.bad = bad;
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

    static Map<String, Set<String>> digests(Map<String, List<ImportManifest>> byId) {
      Map<String, Set<String>> out = new HashMap<>();
      byId.forEach((id, versions) -> versions.forEach(v -> out.computeIfAbsent(id, x -> new TreeSet<>()).add(v.digest())));
      return out;
    }

    /** Starts the load the latest reading needs, unless one is in flight or nothing changed. */
    void next(java.util.function.Consumer<Command> self, org.apache.pekko.actor.typed.javadsl.TimerScheduler<Command> timers) {
      if (latest == null) {
        return;
      }
      if (loading) {
        again = true;
        return;
      }
      Map<String, Set<String>> want = digests(latest);
      boolean retry = !unapplied.isEmpty();
      if (want.equals(applied) && !retry) {
        known.set(latest, applied.keySet(), unapplied);
        return;
      }
      // Only new imports (every import shown is still there, with the same contents): add them.
      boolean onlyNew = applied.entrySet().stream().allMatch(e -> e.getValue().equals(want.get(e.getKey())));
      Map<String, List<ImportManifest>> toLoad = new TreeMap<>();
      latest.forEach((id, versions) -> {
        if (!onlyNew || !applied.containsKey(id)) {
          toLoad.put(id, versions);
        }
      });
      loading = true;
      Map<String, List<ImportManifest>> reading = latest;
      load(toLoad, !onlyNew).whenComplete((r, e) -> self.accept(e != null ? new Loaded(null, null, e)
          : new Loaded(merged(onlyNew ? applied : Map.of(), r.applied()), r.unapplied(), null)));
      known.set(reading, applied.keySet(), unapplied);
    }

    private static Map<String, Set<String>> merged(Map<String, Set<String>> a, Map<String, Set<String>> b) {
      Map<String, Set<String>> out = new HashMap<>(a);
      out.putAll(b);
      return out;
    }

    void loaded(Loaded m, org.apache.pekko.actor.typed.javadsl.TimerScheduler<Command> timers) {
      loading = false;
      if (m.failure() != null) {
        log.warn("imports not loaded: {} (tried again in {} s)", m.failure().toString(), RETRY.toSeconds());
        timers.startSingleTimer(Retry.INSTANCE, RETRY);
        return;
      }
      for (var e : m.unapplied().entrySet()) {
        if (!unapplied.containsKey(e.getKey())) {
          log.error("import {} cannot be shown: {} (left out, tried again every {} s)", e.getKey(), e.getValue(), RETRY.toSeconds());
        }
      }
      applied = m.applied();
      unapplied = new HashMap<>(m.unapplied());
      if (!unapplied.isEmpty()) {
        timers.startSingleTimer(Retry.INSTANCE, RETRY);
      }
      known.set(latest, applied.keySet(), unapplied);
    }

    private record Result(Map<String, Set<String>> applied, Map<String, String> unapplied) {}

    /** Stages every import of {@code imports} (one after the other), then shows them: in place of all ({@code replace}) or added. */
    private CompletionStage<Result> load(Map<String, List<ImportManifest>> imports, boolean replace) {
      table.imports().begin();
      Map<String, Set<String>> done = new HashMap<>();
      Map<String, String> failed = new HashMap<>();
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (var e : imports.entrySet()) {
        chain = chain.thenCompose(x -> loadImport(e.getValue()).handle((digests, err) -> {
          if (err == null) {
            table.imports().endImport();
            done.put(e.getKey(), digests);
          } else {
            table.imports().dropImport();
            failed.put(e.getKey(), err instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause().getMessage() : err.getMessage());
          }
          return null;
        }));
      }
      return chain.thenApply(x -> {
        table.imports().commit(replace);
        return new Result(done, failed);
      });
    }

    /** Stages one import: one readable version per digest (versions of a digest hold the same counts). */
    private CompletionStage<Set<String>> loadImport(List<ImportManifest> versions) {
      Map<String, List<ImportManifest>> byDigest = new TreeMap<>();
      versions.forEach(v -> byDigest.computeIfAbsent(v.digest(), d -> new ArrayList<>()).add(v));
      CompletionStage<Set<String>> chain = CompletableFuture.completedFuture(new HashSet<>());
      for (var e : byDigest.entrySet()) {
        chain = chain.thenCompose(set -> firstReadable(e.getValue(), 0).thenApply(x -> {
          set.add(e.getKey());
          return set;
        }));
      }
      return chain;
    }

    /** Reads version {@code i} of {@code same} (one content), or the next when one of its chunks cannot be read. */
    private CompletionStage<Void> firstReadable(List<ImportManifest> same, int i) {
      ImportManifest v = same.get(i);
      return readChunks(v).thenApply(chunks -> {
        for (int n = 0; n < chunks.size(); n++) {
          table.imports().stageChunk(chunks.get(n));
        }
        return (Void) null;
      }).exceptionallyCompose(e -> i + 1 < same.size() ? firstReadable(same, i + 1) : CompletableFuture.failedFuture(e));
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
