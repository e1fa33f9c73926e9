package hitcounter.infra.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.infra.Json;
import hitcounter.testkit.ConsulServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Consul access layer against a real Consul 1.8.7 server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsulHttpClientIT {
  private final ActorTestKit testKit = ActorTestKit.create();
  private ConsulServer server;
  private Consul consul;

  @BeforeAll
  void start() throws Exception {
    server = new ConsulServer("dc1", Files.createDirectories(Path.of("target", "it", "consul"))).start();
    consul = new ConsulHttpClient(testKit.system(), Json.mapper(), server.url(), "dc1", Duration.ofSeconds(5), new hitcounter.infra.consul.ConsulMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void transactionsAreCheckAndSetOnEveryKey() throws Exception {
    TxnResult created = consul.txn(null, List.of(TxnOp.cas("t/a", b("1"), 0), TxnOp.cas("t/b", b("1"), 0))).toCompletableFuture().get();
    assertTrue(created.committed());
    long a = created.modifyIndexes().get("t/a");
    TxnResult stale = consul.txn(null, List.of(TxnOp.cas("t/a", b("2"), a), TxnOp.cas("t/b", b("2"), 0))).toCompletableFuture().get();
    assertFalse(stale.committed(), "one stale index rolls the whole transaction back");
    assertEquals("1", consul.kvGet(null, "t/a").toCompletableFuture().get().orElseThrow().valueAsString());
    TxnResult next = consul.txn(null, List.of(TxnOp.cas("t/a", b("2"), a))).toCompletableFuture().get();
    assertTrue(next.committed());
    assertTrue(next.modifyIndexes().get("t/a") > a);
  }

  /** check-index as the heartbeat of a copy uses it: the write goes through only while the checked key is as it was. */
  @Test
  void aCheckIndexHoldsAWriteToTheKeyAsItWas() throws Exception {
    TxnResult created = consul.txn(null, List.of(TxnOp.cas("c/head", b("1"), 0))).toCompletableFuture().get();
    long index = created.modifyIndexes().get("c/head");
    assertTrue(consul.txn(null, List.of(TxnOp.checkIndex("c/head", index), TxnOp.set("c/beat", b("1")))).toCompletableFuture().get().committed());
    assertFalse(consul.txn(null, List.of(TxnOp.checkIndex("c/head", index + 1000), TxnOp.set("c/beat", b("2")))).toCompletableFuture().get().committed());
    assertFalse(consul.txn(null, List.of(TxnOp.checkIndex("c/none", index), TxnOp.set("c/beat", b("3")))).toCompletableFuture().get().committed());
    assertEquals("1", consul.kvGet(null, "c/beat").toCompletableFuture().get().orElseThrow().valueAsString());
  }

  @Test
  void aBlockingQueryAnswersWhenThePrefixChanges() throws Exception {
    consul.kvPut(null, "w/x", b("1")).toCompletableFuture().get();
    Indexed<List<KvEntry>> first = consul.kvTree(null, "w/", 0, Duration.ZERO).toCompletableFuture().get();
    assertEquals(1, first.value().size());
    long t0 = System.nanoTime();
    CompletableFuture<Indexed<List<KvEntry>>> blocked = consul.kvTree(null, "w/", first.index(), Duration.ofSeconds(10)).toCompletableFuture();
    Thread.sleep(300);
    assertFalse(blocked.isDone());
    consul.kvPut(null, "w/y", b("2")).toCompletableFuture().get();
    Indexed<List<KvEntry>> second = blocked.get();
    assertEquals(2, second.value().size());
    assertTrue(second.index() > first.index());
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
  }

  @Test
  void registeredServicesShowUpHealthy() throws Exception {
    consul.register(new ServiceRegistration("svc-1", "svc", "127.0.0.1", server.httpPort, List.of("t"), Map.of("k", "v"),
        null, "127.0.0.1:" + server.httpPort, Duration.ofMillis(500), Duration.ofMinutes(1))).toCompletableFuture().get();
    hitcounter.testkit.Await.until("svc passing", Duration.ofSeconds(10), () -> {
      try {
        var list = consul.healthyInstances("svc", 0, Duration.ZERO).toCompletableFuture().get().value();
        return list.size() == 1 && list.get(0).meta().get("k").equals("v");
      } catch (Exception e) {
        return false;
      }
    });
    consul.deregister("svc-1").toCompletableFuture().get();
    assertTrue(consul.healthyInstances("svc", 0, Duration.ZERO).toCompletableFuture().get().value().isEmpty());
    assertEquals(List.of("dc1"), consul.datacenters().toCompletableFuture().get());
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    server.close();
  }
}
