package hitcounter.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import java.util.ArrayDeque;
import java.util.Deque;

/** What an integration test started, closed in reverse order; plus reading JSON answers. */
public final class Resources implements AutoCloseable {
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  public <T extends AutoCloseable> T keep(T resource) {
    started.push(resource);
    return resource;
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  public static JsonNode json(String body) {
    try {
      return Json.mapper().readTree(body);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
