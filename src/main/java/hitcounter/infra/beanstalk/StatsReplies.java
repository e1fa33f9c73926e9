package hitcounter.infra.beanstalk;

import java.util.HashMap;
import java.util.Map;

/** beanstalkd's {@code stats*} replies, read as key/value strings. */
final class StatsReplies {
  private StatsReplies() {}

  /** The flat YAML of a stats reply. */
  static Map<String, String> yaml(Reply reply) {
    Map<String, String> out = new HashMap<>();
    for (String line : reply.data().utf8String().split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        out.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /**
   * The server's {@code stats} with the {@code current-jobs-*} figures of the default tube's
   * ({@code stats-tube default}, which beanstalkd always has): the hit jobs, so a run marker
   * (a tube of its own) never shows as a job waiting.
   */
  static Map<String, String> withDefaultTube(Reply server, Reply tube) {
    if (!server.word().equals("OK")) {
      throw new BeanstalkException("stats: " + server.line());
    }
    if (!tube.word().equals("OK")) {
      throw new BeanstalkException("stats-tube default: " + tube.line());
    }
    Map<String, String> out = yaml(server);
    yaml(tube).forEach((k, v) -> {
      if (k.startsWith("current-jobs-")) {
        out.put(k, v);
      }
    });
    return out;
  }
}
