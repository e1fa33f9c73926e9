package hitcounter.infra.beanstalk;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * {@link Beanstalk} over one pipelined connection, opened on first use and opened again on
 * the next call after it broke. Commands of one call are written back to back.
 */
public final class BeanstalkClient implements Beanstalk {
  private final ActorSystem<?> system;
  private final InetSocketAddress address;
  private final Duration connectTimeout;
  private final int maxInFlight;
  private PipelinedConnection connection;
  private boolean closed;
  /** The connection whose run is named {@link #namedRun} (-1: none yet). */
  private long namedSession = -1;
  private String namedRun;

  public BeanstalkClient(ActorSystem<?> system, InetSocketAddress address, Duration connectTimeout, int maxInFlight) {
    this.system = system;
    this.address = address;
    this.connectTimeout = connectTimeout;
    this.maxInFlight = maxInFlight;
  }

  public InetSocketAddress address() {
    return address;
  }

  @Override
  public CompletionStage<Long> put(java.util.function.LongFunction<byte[]> body, long priority, Duration delay, Duration ttr) {
    return connection()
        .thenCompose(c -> {
          byte[] bytes = body.apply(c.session());
          ByteString command =
              ascii("put " + priority + " " + delay.toSeconds() + " " + Math.max(1, ttr.toSeconds()) + " " + bytes.length + "\r\n")
                  .concat(ByteString.fromArrayUnsafe(bytes))
                  .concat(CRLF);
          return c.send(command);
        })
        .thenApply(
            reply -> {
              if (reply.word().equals("INSERTED")) {
                return Long.parseLong(reply.arg(0));
              }
              if (reply.word().equals("BURIED")) {
                // Stored, but buried (beanstalkd out of memory): queued, yet not to be counted.
                throw new BeanstalkException("put: " + reply.line());
              }
              throw new NotQueued("put refused: " + reply.line());
            });
  }

  @Override
  public CompletionStage<Optional<Job>> reserve(Duration timeout) {
    return connection()
        .thenCompose(c -> c.send(ascii("reserve-with-timeout " + timeout.toSeconds() + "\r\n")).thenApply(r -> reservedOrEmpty(r, c.session())));
  }

  @Override
  public CompletionStage<List<Job>> reserveReady(int max) {
    List<ByteString> commands = new ArrayList<>(max);
    for (int i = 0; i < max; i++) {
      commands.add(RESERVE_NOW);
    }
    return connection()
        .thenCompose(c -> c.sendAll(commands).thenApply(
            replies -> {
              List<Job> jobs = new ArrayList<>();
              for (Reply r : replies) {
                reservedOrEmpty(r, c.session()).ifPresent(jobs::add);
              }
              return jobs;
            }));
  }

  @Override
  public CompletionStage<List<Long>> delete(long connection, List<Long> ids) {
    return each(connection, ids, id -> "delete " + id + "\r\n")
        .thenApply(
            replies -> {
              List<Long> gone = new ArrayList<>();
              for (int i = 0; i < replies.size(); i++) {
                String w = replies.get(i).word();
                if (w.equals("DELETED")) {
                  gone.add(ids.get(i));
                }
              }
              return gone;
            });
  }

  @Override
  public CompletionStage<Void> release(long connection, List<Long> ids, long priority, Duration delay) {
    return each(connection, ids, id -> "release " + id + " " + priority + " " + delay.toSeconds() + "\r\n")
        .thenApply(replies -> null);
  }

  @Override
  public CompletionStage<Boolean> bury(long connection, long id, long priority) {
    return each(connection, List.of(id), x -> "bury " + id + " " + priority + "\r\n")
        .thenApply(replies -> replies.get(0).word().equals("BURIED"));
  }

  @Override
  public CompletionStage<Map<Long, byte[]>> peek(List<Long> ids) {
    return each(Beanstalk.ANY_CONNECTION, ids, id -> "peek " + id + "\r\n")
        .thenApply(
            replies -> {
              Map<Long, byte[]> found = new HashMap<>();
              for (int i = 0; i < replies.size(); i++) {
                String w = replies.get(i).word();
                if (w.equals("FOUND")) {
                  found.put(ids.get(i), replies.get(i).data().toArray());
                } else if (!w.equals("NOT_FOUND")) {
                  throw new BeanstalkException("peek: " + replies.get(i).line());
                }
              }
              return found;
            });
  }

