package hitcounter.infra.consul;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * The ACL token a node sends to its Consul agent ({@code X-Consul-Token}), from the environment
 * or from a file, never from the command line (where {@code ps} shows it). A token file is read
 * again when it changes, checked at most once a second, so a rotated token is taken up without
 * a restart (docs/deploy.md).
 */
public final class ConsulToken {
  private static final long RECHECK_NANOS = 1_000_000_000L;

  private final String fixed;
  private final Path file;
  private volatile String current;
  private volatile FileTime seen;
  private volatile long checkedAt;

  private ConsulToken(String fixed, Path file) {
    this.fixed = fixed;
    this.file = file;
    if (file != null) {
      current = read(file);
      seen = modified(file);
      checkedAt = System.nanoTime();
    }
  }

  /** No token: Consul's anonymous token decides (a Consul without ACLs, or tests). */
  public static ConsulToken none() {
    return new ConsulToken(null, null);
  }

  public static ConsulToken of(String token) {
    return new ConsulToken(token.isBlank() ? null : token.strip(), null);
  }

  /** The token in {@code file}; the file must exist and hold one. */
  public static ConsulToken fromFile(Path file) {
    return new ConsulToken(null, file);
  }

  /** {@code file} when it is set, else {@code value} when it is set, else none. */
  public static ConsulToken create(String value, String file) {
    if (file != null && !file.isBlank()) {
      return fromFile(Path.of(file));
    }
    return value == null || value.isBlank() ? none() : of(value);
  }

  public Optional<String> get() {
    if (file == null) {
      return Optional.ofNullable(fixed);
    }
    long now = System.nanoTime();
    if (now - checkedAt >= RECHECK_NANOS) {
      checkedAt = now;
      try {
        FileTime m = modified(file);
        if (!m.equals(seen)) {
          current = read(file);
          seen = m;
        }
      } catch (UncheckedIOException e) {
        // keep the token we have; a file being replaced is briefly missing
      }
    }
    return Optional.of(current);
  }

  private static String read(Path file) {
    try {
      String t = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (t.isEmpty()) {
        throw new IllegalArgumentException("the Consul token file " + file + " is empty");
      }
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Consul token file " + file, e);
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return file != null ? "token from " + file : fixed != null ? "token from the environment" : "no token";
  }
}
