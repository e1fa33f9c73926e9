package hitcounter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.audit.AuditKeys;
import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Audit keys stay bounded through node restarts (issue 23, decision 0018), on two real
 * datacenters: a node restarted 6 times leaves one run key per start; the keeper folds those at
 * rest into us-west's archive, the copies in eu-west go too, and both datacenters' audits show
 * every acknowledged hit once per source, before and after. A node whose run was folded while
 * it ran and that counts again goes on under a new key, its figures still whole.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditArchiveIT {
  private static final String FOLD = "hitcounter.audit.fold-after = 2s\nhitcounter.audit.fold-interval = 300ms\n";
  private final Resources resources = new Resources();
  private ConsulServer us;
  private ConsulServer eu;
  private Path dir;
  private TestNode keeper;
  private TestNode euNode;
  private int restartedQueue;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createDirectories(Path.of("target", "it", "audit-archive-" + UUID.randomUUID()));
    List<ConsulServer> consuls = ConsulServer.twoDatacenters(dir, resources);
    us = consuls.get(0);
    eu = consuls.get(1);
    keeper = resources.keep(new TestNode("us-west", "us-west-0", us.url(), resources.keep(new Beanstalkd(dir).start()).port(), FOLD));
    euNode = resources.keep(new TestNode("eu-west", "eu-west-0", eu.url(), resources.keep(new Beanstalkd(dir).start()).port(), FOLD));
    restartedQueue = resources.keep(new Beanstalkd(dir).start()).port();
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  private static long hit(TestNode node, int n) {
    long acked = 0;
    for (int i = 0; i < n; i++) {
      acked += node.call("POST", "/api/hits/audit-page").statusCode() == 200 ? 1 : 0;
    }
    return acked;
  }

  /** us-west's audit keys as {@code consul} holds them (its own, or eu-west's copies). */
  private static List<String> auditKeys(ConsulServer consul) {
    String body = consul.get("/v1/kv/" + AuditKeys.prefix("us-west") + "?keys");
    if (body.isBlank()) {
      return List.of();
    }
    List<String> keys = new java.util.ArrayList<>();
    Resources.json(body).forEach(k -> keys.add(k.asText()));
    keys.removeIf(hitcounter.infra.consul.Consul::isWatchMarker); // the prefix's watch marker, one for good
    return keys;
  }

  private static long accepted(TestNode node, String source) {
    JsonNode audit = Resources.json(node.call("GET", "/api/audit").body());
    return audit.path("sources").path(source).path("accepted").asLong();
  }

  @Test
  void restartsLeaveNoKeysBehindAndEveryFigureCountsOnceInBothDatacenters() {
    long restartedAcked = 0;
    for (int start = 0; start < 6; start++) {
      try (TestNode node = new TestNode("us-west", "us-west-1", us.url(), restartedQueue, FOLD)) {
        long acked = hit(node, 5);
        restartedAcked += acked;
        long expected = restartedAcked;
        Await.until("us-west-1's run written", Duration.ofSeconds(20), () -> accepted(keeper, "us-west/us-west-1") == expected);
      }
    }
    long keeperAcked = hit(keeper, 7);
    long restarted = restartedAcked;
    for (TestNode reader : List.of(keeper, euNode)) {
      Await.until(() -> reader.datacenter + " shows every acknowledged hit once per source: " + accepted(reader, "us-west/us-west-1") + " of " + restarted,
          Duration.ofSeconds(30), () -> accepted(reader, "us-west/us-west-1") == restarted && accepted(reader, "us-west/us-west-0") == keeperAcked);
    }
    // At rest, every run is folded: us-west's archive and nothing else, in both datacenters.
    for (ConsulServer consul : List.of(us, eu)) {
      Await.until(() -> consul.datacenter() + " holds us-west's audit archive alone: " + auditKeys(consul), Duration.ofSeconds(30),
          () -> auditKeys(consul).equals(List.of(AuditKeys.archive("us-west"))));
    }
    assertEquals(restarted, accepted(euNode, "us-west/us-west-1"), "folded: the same figures");
    assertEquals(keeperAcked, accepted(euNode, "us-west/us-west-0"));
    // The keeper's own run was folded while it runs: it counts again under a new key, whole.
    long more = hit(keeper, 4);
    for (TestNode reader : List.of(keeper, euNode)) {
      Await.until(() -> reader.datacenter + " shows the keeper's later hits: " + accepted(reader, "us-west/us-west-0"), Duration.ofSeconds(30),
          () -> accepted(reader, "us-west/us-west-0") == keeperAcked + more);
    }
    assertTrue(auditKeys(us).size() <= 2, "the archive and the keeper's new run: " + auditKeys(us));
  }
}
