package hitcounter.count;

import com.fasterxml.jackson.core.type.TypeReference;
import hitcounter.infra.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** JSON of bucket values ({"page": count}) and applied records ([job ids]). */
public final class CountCodec {
  private static final TypeReference<TreeMap<String, Long>> COUNTS = new TypeReference<>() {};
  private static final TypeReference<TreeSet<Long>> IDS = new TypeReference<>() {};

  private CountCodec() {}

  public static Map<String, Long> counts(byte[] value) {
    if (value.length == 0) {
      return new TreeMap<>();
    }
    try {
      return Json.mapper().readValue(value, COUNTS);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable count value", e);
    }
  }

  public static byte[] counts(Map<String, Long> counts) {
    return write(new TreeMap<>(counts));
  }

  public static Set<Long> ids(byte[] value) {
    if (value.length == 0) {
      return new TreeSet<>();
    }
    try {
      return Json.mapper().readValue(value, IDS);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable applied record", e);
    }
  }

  public static byte[] ids(Set<Long> ids) {
    return write(List.copyOf(new TreeSet<>(ids)));
  }

  private static byte[] write(Object o) {
    try {
      return Json.mapper().writeValueAsBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
