package hitcounter.replicate;

import hitcounter.audit.AuditKeys;
import hitcounter.config.ConfigKeys;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The small keys a keeper copies besides its store: this datacenter's audit figures and
 * rollback records (max per figure), settings (the winning write), resets and salts (their own
 * merges; reset records folded into shards leave the copies, decision 0019), imports (the union of their versions, {@link ImportCopy}), as last read per prefix, with the generation at which each prefix last changed, so a
 * round copies only the prefixes changed since its last copy to a target; and the copy itself
 * (read the target, write what is behind, {@link MaxMerge}).
 */
final class SmallCopy {
  private final Consul consul;
  private final BadValues bad;
  private final Map<String, MaxMerge.Merge> merges = new HashMap<>();
  private final Map<String, List<KvEntry>> small = new HashMap<>();
  private final Map<String, Long> changedAt = new HashMap<>();
  private final ImportCopy imports;
  private long gen;

  private final hitcounter.config.DeadGenerations.Known dead;

  /** {@code dead}: generations of deleted sites every datacenter has seen deleted, left out of copies of reset shards (decision 0019). */
  SmallCopy(Consul consul, BadValues bad, hitcounter.config.DeadGenerations.Known dead) {
    this.consul = consul;
    this.bad = bad;
    this.dead = dead;
    this.imports = new ImportCopy(consul, dead);
    String dc = consul.localDatacenter();
    merges.put(AuditKeys.prefix(dc), MaxMerge.AUDIT);
    merges.put(hitcounter.audit.LostKeys.prefix(dc), MaxMerge.COUNTERS);
    merges.put(ConfigKeys.prefix(dc), MaxMerge.LAST_WRITER);
    merges.put(hitcounter.config.ResetRecord.prefix(dc), (source, target) -> hitcounter.config.ResetShards.merged(source, target, dead.get()));
    merges.put(hitcounter.config.SaltRecord.prefix(dc), MaxMerge.SALTS);
  }

  /** The prefixes copied: this datacenter's small keys, and the import manifests of every datacenter ({@link ImportCopy}). */
  Set<String> prefixes() {
    Set<String> all = new java.util.TreeSet<>(merges.keySet());
    all.add(hitcounter.store.ImportKeys.MANIFESTS);
    return all;
  }

  /** The generation of the last change. */
  long gen() {
    return gen;
  }

  /** Takes a reading of {@code prefix}; true when it changed (a watch may answer without a change). */
  boolean read(String prefix, List<KvEntry> entries) {
    List<KvEntry> before = small.put(prefix, entries);
    if (KvEntry.sameVersions(before, entries)) {
      return false;
    }
    changedAt.put(prefix, ++gen);
    return true;
  }

  /** The prefixes (as last read) changed after generation {@code since}. */
  Map<String, List<KvEntry>> changedSince(long since) {
    Map<String, List<KvEntry>> out = new HashMap<>();
    small.forEach((prefix, entries) -> {
      if (changedAt.getOrDefault(prefix, 0L) > since) {
        out.put(prefix, entries);
      }
    });
    return out;
  }

  /** Copies {@code snapshot} (prefix by prefix) into {@code dc}; true when nothing was left behind. */
  CompletionStage<Boolean> copy(String dc, Map<String, List<KvEntry>> snapshot) {
    CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
    for (var e : snapshot.entrySet()) {
      all = all.thenCompose(ok -> copy(dc, e.getKey(), e.getValue()).thenApply(done -> ok && done));
    }
    return all;
  }

  private CompletionStage<Boolean> copy(String dc, String prefix, List<KvEntry> source) {
    if (prefix.equals(hitcounter.store.ImportKeys.MANIFESTS)) {
      return imports.copy(dc, source);
    }
    return consul.kvTree(dc, prefix, 0, Duration.ZERO).thenCompose(target -> {
      CompletionStage<Boolean> merged = apply(dc, MaxMerge.plan(source, target.value(), merges.get(prefix), bad));
      String here = consul.localDatacenter();
      // Copies of run keys this datacenter folded into its archive (decision 0018), and of reset
      // records it folded into its shards (0019), go too, once every merge landed: what the
      // target holds must fold them before they leave.
      List<TxnOp> stale = prefix.equals(AuditKeys.prefix(here)) ? hitcounter.audit.AuditFold.staleCopies(here, source, target.value())
          : prefix.equals(hitcounter.config.ResetRecord.prefix(here)) ? hitcounter.config.ResetFold.staleCopies(here, source, target.value(), dead.get())
          : List.of();
      return merged.thenCompose(ok -> ok && !stale.isEmpty() ? apply(dc, stale) : CompletableFuture.completedFuture(ok));
    });
  }

  /** Applies {@code ops} in {@code dc}, chunk by chunk; true when every chunk committed. */
  private CompletionStage<Boolean> apply(String dc, List<TxnOp> ops) {
    CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
    for (List<TxnOp> chunk : EntryCopy.pack(ops, List.of())) {
      if (!chunk.isEmpty()) {
        all = all.thenCompose(ok -> consul.txn(dc, chunk).thenApply(r -> ok && r.committed()));
      }
    }
    return all;
  }
}
