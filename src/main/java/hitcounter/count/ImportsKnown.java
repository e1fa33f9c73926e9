package hitcounter.count;

import hitcounter.store.ImportManifest;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The imports this node's view knows (every version's manifest, by import id) and which of them
 * its table shows; an import it cannot show (a chunk missing or damaged) is listed as
 * {@code unapplied}, with why. Read by routes and metrics; written by the {@link ImportView}.
 */
public final class ImportsKnown {
  private volatile Map<String, List<ImportManifest>> byId = Map.of();
  private volatile Set<String> applied = Set.of();
  private volatile Map<String, String> unapplied = Map.of();

  public Map<String, List<ImportManifest>> byId() {
    return byId;
  }

  /** Whether the table shows import {@code id}. */
  public boolean applied(String id) {
    return applied.contains(id);
  }

  /** The imports known that the table cannot show, and why. */
  public Map<String, String> unapplied() {
    return unapplied;
  }

  void set(Map<String, List<ImportManifest>> byId, Set<String> applied, Map<String, String> unapplied) {
    this.byId = Map.copyOf(byId);
    this.applied = Set.copyOf(applied);
    this.unapplied = Map.copyOf(unapplied);
  }
}
