package hitcounter.page;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Makes the URL path a browser has ({@code location.pathname + location.search}, percent-encoded
 * or not, or a whole http(s) URL) into the page it counts, in this order:
 *
 * <ol>
 *   <li>a whole URL loses its scheme and host; the fragment goes;
 *   <li>the path is percent-decoded to UTF-8 (invalid UTF-8: refused) and put in NFC; a {@code %}
 *       not followed by two hex digits stays a {@code %};
 *   <li>control characters are refused;
 *   <li>repeated slashes collapse, {@code .} segments go, {@code ..} takes the segment before
 *       (one that would leave the root is refused);
 *   <li>a trailing slash goes, except on {@code /} or when the site keeps them;
 *   <li>a {@code %}, {@code ?} or {@code #} the decoding made is written {@code %25}, {@code %3F},
 *       {@code %23} again, so the page normalises to itself and never reads as a query;
 *   <li>lower case, when the site says so;
 *   <li>the query goes, except the parameters the site keeps (sorted by name, then value);
 *       tracking parameters ({@link #TRACKING}) never stay, and the campaign's
 *       {@code utm_source}/{@code utm_medium}/{@code utm_campaign} (or {@code ref}) are handed back
 *       apart.
 * </ol>
 *
 * The page is {@code /} and at most {@value #MAX_BYTES} more bytes of UTF-8.
 */
public final class PathNormaliser {
  /** Bytes of UTF-8 a page may have after its leading slash. */
  public static final int MAX_BYTES = 1024;
  /** Characters of input looked at: a path of 1,024 bytes, every byte percent-encoded, and a long query dropped anyway. */
  public static final int MAX_INPUT = 16 * 1024;

  /** A visit's campaign, from its query: each null when not given. {@code source} is {@code utm_source}, else {@code ref}. */
  public record Campaign(String source, String medium, String campaign) {
    public static final Campaign NONE = new Campaign(null, null, null);

    public boolean isEmpty() {
      return source == null && medium == null && campaign == null;
    }
  }

  /** A normalised page, or why there is none. */
  public sealed interface Outcome permits Page, Refused {}

  public record Page(String path, Campaign campaign) implements Outcome {}

  public record Refused(String reason) implements Outcome {}

  private PathNormaliser() {}

  public static Outcome normalise(String raw, PathRules rules) {
    if (raw == null || raw.isEmpty()) {
      return new Refused("path is empty");
    }
    if (raw.length() > MAX_INPUT) {
      return new Refused("path is longer than " + MAX_INPUT + " characters");
    }
    if (hasControl(raw)) {
      return new Refused("path holds control characters or a lone surrogate");
    }
    String s = withoutOrigin(raw);
    if (s == null) {
      return new Refused("a URL counts only as http or https, with a host");
    }
    int hash = s.indexOf('#');
    if (hash >= 0) {
      s = s.substring(0, hash);
    }
    if (s.isEmpty()) {
      s = "/";
    }
    if (s.charAt(0) != '/') {
      return new Refused("path is not absolute: it starts with /");
    }
    int q = s.indexOf('?');
    String rawPath = q < 0 ? s : s.substring(0, q);
    String rawQuery = q < 0 ? "" : s.substring(q + 1);
    String decoded = decode(rawPath, false);
    if (decoded == null) {
      return new Refused("path is not valid UTF-8 once percent-decoded");
    }
    decoded = Normalizer.normalize(decoded, Normalizer.Form.NFC);
    if (hasControl(decoded)) {
      return new Refused("path holds control characters");
    }
    String path = segments(decoded, rules.keepTrailingSlash());
    if (path == null) {
      return new Refused("path goes above the root with ..");
    }
    if (rules.lowerCase()) {
      path = path.toLowerCase(Locale.ROOT);
    }
    path = reescape(path);
    PathQuery.Parts query = PathQuery.of(rawQuery, rules);
    if (query == null) {
      return new Refused("query is not valid UTF-8 once percent-decoded, or holds control characters");
    }
    String page = query.kept().isEmpty() ? path : path + "?" + query.kept();
    if (page.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES + 1) {
      return new Refused("path is longer than / and " + MAX_BYTES + " bytes of UTF-8");
    }
    return new Page(page, query.campaign());
  }

  /** {@code raw} without {@code scheme://host[:port]} when it is an http(s) URL; null for another scheme. */
  private static String withoutOrigin(String raw) {
    int colon = raw.indexOf(':');
    int slash = raw.indexOf('/');
    if (colon < 0 || (slash >= 0 && slash < colon) || raw.startsWith("/")) {
      return raw;
    }
    String scheme = raw.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || !raw.startsWith("//", colon + 1)) {
      return scheme.matches("[a-z][a-z0-9+.-]*") ? null : raw;
    }
    int from = colon + 3;
    int end = from;
    while (end < raw.length() && "/?#".indexOf(raw.charAt(end)) < 0) {
      end++;
    }
    if (end == from) {
      return null;
    }
    String rest = raw.substring(end);
    return rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest;
  }

  /** Whether a query parameter (its name in lower case) only tracks where a visit came from ({@code utm_*}, {@code fbclid}, …). */
  public static boolean isTracking(String lowerName) {
    return PathQuery.isTracking(lowerName);
  }

  /** {@code path} with {@code %}, {@code ?} and {@code #} written as escapes: what would change its meaning when read again. */
  private static String reescape(String path) {
    if (path.indexOf('%') < 0 && path.indexOf('?') < 0 && path.indexOf('#') < 0) {
      return path;
    }
    return path.replace("%", "%25").replace("?", "%3F").replace("#", "%23");
  }

  /** Percent-decoded to UTF-8 (in a query, {@code +} is a space), or null when that is not valid UTF-8. */
  static String decode(String s, boolean plusIsSpace) {
    if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) {
      return s.indexOf('\uFFFD') >= 0 ? null : s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        out.write(' ');
      } else if (c < 0x80) {
        out.write(c);
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
        byte[] b = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i = end - 1;
      }
    }
    String text = LineEscape.utf8(out.toByteArray());
    return text == null || text.indexOf('\uFFFD') >= 0 ? null : text;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** Whether {@code s} holds a C0 or C1 control character, DEL, or a lone surrogate. */
  public static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        return true;
      }
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c) || i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      }
    }
    return false;
  }

  /** The path with its segments resolved ({@code /a/b}), or null when {@code ..} leaves the root. */
  private static String segments(String decoded, boolean keepTrailingSlash) {
    List<String> out = new ArrayList<>();
    String[] parts = decoded.split("/", -1);
    boolean directory = false;
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i];
      boolean last = i == parts.length - 1;
      if (p.isEmpty() || p.equals(".")) {
        directory = last;
        continue;
      }
      if (p.equals("..")) {
        if (out.isEmpty()) {
          return null;
        }
        out.remove(out.size() - 1);
        directory = last;
        continue;
      }
      out.add(p);
      directory = false;
    }
    if (out.isEmpty()) {
      return "/";
    }
    StringBuilder b = new StringBuilder();
    for (String p : out) {
      b.append('/').append(p);
    }
    if (directory && keepTrailingSlash) {
      b.append('/');
    }
    return b.toString();
  }


}
