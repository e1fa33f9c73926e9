package hitcounter.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of an HTTP server that forwards everything, except that the
 * first request containing every one of {@code markers} is forwarded and its answer swallowed:
 * the connection is closed instead, after the server has answered (the write committed, the
 * reply lost). For "a reply lost after the write committed"; a timeout is a different fault.
 */
public final class SwallowingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int upstreamPort;
  private final String[] markers;
  private final AtomicBoolean armed = new AtomicBoolean(true);
  private final AtomicInteger swallowed = new AtomicInteger();
  private volatile boolean closed;

  public SwallowingProxy(int upstreamPort, String... markers) throws IOException {
    this.upstreamPort = upstreamPort;
    this.markers = markers;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
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

  /** How many answers were swallowed so far (0 or 1). */
  public int swallowed() {
    return swallowed.get();
  }

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
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        request.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        if (request.length() > 1 << 20) {
          request.delete(0, request.length() - (1 << 19));
        }
        boolean all = true;
        for (String m : markers) {
          all &= request.indexOf(m) >= 0;
        }
        if (all && armed.compareAndSet(true, false)) {
          swallow.set(true);
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the other side closed
    } finally {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private void toClient(Socket upstream, Socket client, AtomicBoolean swallow) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (swallow.get()) {
          swallowed.incrementAndGet();
          break; // the server answered: the write is done; the client never hears of it
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the other side closed
    } finally {
      closeQuietly(client);
      closeQuietly(upstream);
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
