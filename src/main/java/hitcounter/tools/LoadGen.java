package hitcounter.tools;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An open-loop, constant-rate HTTP/1.1 load generator on one NIO event loop (one thread, no
 * thread per connection, no framework in the way): requests are due at fixed intervals and go
 * out on the next idle keep-alive connection (at most one request in flight per connection, as
 * wrk does); a request that waits for a connection is late, not skipped, and its latency is
 * counted from when it was due, not when it went out, so a slow server shows in full
 * (no coordinated omission). It reports its own CPU use.
 *
 * <pre>
 * LoadGen --urls http://h:p[,http://h:p...] --rate R --seconds S [--conns C] [--method POST|GET]
 *         [--path /api/hits/] [--pages fixed:NAME | uniform:N | walk:N[:SEED] | zipf:N[:S]] [--kind id|path]
 *         [--prefix P] [--track FILE.json] [--stop-file F] [--seed N] [--max-seconds M] [--bind LOCAL_ADDRESS]
 *         [--user-agents FILE] [--visitors N --visitor-from F] [--warmup SECONDS]
 * </pre>
 *
 * With {@code --warmup}, the first SECONDS of requests (at the same rate) are sent and counted
 * but their latencies are not recorded: a cold generator (JIT, connections) falls behind in its
 * first seconds, and an open-loop run measured from the intended send times never catches up.
 *
 * Every request carries a browser's User-Agent (a fixed Firefox one), or, with
 * {@code --user-agents}, one of the file's lines, in turn. With {@code --visitors N}, request
 * {@code j} comes from visitor {@code F + j % N}: an {@code X-Forwarded-For} address of its own
 * (10.x.y.z, from the visitor and {@code --seed}; the node must trust 127.0.0.1 as a proxy)
 * and a User-Agent of its own, so a run of N requests has exactly N distinct visitors.
 *
 * Prints one line: answered, rate, status codes, unknown outcomes (broken connections, timeouts,
 * 504), latency percentiles from the due time, and the generator's CPU. With {@code --track}, it
 * writes per page the hits answered 200 and those whose outcome is unknown, for exactly-once
 * checks.
 */
public final class LoadGen {
  private LoadGen() {}

  private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

  /** One keep-alive connection to one node. */
  private static final class Conn {
    final InetSocketAddress address;
    final String host;
    SocketChannel channel;
    SelectionKey key;
    ByteBuffer out;
    final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    long due;
    /** When the request went out (the time from due to here is the generator's own queue). */
    long sent;
    /** The index of the request in flight (latencies of the warm-up are not recorded). */
    long index;
    String page;
    boolean busy;
    boolean connected;
    long retryAt;

