package hitcounter.config;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.consul.KvEntry;
import hitcounter.page.PageKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The generations of deleted sites that every datacenter has seen deleted (decision 0019): per
 * site, the highest such generation. A site's entry in the {@code sites} setting is a tombstone
 * of generation g (g and below are gone), or a live site of generation g (below g are gone: it
 * was deleted and created again). A generation is dead here only when the {@code sites} setting
 * as every datacenter's Consul merges it says so; generations are never used again, so what is
 * dead stays dead, and anything of it (a reset record, a shard entry, a copy) can be dropped
 * wherever it is met.
 */
public record DeadGenerations(Map<String, Long> through) {
  public static final DeadGenerations NONE = new DeadGenerations(Map.of());

  public DeadGenerations {
    through = Map.copyOf(through);
  }

  /** Whether {@code countedId} is a page of a dead generation (a page of the default site never is). */
  public boolean dead(String countedId) {
    if (through.isEmpty()) {
      return false;
    }
    return PageKey.parse(countedId).filter(k -> !k.isDefaultSite()).map(k -> k.generation() <= through.getOrDefault(k.site(), 0L)).orElse(false);
  }

  /** Whether generation {@code generation} of site {@code site} is dead. */
  public boolean dead(String site, long generation) {
    return !site.equals(PageKey.DEFAULT_SITE) && generation <= through.getOrDefault(site, 0L);
  }

  /** The generations dead in every one of {@code sitesPerDatacenter} (the {@code sites} setting as each datacenter merges it). */
  public static DeadGenerations seenByAll(Collection<JsonNode> sitesPerDatacenter) {
    Map<String, Long> out = null;
    for (JsonNode doc : sitesPerDatacenter) {
      Map<String, Long> here = new HashMap<>();
      if (doc != null && doc.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          long gen = e.getValue().path("generation").asLong(0);
          long dead = e.getValue().path("deleted").asBoolean(false) ? gen : gen - 1;
          if (dead > 0 && !e.getKey().equals(PageKey.DEFAULT_SITE)) {
            here.put(e.getKey(), dead);
          }
        }
      }
      if (out == null) {
        out = here;
      } else {
        Map<String, Long> both = new HashMap<>();
        for (var e : out.entrySet()) {
          Long there = here.get(e.getKey());
          if (there != null) {
            both.put(e.getKey(), Math.min(e.getValue(), there));
          }
        }
        out = both;
      }
    }
    return out == null ? NONE : new DeadGenerations(out);
  }

  /** The {@code sites} setting as the config keys of one datacenter ({@code hitcounter/config/}, every slot) merge it. */
  public static JsonNode sitesIn(List<KvEntry> configEntries) {
    List<VersionedValue> writes = new ArrayList<>();
    for (KvEntry e : configEntries) {
      if (Setting.SITES.key.equals(ConfigKeys.settingOf(e.key()))) {
        // As the nodes read it (ConfigView): a write whose value is no valid sites setting is left out.
        VersionedValue.parse(e.value()).filter(v -> Setting.SITES.problem(v.value()).isEmpty()).ifPresent(writes::add);
      }
    }
    return EntryMerge.merge(writes);
  }

  /** The dead generations as last learned, shared by the keeper's reset folder (writer) and its replicator (reader). */
  public static final class Known {
    private volatile DeadGenerations value = NONE;
    private final java.util.function.BiPredicate<String, Long> shown;

    public Known() {
      this((site, generation) -> true);
    }

    /** {@code shown}: whether this node's sites show a site's generation (a new keeper learns the dead ones only after {@code fold-after}). */
    public Known(java.util.function.BiPredicate<String, Long> shown) {
      this.shown = shown;
    }

    /**
     * Whether what a site's generation holds may be copied to another datacenter: not dead, and
     * shown by this node's sites (a deleted site's keys are never carried back to a datacenter
     * that collected them, whatever this keeper has confirmed yet).
     */
    public boolean copyable(String site, long generation) {
      return !value.dead(site, generation) && (site.equals(PageKey.DEFAULT_SITE) || shown.test(site, generation));
    }

    /**
     * Whether the generation of a counted-id prefix ({@code site~generation:}) is dead in {@code
     * dead} (one value, read once per pass). With {@link #shownPrefix}: what a keeper drops from
     * its datacenter's snapshot (decision 0019).
     */
    public static boolean deadPrefix(DeadGenerations dead, String sitePrefix) {
      return siteOf(sitePrefix).map(k -> dead.dead(k.site(), k.generation())).orElse(false);
    }

    /** Whether this node's sites show the generation of a counted-id prefix (an unparsable one counts as shown: kept). */
    public boolean shownPrefix(String sitePrefix) {
      return siteOf(sitePrefix).map(k -> shown.test(k.site(), k.generation())).orElse(true);
    }

    private static java.util.Optional<PageKey> siteOf(String sitePrefix) {
      return PageKey.parse(sitePrefix + "p").filter(k -> !k.isDefaultSite() && sitePrefix.equals(PageKey.sitePrefix(k.site(), k.generation())));
    }

    public DeadGenerations get() {
      return value;
    }

    public void set(DeadGenerations v) {
      value = v;
    }
  }
}
