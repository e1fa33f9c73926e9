package hitcounter.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Tells bots from people by their User-Agent, with the crawler-user-agents list (github.com/
 * monperrus/crawler-user-agents, MIT; shipped as a resource, updated by replacing the file): one
 * pattern joined from all of the list's. A missing User-Agent is a bot (every browser sends
 * one). Answers are cached per User-Agent (real traffic has few distinct ones); the cache is
 * bounded and starts again when full.
 */
public final class BotDetector {
  public static final String RESOURCE = "hitcounter/crawler-user-agents.json";
  private static final int MAX_CACHED = 10_000;
  /** What of a User-Agent is matched and cached (real ones are shorter; a longer one is hostile or broken). */
  private static final int MAX_LENGTH = 512;

  private final Pattern bots;
  private final int patterns;
  private final ConcurrentHashMap<String, Boolean> cache = new ConcurrentHashMap<>();

  private BotDetector(Pattern bots, int patterns) {
    this.bots = bots;
    this.patterns = patterns;
  }

  /** The detector of the shipped list. */
  public static BotDetector shipped() {
    try (InputStream in = BotDetector.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      List<String> patterns = new ArrayList<>();
      for (JsonNode n : Json.mapper().readTree(in)) {
        String p = n.path("pattern").asText("");
        if (!p.isEmpty()) {
          patterns.add(p);
        }
      }
      return of(patterns);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE, e);
    }
  }

  /** A detector of {@code patterns} (Java regular expressions, matched anywhere in the User-Agent). */
  public static BotDetector of(List<String> patterns) {
    StringBuilder all = new StringBuilder();
    for (String p : patterns) {
      all.append(all.length() == 0 ? "" : "|").append("(?:").append(p).append(')');
    }
    return new BotDetector(Pattern.compile(all.toString()), patterns.size());
  }

  public int patterns() {
    return patterns;
  }

  public boolean isBot(String userAgent) {
    if (userAgent == null || userAgent.isBlank()) {
      return true;
    }
    if (userAgent.length() > MAX_LENGTH) {
      userAgent = userAgent.substring(0, MAX_LENGTH);
    }
    Boolean known = cache.get(userAgent);
    if (known != null) {
      return known;
    }
    boolean bot = bots.matcher(userAgent).find();
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    cache.put(userAgent, bot);
    return bot;
  }
}
