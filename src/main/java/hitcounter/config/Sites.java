package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.page.PageKey;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The sites in force: the value of the distributed setting "sites" (a JSON object, one member
 * per site) read over the defaults of {@link SitesSettings}. A site's member:
 *
 * <pre>
 * {"origins": ["https://blog.example.com"], "pattern": "[a-z0-9-]{1,80}", "maxPages": 10000,
 *  "perClient": {"rate": 20, "burst": 100}, "perSite": {"rate": 2000, "burst": 4000},
 *  "generation": 1}
 * {"deleted": true, "generation": 3}        (a deleted site: its generation is never reused)
 * </pre>
 *
 * URL paths ({@link hitcounter.page.PathRules}): {@code "pathPattern": "/blog/.*"} (the pattern
 * a normalised path must match; {@code pattern} is for page ids), {@code "trailingSlash":
 * "keep"} (default {@code "drop"}), {@code "keepQuery": ["page"]}, {@code "lowerCase": true},
 * {@code "pathsAsIds": true} (a path {@code /my-post} counts as page id {@code my-post}).
 */
public final class Sites {
  private static final Set<String> FIELDS = Set.of("origins", "pattern", "maxPages", "perClient", "perSite", "generation", "deleted", "enabled", "requireOrigin",
      "pathPattern", "trailingSlash", "keepQuery", "lowerCase", "pathsAsIds", EntryMerge.WRITTEN);
  public static final int MAX_KEEP_QUERY = 20;
  public static final int MAX_SITES = 1000;
  public static final int MAX_ORIGINS = 50;

  private final Map<String, Site> byName;
  private final boolean defaultEnabled;

  private Sites(Map<String, Site> byName, boolean defaultEnabled) {
    this.byName = byName;
    this.defaultEnabled = defaultEnabled;
  }

