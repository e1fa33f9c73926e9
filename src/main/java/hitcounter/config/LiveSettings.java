package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.Config;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The settings in force on this node: defaults from application.conf, replaced by the winning
 * write in Consul as {@link ConfigView} applies it. Read by workers, discovery, the replicator
 * and the HTML page on every use, so a change takes effect without restart.
 */
public final class LiveSettings {
  private final Map<Setting, JsonNode> defaults = new EnumMap<>(Setting.class);
  private final Map<Setting, VersionedValue> applied = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<Setting>> listeners = new CopyOnWriteArrayList<>();

  public LiveSettings(Config root) {
    defaults.put(Setting.COLOUR, TextNode.valueOf(root.getString("hitcounter.web.colour")));
    defaults.put(Setting.BATCH_SIZE, IntNode.valueOf(root.getInt("hitcounter.worker.batch-size")));
    defaults.put(Setting.LINGER_MS, IntNode.valueOf((int) root.getDuration("hitcounter.worker.linger").toMillis()));
    defaults.put(Setting.WORKERS_PER_QUEUE, IntNode.valueOf(root.getInt("hitcounter.discovery.workers-per-queue")));
    defaults.put(
        Setting.REPLICATION_INTERVAL_MS, IntNode.valueOf((int) root.getDuration("hitcounter.replication.interval").toMillis()));
    defaults.put(Setting.SITES, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
    defaults.put(Setting.ANALYTICS, IntNode.valueOf(root.getBoolean("hitcounter.analytics.enabled") ? 1 : 0));
    defaults.put(Setting.SERIES_DAYS, IntNode.valueOf(root.getInt("hitcounter.analytics.series-days")));
    defaults.put(Setting.SERIES_HOURS, IntNode.valueOf(root.getInt("hitcounter.analytics.series-hours")));
    defaults.put(Setting.JOB_FORMAT, IntNode.valueOf(root.getInt("hitcounter.beanstalk.job-format")));
    defaults.put(Setting.STORE_FORMAT, IntNode.valueOf(root.getInt("hitcounter.store.format")));
    defaults.put(Setting.RESET_FORMAT, IntNode.valueOf(root.getInt("hitcounter.resets.format")));
  }

  public JsonNode get(Setting s) {
    VersionedValue v = applied.get(s);
    return v != null ? v.value() : defaults.get(s);
  }

  public int getInt(Setting s) {
    return get(s).asInt();
  }

  public String getString(Setting s) {
    return get(s).asText();
  }

  /** The write in force, if any (none: the default). */
  public VersionedValue applied(Setting s) {
    return applied.get(s);
  }

  public JsonNode defaultOf(Setting s) {
    return defaults.get(s);
  }

  /** Versions in force, by setting name (0 for defaults): what this node tells other datacenters. */
  public Map<String, Long> appliedVersions() {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (Setting s : Setting.values()) {
      VersionedValue v = applied.get(s);
      out.put(s.key, v == null ? 0L : v.version());
    }
    return out;
  }

  /** Applies {@code v} if it wins over what is in force; never goes back to an older write. */
  boolean apply(Setting s, VersionedValue v) {
    boolean[] changed = {false};
    applied.compute(s, (k, old) -> {
      if (v.newerThan(old)) {
        changed[0] = true;
        return v;
      }
      return old;
    });
    if (changed[0]) {
      listeners.forEach(l -> l.accept(s));
    }
    return changed[0];
  }

  /**
   * Applies {@code v}, the merge of every write of a map setting, when it differs from what is in
   * force: a write that arrives late may add entries without being the latest write.
   */
  boolean applyMerged(Setting s, VersionedValue v) {
    boolean[] changed = {false};
    applied.compute(s, (k, old) -> {
      if (old == null || !old.value().equals(v.value()) || v.newerThan(old)) {
        changed[0] = old == null || !old.value().equals(v.value());
        return v;
      }
      return old;
    });
    if (changed[0]) {
      listeners.forEach(l -> l.accept(s));
    }
    return changed[0];
  }

  public void onChange(Consumer<Setting> listener) {
    listeners.add(listener);
  }
}
