package hitcounter.page;

import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;

/**
 * Text as plain ASCII with escapes: every byte of its UTF-8 that is not plain written as a mark
 * and two hex digits. A job line's fields (format 4) use {@code %} and keep {@code !}..{@code ~}
 * but {@code %}: no space, no line break; a reset key's segment uses {@code !}
 * ({@link hitcounter.config.ResetRecord#segment}). A page id is its own escape in both.
 */
public final class LineEscape {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private LineEscape() {}

  /** {@code s} as a field of a job line: every byte of its UTF-8 outside {@code !}..{@code ~}, and {@code %}, written {@code %XX}. */
  public static String escape(String s) {
    return escape(s, '%', c -> c > ' ' && c <= '~' && c != '%');
  }

  /** {@code s} with every byte of its UTF-8 that is not {@code plain} (never {@code mark}; never a byte above 0x7F) written {@code <mark>XX}. */
  public static String escape(String s, char mark, IntPredicate plain) {
    for (int i = 0; i < s.length(); i++) {
      if (!plain.test(s.charAt(i))) {
        return escapeFrom(s, i, mark, plain);
      }
    }
    return s;
  }

  private static String escapeFrom(String s, int from, char mark, IntPredicate plain) {
    StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, from);
    for (byte x : s.substring(from).getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (plain.test(c)) {
        b.append((char) c);
      } else {
        b.append(mark).append(HEX[c >> 4]).append(HEX[c & 15]);
      }
    }
    return b.toString();
  }

  /** The text of an escaped field, or null when it is not one ({@code %} not followed by two hex digits, invalid UTF-8). */
  public static String unescape(String s) {
    return unescape(s, '%');
  }

  /** The text of {@code s} escaped with {@code mark}, or null when it is not one ({@code mark} not followed by two hex digits, invalid UTF-8). */
  public static String unescape(String s, char mark) {
    if (s.indexOf(mark) < 0) {
      return s;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != mark) {
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
    return utf8(out.toByteArray());
  }

  /** {@code bytes} as strict UTF-8 (no malformed or overlong sequence), or null. */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }
}
