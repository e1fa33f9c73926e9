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
  /** The tube of run markers. */
  public static final String TUBE = "hitcounter-run";
  static final String PREFIX = "hitcounter run ";

  private RunMarker() {}

  /** Reads (or makes) the marker of the beanstalkd at {@code address}; completes with its name. */
  static CompletionStage<String> read(ActorSystem<?> system, InetSocketAddress address, Duration connectTimeout) {
    PipelinedConnection side = new PipelinedConnection(system, address, connectTimeout, 8);
    CompletionStage<String> name = side.sendAll(List.of(ascii("use " + TUBE + "\r\n"), ascii("peek-ready\r\n")))
        .thenCompose(first -> foundOrPut(side, first.get(1)));
    return name.whenComplete((n, e) -> side.close());
  }

  /** The name of the marker peeked ({@code found}), or of the one put now when there was none. */
  private static CompletionStage<String> foundOrPut(PipelinedConnection side, Reply found) {
    if (found.word().equals("FOUND")) {
      return CompletableFuture.completedFuture(nameOf(found));
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
    String body = found.data().utf8String();
    String name = body.startsWith(PREFIX) ? body.substring(PREFIX.length()) : "";
    if (name.isEmpty() || name.length() > 13 || !name.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z'))) {
      throw new BeanstalkException("tube " + TUBE + " holds a job that is not a run marker (" + found.line() + ")");
    }
    return name;
  }

  private static ByteString ascii(String s) {
    return ByteString.fromString(s, StandardCharsets.US_ASCII);
  }
}
