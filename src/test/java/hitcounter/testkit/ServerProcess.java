package hitcounter.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server process started by a test, logging to a file, stopped by its pid (TERM, then KILL). */
public final class ServerProcess implements AutoCloseable {
  private final String name;
  private final List<String> command;
  private final Path log;
  private Process process;
  private final java.util.Map<String, String> env = new java.util.HashMap<>();

  public ServerProcess(String name, List<String> command, Path log) {
    this.name = name;
    this.command = command;
    this.log = log;
  }

  /** An environment variable for the process (e.g. LD_PRELOAD). */
  public ServerProcess withEnv(String key, String value) {
    env.put(key, value);
    return this;
  }

  public ServerProcess start() {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder b = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      b.environment().putAll(env);
      process = b.start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL, as a crash would. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitFor(5);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!waitFor(10)) {
        process.destroyForcibly();
        waitFor(5);
      }
    }
  }

  private boolean waitFor(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A tool from tools/bin (set by the build as hitcounter.tools), else from PATH. */
  public static String tool(String name) {
    String dir = System.getProperty("hitcounter.tools", "tools/bin");
    File f = new File(dir, name);
    if (f.canExecute()) {
      return f.getAbsolutePath();
    }
    for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File c = new File(p, name);
      if (c.canExecute()) {
        return c.getAbsolutePath();
      }
    }
    throw new IllegalStateException(name + " not found in " + dir + " nor on PATH: run ops/install-deps.sh");
  }
}
