package hitcounter.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.config.DeadGenerations;
import hitcounter.fakes.FakeConsul;
import hitcounter.store.ImportKeys;
import hitcounter.store.ImportManifest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A deleted site's imports go once every datacenter saw the delete, and no copy brings them back (issue 23). */
class ImportCollectorTest {
  private static void version(FakeConsul consul, String dc, String id, String site, long generation) {
    consul.put(dc, ImportKeys.chunk(id, "us-west-x1", 0), hitcounter.store.CountsCodec.encode(hitcounter.store.CountsCodec.IMPORT, Map.of("/a", 5L)));
    ImportManifest m = new ImportManifest(id, "us-west-x1", site, generation, "csv", 1, 5, 1, "d-" + id, 1, 0, 0, null, null, 1);
    consul.put(dc, ImportKeys.manifest(id, "us-west-x1"), m.bytes());
  }

  @Test
  void importsOfADeadGenerationAreDeletedWithTheirChunksAndNotCopied() throws Exception {
    FakeConsul consul = new FakeConsul("us-west");
    version(consul, "us-west", "f1", "blog", 1);
    version(consul, "us-west", "f2", "blog", 2);
    version(consul, "us-west", "f3", "default", 0);
    DeadGenerations.Known dead = new DeadGenerations.Known();
    dead.set(new DeadGenerations(Map.of("blog", 1L)));
    var manifests = consul.kvTree(null, ImportKeys.MANIFESTS, 0, Duration.ZERO).toCompletableFuture().get().value();
    List<List<hitcounter.infra.consul.TxnOp>> plan = ImportCollector.plan(manifests, dead.get());
    assertEquals(1, plan.size(), "only blog's generation 1");
    for (var txn : plan) {
      assertTrue(consul.txn(null, txn).toCompletableFuture().get().committed());
    }
    List<String> left = consul.kvKeys("us-west", ImportKeys.ROOT).toCompletableFuture().get();
    assertTrue(left.stream().noneMatch(k -> k.contains("/f1/")), left.toString());
    assertEquals(4, left.size(), "f2 and f3, each a chunk and a manifest: " + left);
    // A copy elsewhere still holding f1 copies it back nowhere; f2 goes across.
    FakeConsul eu = consul; // one fake holds both datacenters
    version(eu, "eu-west", "f1", "blog", 1);
    var there = eu.kvTree("eu-west", ImportKeys.MANIFESTS, 0, Duration.ZERO).toCompletableFuture().get().value();
    assertTrue(new ImportCopy(eu, dead).copy("us-west", there).toCompletableFuture().get());
    assertTrue(consul.kvKeys("us-west", ImportKeys.ROOT).toCompletableFuture().get().stream().noneMatch(k -> k.contains("/f1/")), "not brought back");
  }
}
