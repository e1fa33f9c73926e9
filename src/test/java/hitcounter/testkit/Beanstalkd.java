package hitcounter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real beanstalkd on a free loopback port, with a binlog folder. */
public final class Beanstalkd implements AutoCloseable {
  private final int port;
  private final Path binlog;
  private ServerProcess process;
  private final java.util.Map<String, String> env = new java.util.HashMap<>();

  /** An environment variable for the beanstalkd process (e.g. LD_PRELOAD of a fault shim). */
  public Beanstalkd withEnv(String key, String value) {
    env.put(key, value);
    return this;
  }

  public Beanstalkd(Path dir) {
    this(dir, Ports.free());
  }

  public Beanstalkd(Path dir, int port) {
    this.port = port;
    this.binlog = dir.resolve("beanstalkd-" + port);
  }

  public Beanstalkd start() {
    try {
      Files.createDirectories(binlog);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    process =
        new ServerProcess(
                "beanstalkd",
                List.of(ServerProcess.tool("beanstalkd"), "-l", "127.0.0.1", "-p", String.valueOf(port), "-b", binlog.toString()),
                binlog.resolveSibling("beanstalkd-" + port + ".log"));
    env.forEach(process::withEnv);
    process.start();
    Await.until("beanstalkd on " + port, Duration.ofSeconds(10), this::accepts);
    return this;
  }

  public int port() {
    return port;
  }

  public void kill() {
    process.kill();
  }

  private boolean accepts() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
