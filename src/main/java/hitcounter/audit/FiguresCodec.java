package hitcounter.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import hitcounter.infra.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** JSON maps of grow-only figures ({@code {"name": n, ...}}): audit figures, merged by max. */
public final class FiguresCodec {
  private static final TypeReference<TreeMap<String, Long>> FIGURES = new TypeReference<>() {};

  private FiguresCodec() {}

  /** The figures of {@code value}; throws an unchecked exception when it is not such a map. */
  public static Map<String, Long> read(byte[] value) {
    if (value.length == 0) {
      return new TreeMap<>();
    }
    try {
      return Json.mapper().readValue(value, FIGURES);
    } catch (IOException e) {
      throw new UncheckedIOException("not a map of figures", e);
    }
  }

  public static byte[] write(Map<String, Long> figures) {
    try {
      return Json.mapper().writeValueAsBytes(new TreeMap<>(figures));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