    Conn(InetSocketAddress address, String host) {
      this.address = address;
      this.host = host;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    String[] urls = a.getOrDefault("urls", "http://127.0.0.1:8080").split(",");
    double rate = Double.parseDouble(a.getOrDefault("rate", "1000"));
    double seconds = Double.parseDouble(a.getOrDefault("seconds", "10"));
    int conns = Integer.parseInt(a.getOrDefault("conns", "64"));
    String method = a.getOrDefault("method", "POST");
    String path = a.getOrDefault("path", "/api/hits/");
    String prefix = a.getOrDefault("prefix", "");
    String pages = a.getOrDefault("pages", "fixed:home");
    long seed = Long.parseLong(a.getOrDefault("seed", "42"));
    Path track = a.containsKey("track") ? Path.of(a.get("track")) : null;
    Path stop = a.containsKey("stop-file") ? Path.of(a.get("stop-file")) : null;
    bindTo = a.containsKey("bind") ? new InetSocketAddress(a.get("bind"), 0) : null;
    PageIds.Picker picker = picker(pages, seed);
    List<String> agents = a.containsKey("user-agents")
        ? Files.readAllLines(Path.of(a.get("user-agents"))).stream().filter(l -> !l.isEmpty()).toList()
        : List.of(FIREFOX);
    long visitors = Long.parseLong(a.getOrDefault("visitors", "0"));
    long visitorFrom = Long.parseLong(a.getOrDefault("visitor-from", "0"));
    String fixedName = pages.startsWith("fixed:") ? pages.substring(6) : null;
    // --kind path: URL paths (PageIds.path) to /api/hits?path=… instead of page ids.
    boolean paths = a.getOrDefault("kind", "id").equals("path");
    if (paths && !a.containsKey("path")) {
      path = "/api/hits?path=";
    }

    Selector selector = Selector.open();
    List<Conn> all = new ArrayList<>();
    ArrayDeque<Conn> idle = new ArrayDeque<>();
    for (int i = 0; i < conns; i++) {
      URI u = URI.create(urls[i % urls.length]);
      Conn c = new Conn(new InetSocketAddress(u.getHost(), u.getPort()), u.getHost() + ":" + u.getPort());
      all.add(c);
      connect(selector, c);
      if (c.connected) {
        idle.add(c);
      }
    }
    long warm = (long) (rate * Double.parseDouble(a.getOrDefault("warmup", "0")));
    long total = (long) (rate * seconds) + warm;
    long[] latencies = new long[(int) Math.min(total, 50_000_000L)];
    // The same requests timed from when they went out: a server that keeps up shows the same
    // figures in both; a saturated one (or a slow generator) shows its queue only in the first.
    long[] fromSend = new long[latencies.length];
    int recorded = 0;
    long ok = 0;
    long unknown = 0;
    Map<Integer, Long> codes = new TreeMap<>();
    Map<String, long[]> perPage = track == null ? null : new HashMap<>();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long start = System.nanoTime() + 50_000_000L;
    double interval = 1e9 / rate;
    long next = 0;
    long answered = 0;
    // A saturated system takes longer than offered: give it time (--max-seconds), then stop.
    double maxSeconds = Double.parseDouble(a.getOrDefault("max-seconds", Double.toString(seconds * 4 + 60)));
    long deadline = start + (long) (maxSeconds * 1e9);
    boolean stopped = false;
    while ((next < total && !stopped) || busy(all)) {
      long now = System.nanoTime();
      if (now > deadline) {
        break;
      }
      // Connections that broke are opened again, at most every 100 ms each.
      for (Conn c : all) {
        if (c.channel == null && now >= c.retryAt) {
          try {
            connect(selector, c);
            if (c.connected) {
              idle.add(c);
            }
          } catch (IOException e) {
            c.channel = null;
            c.retryAt = now + 100_000_000L;
          }
        }
      }
      // Send every request that is due, on idle connections.
      while (next < total && !stopped && !idle.isEmpty() && start + (long) (next * interval) <= now) {
        if (stop != null && (next & 1023) == 0 && Files.exists(stop)) {
          stopped = true;
          break;
        }
        Conn c = idle.poll();
        c.due = start + (long) (next * interval);
        c.index = next;
        if (paths && fixedName == null) {
          // A URL path, as count.js sends it: percent-encoded in the query; some with a referrer, some with a campaign.
          long idx = picker.next();
          String p = PageIds.path(idx) + (idx % 20 == 3 ? "?utm_source=news" + (idx % 20) : "");
          c.page = java.net.URLEncoder.encode(p, StandardCharsets.UTF_8)
              + (next % 5 == 0 ? "&ref=" + java.net.URLEncoder.encode("https://ref" + (next % 1000) + ".example/", StandardCharsets.UTF_8) : "");
        } else {
          c.page = fixedName != null ? fixedName : prefix + PageIds.id(picker.next());
        }
        String extra;
        if (visitors > 0) {
          long v = visitorFrom + (next % visitors);
          long ip = ((seed & 7) << 21) | (v & ((1 << 21) - 1));
          extra = "X-Forwarded-For: 10." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255) + "\r\nUser-Agent: "
              + agents.get((int) Math.floorMod(v * 0x9E3779B97F4A7C15L >>> 1, (long) agents.size())) + "\r\n";
        } else {
          extra = "User-Agent: " + agents.get((int) (next % agents.size())) + "\r\n";
        }
        byte[] req = (method + " " + path + c.page + " HTTP/1.1\r\nHost: " + c.host + "\r\n" + extra + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        c.out = ByteBuffer.wrap(req);
        c.busy = true;
        c.sent = System.nanoTime();
        next++;
        try {
          c.channel.write(c.out);
          c.key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        } catch (IOException e) {
          unknown++;
          track(perPage, c.page, 1);
          recorded = record(latencies, recorded, System.nanoTime() - c.due);
          answered++;
          c.busy = false;
          drop(c);
        }
      }
      long wait = next < total && !stopped ? Math.max(0, (start + (long) (next * interval) - System.nanoTime()) / 1_000_000) : 10;
      if (!idle.isEmpty() || next >= total) {
        selector.select(Math.max(1, Math.min(wait, 10)));
      } else {
        selector.select(10);
      }
      var keys = selector.selectedKeys();
      for (SelectionKey k : keys) {
        Conn c = (Conn) k.attachment();
        try {
          if (k.isConnectable()) {
            c.channel.finishConnect();
            c.connected = true;
            k.interestOps(0);
            idle.add(c);
            continue;
          }
          if (k.isWritable() && c.busy) {
            c.channel.write(c.out);
            if (!c.out.hasRemaining()) {
              k.interestOps(SelectionKey.OP_READ);
            }
          }
          if (k.isReadable()) {
            int n = c.channel.read(c.in);
            if (n < 0) {
              throw new IOException("closed");
            }
            int status = complete(c.in);
            if (status > 0) {
              long at = System.nanoTime();
              if (c.index >= warm) {
                if (recorded < fromSend.length) {
                  fromSend[recorded] = at - c.sent;
                }
                recorded = record(latencies, recorded, at - c.due);
              }
              answered++;
              if (status == 504) {
                unknown++;
                track(perPage, c.page, 1);
              } else {
                codes.merge(status, 1L, Long::sum);
                if (status == 200) {
                  ok++;
                  track(perPage, c.page, 0);
                }
              }
              c.busy = false;
              k.interestOps(0);
              idle.add(c);
            }
          }
        } catch (IOException e) {
          if (c.busy) {
            // Sent, and the connection broke before the answer: the outcome is unknown. A
            // connection that never connected sent nothing: that request is tried again.
            unknown++;
            track(perPage, c.page, 1);
            recorded = record(latencies, recorded, System.nanoTime() - c.due);
            answered++;
          }
          c.busy = false;
          idle.remove(c);
          drop(c);
        }
      }
      keys.clear();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9 / elapsed * 100;
    long[] sorted = Arrays.copyOf(latencies, Math.min(recorded, latencies.length));
    Arrays.sort(sorted);
    long[] sent = Arrays.copyOf(fromSend, Math.min(recorded, fromSend.length));
    Arrays.sort(sent);
    Map<Integer, Long> other = new TreeMap<>(codes);
    other.remove(200);
    System.out.println(String.format(
        "answered %d (%.0f/s over %.1f s, offered %.0f/s), 200 %d, unknown %d, other codes %s; latency p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms; load generator CPU %.0f%% of a core"
            + "; from send p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms",
        answered, answered / elapsed, elapsed, rate, ok, unknown, other,
        pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99), pct(sorted, 0.999), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, cpu,
        pct(sent, 0.5), pct(sent, 0.99), pct(sent, 0.999), sent.length == 0 ? 0 : sent[sent.length - 1] / 1e6));
    if (track != null) {
      StringBuilder b = new StringBuilder(perPage.size() * 48);
      b.append("{\"acked\":").append(ok).append(",\"unknown\":").append(unknown).append(",\"pages\":{");
      boolean first = true;
      for (var e : perPage.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        b.append('"').append(e.getKey()).append("\":[").append(e.getValue()[0]).append(',').append(e.getValue()[1]).append(']');
      }
      b.append("}}");
      Files.writeString(track, b, StandardCharsets.UTF_8);
    }
  }