  /** The sites of {@code doc} (the setting's value) over the configured defaults. */
  public static Sites of(JsonNode doc, SitesSettings settings) {
    Map<String, Site> out = new TreeMap<>();
    boolean defaultEnabled = settings.defaultEnabled();
    out.put(PageKey.DEFAULT_SITE, settings.defaultSite());
    if (doc != null && doc.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (problemOf(e.getKey(), e.getValue()).isPresent()) {
          continue; // checked when written; a copy that does not parse is left out
        }
        Site s = site(e.getKey(), e.getValue(), settings);
        out.put(e.getKey(), s);
        if (e.getKey().equals(PageKey.DEFAULT_SITE)) {
          defaultEnabled = e.getValue().path("enabled").asBoolean(true) && !s.deleted();
        }
      }
    }
    return new Sites(Collections.unmodifiableMap(out), defaultEnabled);
  }

  /** The live site called {@code name} (not deleted; the default site only while enabled). */
  public Optional<Site> live(String name) {
    Site s = byName.get(name);
    if (s == null || s.deleted() || (name.equals(PageKey.DEFAULT_SITE) && !defaultEnabled)) {
      return Optional.empty();
    }
    return Optional.of(s);
  }

  /** Every site, tombstones included, by name. */
  public Map<String, Site> all() {
    return byName;
  }

  /** Whether counts under {@code key} are shown: pages of the default site, or of a live site at its current generation. */
  public boolean shows(PageKey key) {
    if (key.isDefaultSite()) {
      return true;
    }
    Site s = byName.get(key.site());
    return s != null && !s.deleted() && s.generation() == key.generation();
  }

  /** The generation a site created or changed now gets: its own while live, the next after a delete, 1 when new. */
  public long generationFor(String name) {
    Site s = byName.get(name);
    if (s == null) {
      return 1;
    }
    return s.deleted() ? s.generation() + 1 : Math.max(1, s.generation());
  }

  private static Site site(String name, JsonNode n, SitesSettings settings) {
    if (n.path("deleted").asBoolean(false)) {
      return new Site(name, n.path("generation").asLong(1), true, Set.of(), null, 0, Site.Limit.NONE, Site.Limit.NONE, false);
    }
    Set<String> origins = new LinkedHashSet<>();
    n.path("origins").forEach(o -> origins.add(o.asText()));
    String pattern = n.path("pattern").asText("");
    return new Site(name, name.equals(PageKey.DEFAULT_SITE) ? 0 : n.path("generation").asLong(1), false, Collections.unmodifiableSet(origins),
        pattern.isEmpty() ? null : Pattern.compile(pattern),
        n.has("maxPages") ? n.get("maxPages").asLong() : settings.newSiteMaxPages(),
        n.has("perClient") ? limit(n.get("perClient")) : settings.newSitePerClient(),
        n.has("perSite") ? limit(n.get("perSite")) : settings.newSitePerSite(),
        n.path("requireOrigin").asBoolean(false), pathRules(n));
  }

  private static hitcounter.page.PathRules pathRules(JsonNode n) {
    java.util.List<String> keep = new java.util.ArrayList<>();
    n.path("keepQuery").forEach(q -> keep.add(q.asText()));
    String pattern = n.path("pathPattern").asText("");
    return new hitcounter.page.PathRules(n.path("trailingSlash").asText("drop").equals("keep"), keep, n.path("lowerCase").asBoolean(false),
        pattern.isEmpty() ? null : Pattern.compile(pattern), n.path("pathsAsIds").asBoolean(false));
  }

  private static Site.Limit limit(JsonNode n) {
    double rate = n.path("rate").asDouble(0);
    return new Site.Limit(rate, rate > 0 ? Math.max(1, n.path("burst").asLong((long) Math.ceil(rate))) : 0);
  }

  /** Why {@code doc} is not a value of the "sites" setting, or empty. */
  public static Optional<String> problem(JsonNode doc) {
    if (doc == null || !doc.isObject()) {
      return Optional.of("sites must be a JSON object, one member per site");
    }
    if (doc.size() > MAX_SITES) {
      return Optional.of("at most " + MAX_SITES + " sites");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Optional<String> p = problemOf(e.getKey(), e.getValue());
      if (p.isPresent()) {
        return p;
      }
    }
    return Optional.empty();
  }

  /** Why {@code n} is not the definition of site {@code name}, or empty. */
  public static Optional<String> problemOf(String name, JsonNode n) {
    Optional<String> bad = PageKey.siteProblem(name);
    if (bad.isPresent()) {
      return Optional.of(name + ": " + bad.get());
    }
    if (!n.isObject()) {
      return Optional.of(name + ": a site is a JSON object");
    }
    if (name.equals(PageKey.DEFAULT_SITE) && n.path("deleted").asBoolean(false)) {
      return Optional.of(name + ": the default site cannot be deleted (\"enabled\": false disables it)");
    }
    JsonNode written = n.path(EntryMerge.WRITTEN);
    if (!written.isMissingNode() && !(written.isObject() && written.path("version").isIntegralNumber()
        && written.path("version").asLong() >= 0 && written.path("version").asLong() < Long.MAX_VALUE / 2 && written.path("at").isIntegralNumber()
        && written.path("dc").isTextual())) {
      return Optional.of(name + ": written is {\"version\", \"at\", \"dc\"}");
    }
    for (Iterator<String> f = n.fieldNames(); f.hasNext(); ) {
      String field = f.next();
      if (!FIELDS.contains(field)) {
        return Optional.of(name + ": unknown field " + field + " (known: " + new java.util.TreeSet<>(FIELDS) + ")");
      }
    }
    JsonNode origins = n.path("origins");
    if (!origins.isMissingNode()) {
      if (!origins.isArray() || origins.size() > MAX_ORIGINS) {
        return Optional.of(name + ": origins is a list of at most " + MAX_ORIGINS + " origins");
      }
      for (JsonNode o : origins) {
        if (!o.isTextual() || !o.asText().matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
          return Optional.of(name + ": an origin is scheme://host[:port], e.g. \"https://blog.example.com\"");
        }
      }
    }
    for (String field : new String[] {"pattern", "pathPattern"}) {
      JsonNode pattern = n.path(field);
      if (!pattern.isMissingNode()) {
        if (!pattern.isTextual() || pattern.asText().length() > 200) {
          return Optional.of(name + ": " + field + " is a regular expression of at most 200 characters");
        }
        try {
          Pattern.compile(pattern.asText());
        } catch (PatternSyntaxException e) {
          return Optional.of(name + ": " + field + " does not compile: " + e.getDescription());
        }
      }
    }
    JsonNode slash = n.path("trailingSlash");
    if (!slash.isMissingNode() && !(slash.isTextual() && (slash.asText().equals("keep") || slash.asText().equals("drop")))) {
      return Optional.of(name + ": trailingSlash is \"keep\" or \"drop\"");
    }
    JsonNode keep = n.path("keepQuery");
    if (!keep.isMissingNode()) {
      boolean ok = keep.isArray() && keep.size() <= MAX_KEEP_QUERY;
      for (JsonNode q : keep) {
        ok &= q.isTextual() && !q.asText().isEmpty() && q.asText().length() <= 40 && !hitcounter.page.PathNormaliser.isTracking(q.asText().toLowerCase(java.util.Locale.ROOT));
      }
      if (!ok) {
        return Optional.of(name + ": keepQuery is a list of at most " + MAX_KEEP_QUERY + " query parameter names (1-40 characters; never a tracking parameter such as utm_source)");
      }
    }
    if (!wholeIn(n.path("maxPages"), 0, 100_000_000)) {
      return Optional.of(name + ": maxPages is a whole number from 0 (no cap) to 100000000");
    }
    if (!wholeIn(n.path("generation"), 1, Long.MAX_VALUE / 2)) {
      return Optional.of(name + ": generation is a whole number from 1");
    }
    for (String l : new String[] {"perClient", "perSite"}) {
      JsonNode limit = n.path(l);
      if (!limit.isMissingNode()
          && (!limit.isObject() || !limit.path("rate").isNumber() || limit.path("rate").asDouble() < 0 || limit.path("rate").asDouble() > 1_000_000
              || !wholeIn(limit.path("burst"), 0, 10_000_000))) {
        return Optional.of(name + ": " + l + " is {\"rate\": hits a second (0: no limit), \"burst\": most at once}");
      }
    }
    for (String flag : new String[] {"deleted", "enabled", "requireOrigin", "lowerCase", "pathsAsIds"}) {
      if (!n.path(flag).isMissingNode() && !n.path(flag).isBoolean()) {
        return Optional.of(name + ": " + flag + " is true or false");
      }
    }
    return Optional.empty();
  }

  private static boolean wholeIn(JsonNode v, long min, long max) {
    return v.isMissingNode() || (v.isIntegralNumber() && v.asLong() >= min && v.asLong() <= max);
  }

  /** {@code doc} with site {@code name} defined as {@code definition}, at the generation it gets now. */
  public ObjectNode with(JsonNode doc, String name, ObjectNode definition) {
    ObjectNode out = doc != null && doc.isObject() ? ((ObjectNode) doc).deepCopy() : JsonNodeFactory.instance.objectNode();
    ObjectNode d = definition.deepCopy();
    d.remove("deleted");
    if (!name.equals(PageKey.DEFAULT_SITE)) {
      d.put("generation", generationFor(name));
    }
    out.set(name, d);
    return out;
  }

  /** {@code doc} with site {@code name} deleted: a tombstone that keeps its generation. */
  public ObjectNode without(JsonNode doc, String name) {
    ObjectNode out = doc != null && doc.isObject() ? ((ObjectNode) doc).deepCopy() : JsonNodeFactory.instance.objectNode();
    ObjectNode t = JsonNodeFactory.instance.objectNode();
    t.put("deleted", true);
    t.put("generation", Math.max(1, byName.containsKey(name) ? byName.get(name).generation() : 1));
    out.set(name, t);
    return out;
  }
}
