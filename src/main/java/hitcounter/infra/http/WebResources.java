package hitcounter.infra.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Files under {@code /web/} in the jar: pages, scripts, styles, the pixel. Read once, at start. */
public final class WebResources {
  private WebResources() {}

  public static byte[] bytes(String name) {
    return resource("/web/" + name);
  }

  /** A file of a webjar on the class path ({@code META-INF/resources/webjars/<path>}). */
  public static byte[] webjar(String path) {
    return resource("/META-INF/resources/webjars/" + path);
  }

  private static byte[] resource(String path) {
    try (InputStream in = WebResources.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }
}
