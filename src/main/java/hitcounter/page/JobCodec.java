package hitcounter.page;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The body of a hit job, in one place for the writer (the hit queue) and the reader (workers).
 *
 * <ul>
 *   <li>Format 2: a header line {@code #2 <session>}, then one page id per line. The session is
 *       the random number of the beanstalkd connection the job was put on: beanstalkd numbers
 *       jobs from 1 again when it starts without its binlog, so a job is named by (session, id),
 *       never by its id alone.
 *   <li>Format 1 (before the count store; still read while old jobs are queued): page ids only,
 *       one per line, no header. Its session is {@link #LEGACY_SESSION}.
 * </ul>
 *
 * A page id never starts with {@code #}, so the two cannot be confused. Any later format starts
 * with {@code #<n> }.
 */
public final class JobCodec {
  /** The session of format-1 jobs, which carry none. */
  public static final String LEGACY_SESSION = "-";

  public static final int CURRENT_FORMAT = 2;

  /** A decoded job: its format, session and pages (in order; a page may repeat). */
  public record Decoded(int format, String session, List<String> pages) {}

  private JobCodec() {}

  /** Encodes {@code pages} in {@code format} (1 or 2) for a job put on connection {@code session}. */
  public static byte[] encode(int format, long session, List<String> pages) {
    StringBuilder b = new StringBuilder(pages.size() * 24 + 24);
    if (format == 2) {
      b.append("#2 ").append(sessionName(session));
    } else if (format != 1) {
      throw new IllegalArgumentException("unknown job format " + format);
    }
    for (String page : pages) {
      if (b.length() > 0) {
        b.append('\n');
      }
      b.append(page);
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The printed form of a session number, as it appears in jobs and applied records. */
  public static String sessionName(long session) {
    return Long.toUnsignedString(session, 36);
  }

  /** The job's pages, or empty when the body is not a job of a known format (poison). */
  public static Optional<Decoded> decode(byte[] body) {
    String text = new String(body, StandardCharsets.US_ASCII);
    int format = 1;
    String session = LEGACY_SESSION;
    int from = 0;
    if (text.startsWith("#")) {
      int nl = text.indexOf('\n');
      String header = nl < 0 ? text : text.substring(0, nl);
      String[] parts = header.split(" ");
      if (parts.length != 2 || !parts[0].equals("#2") || parts[1].isEmpty() || !isSession(parts[1]) || nl < 0) {
        return Optional.empty();
      }
      format = 2;
      session = parts[1];
      from = nl + 1;
    }
    List<String> pages = new ArrayList<>();
    while (from <= text.length()) {
      int nl = text.indexOf('\n', from);
      String page = text.substring(from, nl < 0 ? text.length() : nl);
      if (!PageKey.isValid(page)) {
        return Optional.empty();
      }
      pages.add(page);
      if (nl < 0) {
        break;
      }
      from = nl + 1;
    }
    return Optional.of(new Decoded(format, session, List.copyOf(pages)));
  }

  /** The session named in a job body, without decoding its pages (null when none is readable). */
  public static String sessionOf(byte[] body) {
    return decode(body).map(Decoded::session).orElse(null);
  }

  private static boolean isSession(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
        return false;
      }
    }
    return s.length() <= 13;
  }
}
