package hitcounter.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.count.ImportView;
import hitcounter.count.ImportWriter;
import hitcounter.count.ImportsKnown;
import hitcounter.fakes.FakeConsul;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.ServiceInstance;
import hitcounter.infra.consul.ServiceRegistration;
import hitcounter.infra.consul.TxnOp;
import hitcounter.infra.consul.TxnResult;
import hitcounter.store.CountTable;
import hitcounter.store.ImportKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Imports through their whole life on fakes: written in one datacenter, written again in the other
 * during a cut, copied both ways, shown once; a version of other counts shown in place of the
 * other, the same on every node; a restarted view adds nothing; a restore takes nothing away and a
 * copy brings the keys back; masked by a reset. (On real Consul: ImportIT.)
 */
class ImportsStoreTest {
  static final ActorTestKit KIT = ActorTestKit.create();
  static final BlockingQueryWatch.Settings WATCH = new BlockingQueryWatch.Settings(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(50));

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** The same fake Consul seen from another datacenter (its local one). */
  record LocalAs(FakeConsul c, String dc) implements Consul {
    String at(String d) {
      return d == null ? dc : d;
    }

    public String localDatacenter() {
      return dc;
    }

    public CompletionStage<Indexed<List<KvEntry>>> kvTree(String d, String prefix, long index, Duration wait) {
      return c.kvTree(at(d), prefix, index, wait);
    }

    public CompletionStage<Optional<KvEntry>> kvGet(String d, String key) {
      return c.kvGet(at(d), key);
    }

    public CompletionStage<Optional<byte[]>> kvGetRaw(String d, String key) {
      return c.kvGetRaw(at(d), key);
    }

    public CompletionStage<Boolean> kvPut(String d, String key, byte[] value) {
      return c.kvPut(at(d), key, value);
    }

    public CompletionStage<Boolean> kvPutCas(String d, String key, byte[] value, long index) {
      return c.kvPutCas(at(d), key, value, index);
    }

    public CompletionStage<List<String>> kvKeys(String d, String prefix) {
      return c.kvKeys(at(d), prefix);
    }

    public CompletionStage<TxnResult> txn(String d, List<TxnOp> ops) {
      return c.txn(at(d), ops);
    }

    public CompletionStage<Indexed<List<ServiceInstance>>> healthyInstances(String service, long index, Duration wait) {
      return c.healthyInstances(service, index, wait);
    }

    public CompletionStage<List<String>> datacenters() {
      return c.datacenters();
    }

    public CompletionStage<Void> register(ServiceRegistration registration) {
      return c.register(registration);
    }

    public CompletionStage<Void> deregister(String serviceId) {
      return c.deregister(serviceId);
    }
  }

  static ImportWriter.Request request(String id, Map<String, Long> counts) {
    TreeMap<String, Long> t = new TreeMap<>(counts);
    return new ImportWriter.Request(id, "default", 0, "csv", t, t.values().stream().mapToLong(Long::longValue).sum(), t.size(), 0, 0, null, null);
  }

