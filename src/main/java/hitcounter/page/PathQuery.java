package hitcounter.page;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The query of a URL path, for {@link PathNormaliser}: the parameters a site keeps (sorted by
 * name, then value; what would change their meaning escaped), never a tracking parameter; and
 * the visit's campaign ({@code utm_source}, else {@code ref}; {@code utm_medium};
 * {@code utm_campaign}).
 */
final class PathQuery {
  /** Query parameters that say where a visit came from, never what was visited. */
  static final Set<String> TRACKING = Set.of("fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
      "li_fat_id", "ref", "_hsenc", "_hsmi", "_ga", "_gl", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "rb_clickid", "s_cid");

  private PathQuery() {}

  /** Whether a query parameter (its name in lower case) only tracks where a visit came from. */
  static boolean isTracking(String lowerName) {
    return lowerName.startsWith("utm_") || lowerName.startsWith("mc_") || TRACKING.contains(lowerName);
  }

  /** The query as it stays in the page ("": none) and the visit's campaign. */
  record Parts(String kept, PathNormaliser.Campaign campaign) {}

  static Parts of(String raw, PathRules rules) {
    if (raw.isEmpty()) {
      return new Parts("", PathNormaliser.Campaign.NONE);
    }
    String source = null;
    String ref = null;
    String medium = null;
    String campaign = null;
    List<String[]> kept = new ArrayList<>();
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = PathNormaliser.decode(eq < 0 ? pair : pair.substring(0, eq), true);
      String value = PathNormaliser.decode(eq < 0 ? "" : pair.substring(eq + 1), true);
      if (name == null || value == null || PathNormaliser.hasControl(name) || PathNormaliser.hasControl(value)) {
        return null;
      }
      name = Normalizer.normalize(name, Normalizer.Form.NFC);
      value = Normalizer.normalize(value, Normalizer.Form.NFC);
      String lower = name.toLowerCase(Locale.ROOT);
      switch (lower) {
        case "utm_source" -> source = first(source, value);
        case "utm_medium" -> medium = first(medium, value);
        case "utm_campaign" -> campaign = first(campaign, value);
        case "ref" -> ref = first(ref, value);
        default -> { }
      }
      if (isTracking(lower)) {
        continue;
      }
      if (rules.keepQuery().contains(name)) {
        kept.add(new String[] {name, value});
      }
    }
    kept.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder b = new StringBuilder();
    for (String[] p : kept) {
      b.append(b.length() == 0 ? "" : "&").append(escape(p[0]));
      if (!p[1].isEmpty()) {
        b.append('=').append(escape(p[1]));
      }
    }
    return new Parts(b.toString(), new PathNormaliser.Campaign(clip(source != null ? source : ref), clip(medium), clip(campaign)));
  }


  private static String first(String had, String value) {
    return had != null || value.isEmpty() ? had : value;
  }

  /** A campaign value as kept: at most 100 characters (never half a surrogate pair). */
  private static String clip(String v) {
    if (v == null || v.isBlank()) {
      return null;
    }
    return Referral.clip(v);
  }

  /** A query name or value as it stands in a page: what would change its meaning escaped. */
  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '&' || c == '=' || c == '+' || c == '#') {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
