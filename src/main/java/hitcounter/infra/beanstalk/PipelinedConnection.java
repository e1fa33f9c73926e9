package hitcounter.infra.beanstalk;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * One TCP connection to beanstalkd on Pekko Streams. Commands are written as they come
 * (consecutive ones coalesced into one write) and replies are matched to them in order, so
 * many commands can be in flight on one connection. Once the stream ends, every waiting and
 * later command fails; the owner opens a new connection.
 */
final class PipelinedConnection {
  private final Object lock = new Object();
  private final ArrayDeque<CompletableFuture<Reply>> waiting = new ArrayDeque<>();
  private final BoundedSourceQueue<ByteString> queue;
  private volatile boolean closed;
  private volatile boolean connected;
  private final InetSocketAddress address;
  private final long session = java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;

  PipelinedConnection(ActorSystem<?> system, InetSocketAddress address, Duration connectTimeout, int maxInFlight) {
    var tcp =
        Tcp.get(system)
            .outgoingConnection(
                address,
                Optional.empty(),
                Collections.emptyList(),
                true,
                Optional.of(connectTimeout),
                Optional.empty());
    var parse =
        Flow.of(ByteString.class)
            .<Reply>statefulMapConcat(
                () -> {
                  ReplyParser parser = new ReplyParser();
                  return parser::feed;
                });
    var pair =
        Source.<ByteString>queue(maxInFlight)
            .conflate(ByteString::concat)
            .viaMat(tcp, Keep.both())
            .via(parse)
            .toMat(Sink.foreach(this::onReply), Keep.both())
            .withAttributes(dispatcher(system))
            .run(system);
    this.queue = pair.first().first();
    this.address = address;
    pair.first().second().thenAccept(c -> connected = true);
    pair.second()
        .whenComplete(
            (done, failure) -> {
              String what = "connection to " + address + (failure != null ? " failed" : " closed");
              // Never connected: nothing was written, so nothing waiting was queued.
              failAll(connected
                  ? new BeanstalkException(what, failure)
                  : new NotQueued(what, failure));
            });
  }

  /** The dispatcher of beanstalkd connections (see application.conf), when the configuration has it. */
  static final String DISPATCHER = "hitcounter-beanstalk-dispatcher";

  private static org.apache.pekko.stream.Attributes dispatcher(ActorSystem<?> system) {
    return system.classicSystem().dispatchers().hasDispatcher(DISPATCHER)
        ? org.apache.pekko.stream.ActorAttributes.dispatcher(DISPATCHER)
        : org.apache.pekko.stream.Attributes.none();
  }

  /** This connection's random session number (see {@link Beanstalk#put}). */
  long session() {
    return session;
  }

  /**
   * Sends one command; completes with its reply. A command that was never written fails with
   * {@link NotQueued}; one that may have reached beanstalkd before the connection broke fails
   * with a {@link BeanstalkException}.
   */
  CompletionStage<Reply> send(ByteString command) {
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    synchronized (lock) {
      if (closed) {
        reply.completeExceptionally(new NotQueued("connection to " + address + " closed"));
        return reply;
      }
      QueueOfferResult result = queue.offer(command);
      if (result == QueueOfferResult.enqueued()) {
        waiting.addLast(reply);
      } else {
        reply.completeExceptionally(new NotQueued("cannot send to " + address + ": " + result));
      }
    }
    return reply;
  }

  /** Sends commands back to back; completes with their replies in order. */
  CompletionStage<List<Reply>> sendAll(List<ByteString> commands) {
    @SuppressWarnings("unchecked")
    CompletableFuture<Reply>[] replies = new CompletableFuture[commands.size()];
    for (int i = 0; i < replies.length; i++) {
      replies[i] = send(commands.get(i)).toCompletableFuture();
    }
    return CompletableFuture.allOf(replies)
        .thenApply(
            ignored -> {
              var out = new java.util.ArrayList<Reply>(replies.length);
              for (var r : replies) {
                out.add(r.join());
              }
              return out;
            });
  }

  boolean isOpen() {
    return !closed;
  }

  void close() {
    synchronized (lock) {
      if (!closed) {
        try {
          queue.complete();
        } catch (IllegalStateException alreadyEnded) {
          // the stream failed meanwhile: nothing left to close
        }
      }
    }
  }

  private void onReply(Reply reply) {
    CompletableFuture<Reply> next;
    synchronized (lock) {
      next = waiting.pollFirst();
    }
    if (next != null) {
      next.complete(reply);
    }
  }

  private void failAll(RuntimeException cause) {
    ArrayDeque<CompletableFuture<Reply>> failed;
    synchronized (lock) {
      closed = true;
      failed = new ArrayDeque<>(waiting);
      waiting.clear();
    }
    failed.forEach(f -> f.completeExceptionally(cause));
  }
}
