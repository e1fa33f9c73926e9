package hitcounter.page;

import java.nio.charset.StandardCharsets;

/**
 * The escape of a field of a job line (format 4; a reset key uses it with {@code !} for {@code %}): every byte of
 * its UTF-8 outside {@code !}..{@code ~}, and {@code %}, written {@code %XX}. No space, no line
 * break, ASCII only; a page id is its own escape.
 */
public final class LineEscape {
  private LineEscape() {}

  /**
   * {@code s} with every byte of its UTF-8 outside {@code !}..{@code ~}, and {@code %}, written
   * {@code %XX}: no space, no line break, ASCII only. A page id is its own escape.
   */
  public static String escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c > '~' || c == '%') {
        return escapeFrom(s, i);
      }
    }
    return s;
  }

  private static String escapeFrom(String s, int from) {
    StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, from);
    for (byte x : s.substring(from).getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c <= ' ' || c > '~' || c == '%') {
        b.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      } else {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** The text of an escaped field, or null when it is not one ({@code %} not followed by two hex digits, invalid UTF-8). */
  public static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%') {
        out.write(c);
        continue;
      }
      int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
      if (lo < 0) {
        return null;
      }
      out.write(hi * 16 + lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }
}
