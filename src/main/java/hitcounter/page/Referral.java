package hitcounter.page;

/**
 * Where a visit came from, sent with a page load's first count only: the referring host (null
 * when none, or the site's own), and the campaign's {@code utm_source} (or {@code ref}),
 * {@code utm_medium} and {@code utm_campaign} (each null when not given). Each at most
 * {@value #MAX_LENGTH} characters.
 */
public record Referral(String host, String source, String medium, String campaign) {
  public static final Referral NONE = new Referral(null, null, null, null);
  public static final int MAX_LENGTH = 100;

  public boolean isEmpty() {
    return host == null && source == null && medium == null && campaign == null;
  }

  /** The referral of a visit from {@code host} with {@code campaign}. */
  public static Referral of(String host, PathNormaliser.Campaign campaign) {
    Referral r = new Referral(clip(host), clip(campaign.source()), clip(campaign.medium()), clip(campaign.campaign()));
    return r.isEmpty() ? NONE : r;
  }

  /** {@code v} stripped and cut to {@value #MAX_LENGTH} characters, never between a surrogate pair; null when blank or with control characters. */
  static String clip(String v) {
    if (v == null || v.isBlank() || PathNormaliser.hasControl(v)) {
      return null;
    }
    String t = v.strip();
    if (t.length() <= MAX_LENGTH) {
      return t;
    }
    int end = Character.isHighSurrogate(t.charAt(MAX_LENGTH - 1)) ? MAX_LENGTH - 1 : MAX_LENGTH;
    return t.substring(0, end);
  }
}
