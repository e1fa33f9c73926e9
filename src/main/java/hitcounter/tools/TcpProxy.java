package hitcounter.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on 127.0.0.1 in front of an HTTP server that forwards everything, with two hooks
 * for the faults the subclasses make: {@link #beforeForward} sees what a connection sent so far
 * (its latest chunk last) before the chunk goes upstream, and may mark the connection's next
 * answer to be swallowed; an answer so marked is dropped and the connection closed.
 */
public abstract class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int upstreamPort;
  private volatile boolean closed;

  protected TcpProxy(int upstreamPort) throws IOException {
    this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), upstreamPort);
  }

  protected TcpProxy(ServerSocket server, int upstreamPort) {
    this.upstreamPort = upstreamPort;
    this.server = server;
    Thread accept = new Thread(this::accept, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Called with what the connection sent so far and its latest {@code chunk}, before the chunk is forwarded. */
  protected abstract void beforeForward(StringBuilder sent, String chunk, AtomicBoolean swallow);

  /** Called when an answer marked by {@link #beforeForward} was swallowed. */
  protected void swallowedOne() {}

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        AtomicBoolean swallow = new AtomicBoolean();
        start(() -> toUpstream(client, upstream, swallow));
        start(() -> toClient(upstream, client, swallow));
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private static void start(Runnable r) {
    Thread t = new Thread(r, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void toUpstream(Socket client, Socket upstream, AtomicBoolean swallow) {
    StringBuilder request = new StringBuilder();
    pump(client, upstream, chunk -> {
      request.append(chunk);
      if (request.length() > 1 << 20) {
        request.delete(0, request.length() - (1 << 19));
      }
      beforeForward(request, chunk, swallow);
      return true;
    });
  }

  private void toClient(Socket upstream, Socket client, AtomicBoolean swallow) {
    pump(upstream, client, chunk -> {
      if (swallow.get()) {
        swallowedOne();
        return false; // the server answered: the write is done; the client never hears of it
      }
      return true;
    });
  }

  /** Copies {@code from} to {@code to} chunk by chunk while {@code forward} says so; closes both at the end. */
  private static void pump(Socket from, Socket to, java.util.function.Predicate<String> forward) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0 && forward.test(new String(buf, 0, n, StandardCharsets.ISO_8859_1))) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the other side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
  }
}