  static void eventually(BooleanSupplier ok, String what) throws InterruptedException {
    long until = System.nanoTime() + 5_000_000_000L;
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within 5 s: " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void anImportWrittenInTwoDatacentersIsShownOnceAndComesBackAfterARestore() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    Consul eu = new LocalAs(consul, "eu-west");
    CountTable us = new CountTable();
    CountTable euTable = new CountTable();
    ImportsKnown usKnown = new ImportsKnown();
    KIT.spawn(ImportView.create(consul, us, usKnown, new BadValues(), WATCH, Duration.ofMillis(200)));
    KIT.spawn(ImportView.create(eu, euTable, new ImportsKnown(), new BadValues(), WATCH, Duration.ofMillis(200)));
    var before = consul.snapshot("us-west");

    var first = new ImportWriter(consul, "us-west").write(request("f1", Map.of("/a", 3L, "/b", 4L))).toCompletableFuture().get();
    assertFalse(first.already());
    eventually(() -> us.totalOf("/a") == 3 && us.totalOf("/b") == 4, "us-west shows the import");
    assertEquals(3, us.importedOf("/a"));
    assertEquals(Map.of(), us.countsOf("/a"), "imports are not a datacenter");
    assertFalse(us.datacenters().contains(CountTable.IMPORTED));
    assertTrue(new ImportWriter(consul, "us-west").write(request("f1", Map.of("/a", 3L, "/b", 4L))).toCompletableFuture().get().already());

    // eu-west, cut off, takes the same file: a version of its own
    var again = new ImportWriter(eu, "eu-west").write(request("f1", Map.of("/a", 3L, "/b", 4L))).toCompletableFuture().get();
    assertFalse(again.already());
    eventually(() -> euTable.totalOf("/a") == 3, "eu-west shows its version");
    // healed: each keeper copies what the other lacks
    assertTrue(new ImportCopy(consul, new hitcounter.config.DeadGenerations.Known()).copy("eu-west", consul.kvTree(null, ImportKeys.MANIFESTS, 0, Duration.ZERO).toCompletableFuture().get().value())
        .toCompletableFuture().get());
    assertTrue(new ImportCopy(eu, new hitcounter.config.DeadGenerations.Known()).copy("us-west", eu.kvTree(null, ImportKeys.MANIFESTS, 0, Duration.ZERO).toCompletableFuture().get().value())
        .toCompletableFuture().get());
    assertEquals(2, consul.kvKeys("us-west", ImportKeys.MANIFESTS).toCompletableFuture().get().size());
    assertEquals(2, consul.kvKeys("eu-west", ImportKeys.MANIFESTS).toCompletableFuture().get().size());
    eventually(() -> usKnown.byId().getOrDefault("f1", List.of()).size() == 2 && usKnown.shown("f1") != null, "us-west read both versions");
    Thread.sleep(100);
    assertEquals(3, us.totalOf("/a"), "two versions of one import add once");
    assertEquals(3, euTable.totalOf("/a"));

    // A version of other counts (the site's rules changed between two writes), written earlier:
    // every node shows that one, the one shown is taken back first (never both added)
    consul.put("us-west", ImportKeys.chunk("f1", "ap-south-x1", 0),
        hitcounter.store.CountsCodec.encode(hitcounter.store.CountsCodec.IMPORT, Map.of("/a", 5L, "/c", 1L)));
    var odd = new hitcounter.store.ImportManifest("f1", "ap-south-x1", "default", 0, "csv", 2, 6, 1, "other", 2, 0, 0, null, null, 1);
    consul.put("us-west", ImportKeys.manifest("f1", "ap-south-x1"), odd.bytes());
    eventually(() -> us.totalOf("/a") == 5 && us.totalOf("/b") == 0 && us.totalOf("/c") == 1, "the earliest version is shown in place of the other");
    assertTrue(new ImportCopy(consul, new hitcounter.config.DeadGenerations.Known()).copy("eu-west", consul.kvTree(null, ImportKeys.MANIFESTS, 0, Duration.ZERO).toCompletableFuture().get().value())
        .toCompletableFuture().get());
    eventually(() -> euTable.totalOf("/a") == 5 && euTable.totalOf("/b") == 0 && euTable.totalOf("/c") == 1, "eu-west shows the same version");

    // A view that restarts goes on from what the table shows: nothing is added twice
    var again2 = KIT.spawn(ImportView.create(consul, us, new ImportsKnown(), new BadValues(), WATCH, Duration.ofMillis(200)));
    Thread.sleep(300);
    assertEquals(5, us.totalOf("/a"), "a second view over the same table adds nothing");
    KIT.stop(again2);

    // us-west restored to before the import: what is shown stays, and the copy from eu-west brings the keys back
    consul.restore("us-west", before);
    consul.put("us-west", "hitcounter/wake", new byte[0]);
    Thread.sleep(300);
    assertEquals(5, us.totalOf("/a"), "a vanished manifest is a rollback, not a change: nothing goes back and forth");
    assertTrue(consul.kvKeys("us-west", ImportKeys.MANIFESTS).toCompletableFuture().get().isEmpty());
    assertTrue(new ImportCopy(eu, new hitcounter.config.DeadGenerations.Known()).copy("us-west", eu.kvTree(null, ImportKeys.MANIFESTS, 0, Duration.ZERO).toCompletableFuture().get().value())
        .toCompletableFuture().get());
    assertEquals(3, consul.kvKeys("us-west", ImportKeys.MANIFESTS).toCompletableFuture().get().size(), "every version is back");
    eventually(() -> usKnown.byId().getOrDefault("f1", List.of()).size() == 3, "us-west reads them again");
    Thread.sleep(100);
    assertEquals(5, us.totalOf("/a"));
    assertEquals(1, us.totalOf("/c"));

    // A reset takes imported counts away like counted ones
    us.setBaselines("/a", us.rawCountsOf("/a"));
    assertEquals(0, us.totalOf("/a"));
    assertEquals(1, us.totalOf("/c"));
  }

  @Test
  void anImportWhoseChunkIsMissingIsNotShownAndSaysSo() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    CountTable us = new CountTable();
    ImportsKnown known = new ImportsKnown();
    KIT.spawn(ImportView.create(consul, us, known, new BadValues(), WATCH, Duration.ofMillis(200)));
    var m = new hitcounter.store.ImportManifest("f2", "us-west-1", "default", 0, "csv", 1, 2, 2, "d", 1, 0, 0, null, null, 1);
    consul.put("us-west", ImportKeys.chunk("f2", "us-west-1", 0), hitcounter.store.CountsCodec.encode(hitcounter.store.CountsCodec.IMPORT, Map.of("/a", 2L)));
    consul.put("us-west", ImportKeys.manifest("f2", "us-west-1"), m.bytes());
    eventually(() -> known.problems().containsKey("f2"), "the import is listed as not shown");
    assertTrue(known.problems().get("f2").contains("is missing"), known.problems().toString());
    assertEquals(0, us.totalOf("/a"), "nothing of a partial import is shown");
    consul.put("us-west", ImportKeys.chunk("f2", "us-west-1", 1), hitcounter.store.CountsCodec.encode(hitcounter.store.CountsCodec.IMPORT, Map.of("/b", 1L)));
    eventually(() -> us.totalOf("/a") == 2 && us.totalOf("/b") == 1 && known.problems().isEmpty(), "shown once its chunks are there");
  }
}
