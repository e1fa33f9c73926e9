package hitcounter.infra.beanstalk;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * The name of a beanstalkd run (decision 0017): a marker job in tube {@link #TUBE}, which no
 * worker watches, put by the first who finds none. It lives exactly as long as the jobs do: a
 * beanstalkd restarted with its binlog keeps the marker and its job ids go on; one restarted
 * without starts with neither, and its next marker names the new run.
 *
 * <p>The marker is read on a connection of its own, opened and closed here, so the shared
 * connection never switches tube (a put sent there meanwhile would land in the wrong tube).
 * Two readers that find no marker at once both put one; each then reads the oldest ready
 * marker again (equal priority: lowest id first), so both take the same name.
 */
public final class RunMarker {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunMarker.class);
  /** The tube of run markers. */
  public static final String TUBE = "hitcounter-run";
  static final String PREFIX = "hitcounter run ";

  private RunMarker() {}

  /** Reads (or makes) the marker of the beanstalkd at {@code address}; completes with its name. */
  static CompletionStage<String> read(ActorSystem<?> system, InetSocketAddress address, Duration connectTimeout) {
    PipelinedConnection side = new PipelinedConnection(system, address, connectTimeout, 8);
    CompletionStage<String> name = side.sendAll(List.of(ascii("use " + TUBE + "\r\n"), ascii("peek-ready\r\n")))
        .thenCompose(first -> foundOrPut(side, first.get(1), 3));
    return name.whenComplete((n, e) -> side.close());
  }

  /**
   * The name of the marker peeked ({@code found}), or of the one put now when there was none. A
   * job in the tube that is no marker (put there by hand) is deleted and the tube peeked again,
   * {@code tries} times at most: it must not stop every worker of the queue.
   */
  private static CompletionStage<String> foundOrPut(PipelinedConnection side, Reply found, int tries) {
    if (found.word().equals("FOUND")) {
      if (nameIn(found) != null) {
        return CompletableFuture.completedFuture(nameIn(found));
      }
      if (tries <= 1) {
        return CompletableFuture.failedFuture(new BeanstalkException("tube " + TUBE + " holds jobs that are not run markers (" + found.line() + ")"));
      }
      LOG.warn("deleting job {} of tube {}: it is not a run marker", found.arg(0), TUBE);
      return side.sendAll(List.of(ascii("delete " + found.arg(0) + "\r\n"), ascii("peek-ready\r\n")))
          .thenCompose(again -> foundOrPut(side, again.get(1), tries - 1));
    }
    if (!found.word().equals("NOT_FOUND")) {
      return CompletableFuture.failedFuture(new BeanstalkException("peek-ready in " + TUBE + ": " + found.line()));
    }
    byte[] body = (PREFIX + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)).getBytes(StandardCharsets.US_ASCII);
    ByteString put = ascii("put 0 0 60 " + body.length + "\r\n").concat(ByteString.fromArray(body)).concat(ascii("\r\n"));
    return side.sendAll(List.of(put, ascii("peek-ready\r\n"))).thenApply(second -> {
      if (!second.get(0).word().equals("INSERTED")) {
        throw new BeanstalkException("put of a run marker: " + second.get(0).line());
      }
      if (!second.get(1).word().equals("FOUND")) {
        throw new BeanstalkException("peek-ready in " + TUBE + " after a put: " + second.get(1).line());
      }
      return nameOf(second.get(1));
    });
  }

  /** The name a marker's body gives; fails on a job in the tube that is not a marker. */
  static String nameOf(Reply found) {
    String name = nameIn(found);
    if (name == null) {
      throw new BeanstalkException("tube " + TUBE + " holds a job that is not a run marker (" + found.line() + ")");
    }
    return name;
  }

  /** The name a marker's body gives, or null when the job is no marker. */
  private static String nameIn(Reply found) {
    String body = found.data().utf8String();
    String name = body.startsWith(PREFIX) ? body.substring(PREFIX.length()) : "";
    boolean valid = !name.isEmpty() && name.length() <= 13 && name.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z'));
    return valid ? name : null;
  }

  private static ByteString ascii(String s) {
    return ByteString.fromString(s, StandardCharsets.US_ASCII);
  }
}
