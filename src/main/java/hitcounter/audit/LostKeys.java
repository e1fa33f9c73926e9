package hitcounter.audit;

/**
 * Hits a rollback of a datacenter's store lost for good (committed there, gone in a restore or a
 * wipe, and no longer recoverable from a copy), one record per rollback and queue, copied to
 * every datacenter and max-merged: {@code hitcounter/lost/<dc>/<queue>/<first seq>~<epoch>} =
 * {@code {"hits": n, "from": first seq, "to": last seq, "at": ms}}. The key names the first
 * entry lost by the name it had, so a rollback seen again (another round, another target) writes
 * the same record.
 */
public final class LostKeys {
  public static final String ROOT = "hitcounter/lost/";

  private LostKeys() {}

  public static String prefix(String dc) {
    return ROOT + dc + "/";
  }

  public static String key(String dc, String queue, long from, String epoch) {
    return prefix(dc) + queue + "/" + from + "~" + (epoch.isEmpty() ? "-" : epoch);
  }
}
