package hitcounter.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on 127.0.0.1 in front of a node's Consul, for ops/recovery-chaos.sh: faults a
 * kernel without netem cannot make, switched on and off by a control file read on every request.
 * Each line of the file is one fault:
 *
 * <pre>
 * delay dc=eu-west 150          hold every request containing "dc=eu-west" 150 ms (a slow WAN)
 * swallow 7 PUT /v1/txn snapshot   forward the first request containing every word, drop its answer
 *                                (the write committed, the reply lost); "7" names the fault: a new
 *                                name arms it again; "\s" in a word is a space
 * </pre>
 *
 * {@code java -cp hitcounter.jar hitcounter.tools.FaultProxy --listen PORT --upstream PORT
 * --control FILE --seconds N}: stops after N seconds (bounded, as everything the scripts start).
 */
public final class FaultProxy extends TcpProxy {
  private final Path control;
  private volatile long readAt;
  private volatile List<String> lines = List.of();
  private volatile String swallowedName = "";

  private FaultProxy(int listen, int upstream, Path control) throws IOException {
    super(new ServerSocket(listen, 50, InetAddress.getLoopbackAddress()), upstream);
    this.control = control;
  }

  private List<String> lines() {
    long now = System.currentTimeMillis();
    if (now - readAt > 100) {
      readAt = now;
      try {
        lines = Files.exists(control) ? Files.readAllLines(control, StandardCharsets.UTF_8) : List.of();
      } catch (IOException e) {
        lines = List.of();
      }
    }
    return lines;
  }

  @Override
  protected void beforeForward(StringBuilder sent, String chunk, AtomicBoolean swallow) {
    for (String line : lines()) {
      String[] w = line.trim().split("\\s+");
      if (w.length == 3 && w[0].equals("delay") && chunk.contains(w[1])) {
        try {
          Thread.sleep(Long.parseLong(w[2])); // this connection only: others go on meanwhile
        } catch (InterruptedException | NumberFormatException e) {
          return;
        }
      } else if (w.length >= 3 && w[0].equals("swallow")) {
        swallowOnce(w, line, sent, swallow);
      }
    }
  }

  /** The first request matching a swallow line's words (once per name) has its answer dropped. */
  private synchronized void swallowOnce(String[] w, String line, StringBuilder sent, AtomicBoolean swallow) {
    if (w[1].equals(swallowedName)) {
      return;
    }
    boolean all = true;
    for (int i = 2; i < w.length; i++) {
      all &= sent.indexOf(w[i].replace("\\s", " ")) >= 0;
    }
    if (all) {
      swallowedName = w[1];
      swallow.set(true);
      System.out.println("fault-proxy: swallowing the answer to a request matching " + line.trim());
    }
  }

  public static void main(String[] args) throws Exception {
    java.util.Map<String, String> a = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    FaultProxy proxy = new FaultProxy(Integer.parseInt(a.get("listen")), Integer.parseInt(a.get("upstream")), Path.of(a.get("control")));
    System.out.println("fault-proxy: 127.0.0.1:" + proxy.port() + " -> 127.0.0.1:" + a.get("upstream") + ", faults from " + a.get("control"));
    Thread.sleep(Long.parseLong(a.getOrDefault("seconds", "3600")) * 1000);
    proxy.close();
  }
}
