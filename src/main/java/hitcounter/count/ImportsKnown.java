package hitcounter.count;

import hitcounter.store.ImportManifest;
import java.util.List;
import java.util.Map;

/**
 * The imports this node's view knows (every version's manifest, by import id), the version of each
 * its table shows, and those it cannot show (a chunk missing or damaged), with why. Read by routes;
 * written by the {@link ImportView}.
 */
public final class ImportsKnown {
  private volatile Map<String, List<ImportManifest>> byId = Map.of();
  private volatile Map<String, ImportManifest> shown = Map.of();
  private volatile Map<String, String> problems = Map.of();

  public Map<String, List<ImportManifest>> byId() {
    return byId;
  }

  /** The version of import {@code id} the table shows (null: none). */
  public ImportManifest shown(String id) {
    return shown.get(id);
  }

  /** The imports known that the table cannot show as it should, and why. */
  public Map<String, String> problems() {
    return problems;
  }

  void set(Map<String, List<ImportManifest>> byId, Map<String, ImportManifest> shown, Map<String, String> problems) {
    this.byId = Map.copyOf(byId);
    this.shown = Map.copyOf(shown);
    this.problems = Map.copyOf(problems);
  }
}
