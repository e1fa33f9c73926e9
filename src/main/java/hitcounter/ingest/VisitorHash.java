package hitcounter.ingest;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A visitor without a cookie: HMAC-SHA256 keyed with the day's salt over the client address and
 * the User-Agent, cut to 64 bits. Without the salt (deleted 48 h after its day began) the hash
 * says nothing about the address; nothing else about the visitor is kept.
 */
public final class VisitorHash {
  private static final ThreadLocal<Keyed> MACS = new ThreadLocal<>();

  private record Keyed(byte[] salt, Mac mac) {}

  private VisitorHash() {}

  /** The visitor of {@code client} with {@code userAgent} on the day of {@code salt}; never 0 (0 means none). */
  public static long of(byte[] salt, String client, String userAgent) {
    Keyed k = MACS.get();
    if (k == null || k.salt() != salt) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        k = new Keyed(salt, mac);
        MACS.set(k);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
      }
    }
    Mac mac = k.mac();
    mac.update(client.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    mac.update(userAgent.getBytes(StandardCharsets.UTF_8));
    byte[] d = mac.doFinal();
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (d[i] & 0xff);
    }
    return h == 0 ? 1 : h;
  }
}