  @Override
  public CompletionStage<List<Long>> touch(long connection, List<Long> ids) {
    return each(connection, ids, id -> "touch " + id + "\r\n")
        .thenApply(
            replies -> {
              List<Long> touched = new ArrayList<>();
              for (int i = 0; i < replies.size(); i++) {
                if (replies.get(i).word().equals("TOUCHED")) {
                  touched.add(ids.get(i));
                }
              }
              return touched;
            });
  }

  @Override
  public CompletionStage<Optional<Duration>> oldestReadyAge() {
    return connection()
        .thenCompose(c -> c.send(ascii("peek-ready\r\n")))
        .thenCompose(
            reply -> {
              if (reply.word().equals("NOT_FOUND")) {
                return CompletableFuture.completedFuture(Optional.<Duration>empty());
              }
              if (!reply.word().equals("FOUND")) {
                throw new BeanstalkException("peek-ready: " + reply.line());
              }
              return connection()
                  .thenCompose(c -> c.send(ascii("stats-job " + reply.arg(0) + "\r\n")))
                  .thenApply(
                      stats -> {
                        if (!stats.word().equals("OK")) {
                          // Taken meanwhile: the next poll sees the next oldest.
                          return Optional.<Duration>of(Duration.ZERO);
                        }
                        long age = Long.parseLong(StatsReplies.yaml(stats).getOrDefault("age", "0"));
                        return Optional.of(Duration.ofSeconds(age));
                      });
            });
  }

  @Override
  public CompletionStage<Map<String, String>> stats() {
    return connection()
        .thenCompose(c -> c.sendAll(List.of(ascii("stats\r\n"), ascii("stats-tube default\r\n"))))
        .thenApply(replies -> StatsReplies.withDefaultTube(replies.get(0), replies.get(1)));
  }

  @Override
  public CompletionStage<String> incarnation(long connection) {
    return connection().thenCompose(c -> {
      if (connection != Beanstalk.ANY_CONNECTION && connection != c.session()) {
        return CompletableFuture.<String>failedFuture(new NotQueued("connection " + connection + " to " + address + " is gone: its run cannot be named"));
      }
      synchronized (this) {
        if (namedSession == c.session()) {
          return CompletableFuture.<String>completedFuture(namedRun);
        }
      }
      return RunMarker.read(system, address, connectTimeout)
          .thenCompose(name -> c.send(ascii("list-tube-used\r\n")).thenApply(reply -> {
            // An answer on c after the marker was read: c's beanstalkd did not restart meanwhile,
            // so the marker names the run of c's jobs.
            if (!reply.word().equals("USING")) {
              throw new BeanstalkException("list-tube-used: " + reply.line());
            }
            synchronized (this) {
              namedSession = c.session();
              namedRun = name;
            }
            return name;
          }));
    });
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (connection != null) {
      connection.close();
    }
  }

  /**
   * One command per id, pipelined, on the open connection; when {@code connection} names another
   * (closed) one, nothing is sent and every command answers NOT_FOUND: the job is not this
   * connection's (any more).
   */
  private CompletionStage<List<Reply>> each(long connection, List<Long> ids, java.util.function.LongFunction<String> command) {
    if (ids.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<ByteString> commands = new ArrayList<>(ids.size());
    for (long id : ids) {
      commands.add(ascii(command.apply(id)));
    }
    return connection().thenCompose(c -> {
      if (connection != Beanstalk.ANY_CONNECTION && connection != c.session()) {
        List<Reply> none = new ArrayList<>(ids.size());
        ids.forEach(id -> none.add(new Reply("NOT_FOUND", ByteString.emptyByteString())));
        return CompletableFuture.completedFuture(none);
      }
      return c.sendAll(commands);
    });
  }

  private synchronized CompletionStage<PipelinedConnection> connection() {
    if (closed) {
      return CompletableFuture.failedFuture(new NotQueued("client closed"));
    }
    if (connection == null || !connection.isOpen()) {
      connection = new PipelinedConnection(system, address, connectTimeout, maxInFlight);
    }
    return CompletableFuture.completedFuture(connection);
  }

  private static Optional<Job> reservedOrEmpty(Reply reply, long connection) {
    switch (reply.word()) {
      case "RESERVED":
        return Optional.of(new Job(Long.parseLong(reply.arg(0)), reply.data().toArray(), connection));
      case "TIMED_OUT":
      case "DEADLINE_SOON":
        return Optional.empty();
      default:
        throw new BeanstalkException("reserve: " + reply.line());
    }
  }

  private static ByteString ascii(String s) {
    return ByteString.fromString(s, StandardCharsets.US_ASCII);
  }

  private static final ByteString CRLF = ascii("\r\n");
  private static final ByteString RESERVE_NOW = ascii("reserve-with-timeout 0\r\n");
}
