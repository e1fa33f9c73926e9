package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.testkit.Await;
import hitcounter.testkit.Beanstalkd;
import hitcounter.testkit.ConsulServer;
import hitcounter.testkit.Resources;
import hitcounter.testkit.TestNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real beanstalkd whose binlog writes start failing with EIO (an LD_PRELOAD shim built here
 * with cc): beanstalkd turns its binlog off and keeps answering INSERTED. The node notices in
 * its next stats reading and from then on answers 503 with the reason, and is not ready.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BinlogFailureIT {
  private final Resources resources = new Resources();
  private TestNode node;
  private Path flag;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", "binlog-" + UUID.randomUUID()));
    Path source = dir.resolve("binlog_eio.c");
    try (InputStream in = getClass().getResourceAsStream("/faults/binlog_eio.c")) {
      Files.write(source, in.readAllBytes());
    }
    Path shim = dir.resolve("binlog_eio.so");
    Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-O2", "-o", shim.toString(), source.toString(), "-ldl").inheritIO().start();
    assertTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, "the shim builds");
    flag = dir.resolve("binlog-fails-now");
    ConsulServer consul = resources.keep(new ConsulServer("us-west", dir).start());
    Beanstalkd queue = resources.keep(new Beanstalkd(dir)
        .withEnv("LD_PRELOAD", shim.toAbsolutePath().toString())
        .withEnv("HC_BINLOG_FAIL_FLAG", flag.toAbsolutePath().toString())
        .start());
    node = resources.keep(new TestNode("us-west", "us-west-0", consul.url(), queue.port()));
  }

  @AfterAll
  void stop() {
    resources.close();
  }

  @Test
  void aBinlogThatStopsWritingStopsTheAcknowledgements() {
    String page = "binlog-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 40; i++) {
      assertEquals(200, node.call("POST", "/api/hits/" + page).statusCode(), "a working binlog");
    }
    try {
      Files.createFile(flag); // from now on the disk fails under the binlog
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    int ok = 0;
    long refusedAt = -1;
    for (int i = 0; i < 400 && refusedAt < 0; i++) {
      var r = node.call("POST", "/api/hits/" + page);
      if (r.statusCode() == 200) {
        ok++;
      } else if (r.statusCode() == 504) {
        // The put that met the write error: beanstalkd keeps the job buried, not on disk.
        assertTrue(r.body().contains("BURIED"), r.body());
      } else {
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("binlog"), r.body());
        refusedAt = i;
      }
      sleep(10);
    }
    assertTrue(refusedAt > 0, "hits are refused once the binlog fails");
    // Within a reading or two (250 ms, about 25 hits each here) of the failure, and for good.
    assertTrue(ok <= 2 * 25 + 5, "acknowledged " + ok + " after the binlog failed");
    for (int i = 0; i < 10; i++) {
      assertEquals(503, node.call("POST", "/api/hits/" + page).statusCode());
    }
    Await.until("not ready", Duration.ofSeconds(5), () -> node.management("/health/ready").statusCode() != 200);
    String metrics = node.call("GET", "/metrics").body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hitcounter_hits_total{") && l.contains("rejected") && !l.endsWith(" 0.0")));
    // An alert tells this 503 from a beanstalkd that is down: the binlog's gauge says it stopped,
    // the one of beanstalkd's answers says it still answers, and the node says it is not ready.
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hitcounter_binlog_writing{") && l.endsWith(" 0.0")), "binlog gauge 0");
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hitcounter_beanstalk_answering{") && l.endsWith(" 1.0")), "beanstalkd answers");
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hitcounter_ready{") && l.endsWith(" 0.0")), "not ready");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
