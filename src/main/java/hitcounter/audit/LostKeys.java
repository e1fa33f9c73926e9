package hitcounter.audit;

/**
 * Hits a rollback of a datacenter's store took away (committed there, gone in a restore or a
 * wipe), one record per rollback and queue, copied to every datacenter:
 * {@code hitcounter/lost/<dc>/<queue>/<epoch>} = {@code {"hits": n, "from": first seq, "to": last
 * seq, "recovered": n, "recoveredTo": seq, "unread": n, "at": ms}}. The key names the epoch the
 * first lost entry was written in: the worker that wrote it and every copy that holds it name it
 * alike, whenever they see the rollback (a fold of the source in between does not change it).
 * Lost for good: {@code hits - recovered}.
 */
public final class LostKeys {
  public static final String ROOT = "hitcounter/lost/";

  private LostKeys() {}

  public static String prefix(String dc) {
    return ROOT + dc + "/";
  }

  public static String key(String dc, String queue, String epoch) {
    return prefix(dc) + queue + "/" + (epoch.isEmpty() ? "-" : epoch);
  }
}