  private static void track(Map<String, long[]> perPage, String page, int slot) {
    if (perPage != null) {
      perPage.computeIfAbsent(page, p -> new long[2])[slot]++;
    }
  }

  private static int record(long[] latencies, int n, long latency) {
    if (n < latencies.length) {
      latencies[n] = latency;
    }
    return n + 1;
  }

  /** The status of a complete response in {@code in} (consumed), or 0 when more bytes are needed. */
  private static int complete(ByteBuffer in) {
    byte[] b = in.array();
    int len = in.position();
    int headerEnd = -1;
    for (int i = 3; i < len; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
        headerEnd = i + 1;
        break;
      }
    }
    if (headerEnd < 0) {
      return 0;
    }
    String head = new String(b, 0, headerEnd, StandardCharsets.US_ASCII);
    int status = Integer.parseInt(head.substring(9, 12));
    int body = 0;
    int cl = head.toLowerCase().indexOf("\r\ncontent-length:");
    if (cl >= 0) {
      int eol = head.indexOf("\r\n", cl + 2);
      body = Integer.parseInt(head.substring(cl + 17, eol).trim());
    }
    if (len < headerEnd + body) {
      return 0;
    }
    int rest = len - headerEnd - body;
    System.arraycopy(b, headerEnd + body, b, 0, rest);
    in.position(rest);
    return status;
  }

  /** The local address connections are made from (--bind), so one machine can act as several clients. */
  private static InetSocketAddress bindTo;

  private static void connect(Selector selector, Conn c) throws IOException {
    c.channel = SocketChannel.open();
    c.channel.configureBlocking(false);
    if (bindTo != null) {
      c.channel.bind(bindTo);
    }
    c.channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
    c.in.clear();
    c.connected = c.channel.connect(c.address);
    c.key = c.channel.register(selector, c.connected ? 0 : SelectionKey.OP_CONNECT, c);
  }

  /** Closes a broken connection; the loop opens it again a little later. */
  private static void drop(Conn c) {
    try {
      c.key.cancel();
      c.channel.close();
    } catch (IOException e) {
      // gone anyway
    }
    c.channel = null;
    c.connected = false;
    c.retryAt = System.nanoTime() + 100_000_000L;
  }

  private static boolean busy(List<Conn> all) {
    for (Conn c : all) {
      if (c.busy) {
        return true;
      }
    }
    return false;
  }

  static PageIds.Picker picker(String spec, long seed) {
    String[] p = spec.split(":");
    return switch (p[0]) {
      case "fixed" -> () -> 0;
      case "uniform" -> PageIds.uniform(Long.parseLong(p[1]), seed);
      case "walk" -> PageIds.walk(Long.parseLong(p[1]), p.length > 2 ? Long.parseLong(p[2]) : seed, 0, 1);
      case "zipf" -> PageIds.zipf(Integer.parseInt(p[1]), p.length > 2 ? Double.parseDouble(p[2]) : 1.0, seed);
      default -> throw new IllegalArgumentException("pages: fixed:NAME, uniform:N, walk:N[:SEED], zipf:N[:S]");
    };
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        String k = args[i].substring(2);
        if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          out.put(k, args[++i]);
        } else {
          out.put(k, "true");
        }
      }
    }
    return out;
  }
}
