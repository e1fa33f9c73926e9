package hitcounter.store;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of this datacenter's snapshots that a copy is reading right now (a manifest and its
 * shards), shared on the keeper by the replicator, which copies them, and the folder, which
 * collects what a newer snapshot replaced: a key in use stays until the copy is done, so a copy
 * slower than a fold finishes instead of starting over with every fold.
 */
public final class SnapshotsInUse {
  private final Map<Object, Set<String>> uses = new ConcurrentHashMap<>();

  /** Marks {@code keys} in use; returns the token that releases them. */
  public Object use(Collection<String> keys) {
    Object token = new Object();
    uses.put(token, Set.copyOf(keys));
    return token;
  }

  public void release(Object token) {
    uses.remove(token);
  }

  public boolean inUse(String key) {
    for (Set<String> keys : uses.values()) {
      if (keys.contains(key)) {
        return true;
      }
    }
    return false;
  }
}
