package hitcounter.infra.beanstalk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hitcounter.testkit.Beanstalkd;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The name of a beanstalkd run against a real beanstalkd (decision 0017): the same for every
 * connection and across a restart with the binlog, new after a restart without it; the marker
 * never shows as a hit job waiting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunMarkerIT {
  private final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  private BeanstalkClient client(int port) {
    return new BeanstalkClient(testKit.system(), new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(2), 64);
  }

  private static String name(Beanstalk b) throws Exception {
    return b.incarnation(Beanstalk.ANY_CONNECTION).toCompletableFuture().get();
  }

  @Test
  void aRunKeepsItsNameWithItsBinlogAndGetsANewOneWithout() throws Exception {
    Path dir = Path.of("target", "it", "run-marker");
    wipe(dir);
    Files.createDirectories(dir);
    Beanstalkd first = new Beanstalkd(dir).start();
    int port = first.port();
    String run;
    long lastId;
    try (BeanstalkClient a = client(port); BeanstalkClient b = client(port)) {
      var both = a.incarnation(Beanstalk.ANY_CONNECTION).toCompletableFuture().thenCombine(b.incarnation(Beanstalk.ANY_CONNECTION).toCompletableFuture(), (x, y) -> new String[] {x, y}).get();
      assertEquals(both[0], both[1], "two connections naming a fresh beanstalkd at once take one name");
      run = both[0];
      assertEquals(run, name(a), "asked again: the same");
      assertEquals("0", a.stats().toCompletableFuture().get().get("current-jobs-ready"), "the marker is no hit job waiting");
      lastId = a.put("home".getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
      assertEquals("1", a.stats().toCompletableFuture().get().get("current-jobs-ready"));
      long stale = a.reserve(Duration.ofSeconds(1)).toCompletableFuture().get().orElseThrow().connection();
      first.kill();
      Beanstalkd again = new Beanstalkd(dir, port).start();
      try {
        try {
          a.stats().toCompletableFuture().get(); // the dead connection is seen closed (this call fails, or opens a new one)
        } catch (ExecutionException seen) {
          // the call that found it broken
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> a.incarnation(stale).toCompletableFuture().get(),
            "the connection that reserved the job is gone: its run cannot be named any more");
        assertTrue(e.getCause() instanceof NotQueued, e.toString());
        assertEquals(run, name(a), "restarted with its binlog: the same run");
        long next = a.put("home".getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get();
        assertTrue(next > lastId, "job ids go on with the binlog");
      } finally {
        again.kill();
      }
      wipe(dir.resolve("beanstalkd-" + port));
      Beanstalkd lost = new Beanstalkd(dir, port).start();
      try {
        String fresh = name(b);
        assertNotEquals(run, fresh, "restarted without its binlog: a new run");
        assertEquals(2L, b.put("home".getBytes(StandardCharsets.US_ASCII), 1024, Duration.ZERO, Duration.ofSeconds(60)).toCompletableFuture().get(),
            "ids start from 1 again (the new marker took 1)");
      } finally {
        lost.close();
      }
    }
  }

  @Test
  void aJobInTheMarkersTubeThatIsNoMarkerIsDeletedNotTakenForOne() throws Exception {
    Path dir = Path.of("target", "it", "run-marker-junk");
    wipe(dir);
    Beanstalkd server = new Beanstalkd(Files.createDirectories(dir)).start();
    try (BeanstalkClient a = client(server.port())) {
      PipelinedConnection raw = new PipelinedConnection(testKit.system(), new InetSocketAddress("127.0.0.1", server.port()), Duration.ofSeconds(2), 8);
      var replies = raw.sendAll(java.util.List.of(ascii("use " + RunMarker.TUBE + "\r\n"), ascii("put 0 0 60 4\r\njunk\r\n"))).toCompletableFuture().get();
      assertEquals("INSERTED", replies.get(1).word());
      raw.close();
      String run = name(a);
      assertTrue(run.matches("[0-9a-z]{1,13}"), run);
      try (BeanstalkClient b = client(server.port())) {
        assertEquals(run, name(b), "the marker made in its place names the run for everyone");
      }
    } finally {
      server.close();
    }
  }

  private static org.apache.pekko.util.ByteString ascii(String s) {
    return org.apache.pekko.util.ByteString.fromString(s, StandardCharsets.US_ASCII);
  }

  private static void wipe(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
