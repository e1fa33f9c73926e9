package hitcounter.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which keys of a datacenter's store nothing names any more, given its current manifest: shards
 * and manifests of this generation or older that the manifest does not list, entries folded
 * into it. Keys of newer generations are left alone (a fold may be writing them). Used by the
 * folder's sweep of its own store and the replicator's sweep of the copies.
 */
public final class StoreGarbage {
  private StoreGarbage() {}

  public static List<String> of(Manifest m, String manifestKey, List<String> keys) {
    Set<String> live = new HashSet<>();
    m.shards().forEach(s -> live.add(s.key()));
    live.add(manifestKey);
    String shardPrefix = StoreKeys.storePrefix(manifestKeyDc(manifestKey)) + "s/";
    String manifestPrefix = StoreKeys.storePrefix(manifestKeyDc(manifestKey)) + "m/";
    String entryPrefix = StoreKeys.storePrefix(manifestKeyDc(manifestKey)) + "j/";
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      if (live.contains(k)) {
        continue;
      }
      try {
        if (isGarbage(k, m, shardPrefix, manifestPrefix, entryPrefix)) {
          out.add(k);
        }
      } catch (RuntimeException e) {
        // a key of no known shape: left alone
      }
    }
    return out;
  }

  private static boolean isGarbage(String k, Manifest m, String shardPrefix, String manifestPrefix, String entryPrefix) {
    {
      if (k.startsWith(shardPrefix)) {
        // s/<gen>-<nonce>/<n>: only versions older than the current generation.
        String version = k.substring(shardPrefix.length(), k.indexOf('/', shardPrefix.length()));
        return Long.parseLong(version.substring(0, version.indexOf('-'))) <= m.gen();
      } else if (k.startsWith(manifestPrefix)) {
        String version = k.substring(manifestPrefix.length());
        return Long.parseLong(version.substring(0, version.indexOf('-'))) <= m.gen();
      } else if (k.startsWith(entryPrefix)) {
        String rest = k.substring(entryPrefix.length());
        int slash = rest.lastIndexOf('/');
        return slash > 0 && StoreKeys.entrySeq(rest.substring(slash + 1)) <= m.foldedSeq(rest.substring(0, slash));
      }
      return false;
    }
  }

  private static String manifestKeyDc(String manifestKey) {
    String rest = manifestKey.substring(StoreKeys.STORE_ROOT.length());
    return rest.substring(0, rest.indexOf('/'));
  }

}
