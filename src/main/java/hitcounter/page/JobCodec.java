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
 *   <li>Format 3: as format 2, each line a hit: {@code <page> <minute> <visitor>} (minute since
 *       the epoch and visitor hash in base 36; the visitor {@code -} for a bot), or a page alone
 *       (counted, with no time or visitor).
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

  public static final int CURRENT_FORMAT = 3;

  /** A decoded job: its format, session, the pages of its human hits (in order; a page may repeat) and every hit. */
  public record Decoded(int format, String session, List<String> pages, List<Hit> hits) {}

  /**
   * One hit of a job: its page, the minute it was taken (since the epoch; -1: unknown), the
   * visitor's hash (0: none) and whether a bot took it.
   */
  public record Hit(String page, long minute, long visitor, boolean bot, boolean siteOnly) {
    /** Minutes since the epoch beyond this are not a time (year 3000 and later). */
    public static final long MAX_MINUTE = 540_000_000L;

    public Hit(String page, long minute, long visitor, boolean bot) {
      this(page, minute, visitor, bot, false);
    }

    public static Hit plain(String page) {
      return new Hit(page, -1, 0, false);
    }

    /** A bot's hit of a page nobody counted yet: it counts for the page's site only (a bot never makes a page). */
    public static Hit siteBot(String page, long minute) {
      return new Hit(page, minute, 0, true, true);
    }

    public boolean timed() {
      return minute >= 0;
    }

    /** The line of this hit in a format-3 job. */
    public String line() {
      if (!timed()) {
        return page;
      }
      return page + ' ' + Long.toString(minute, 36) + ' ' + (siteOnly ? "~" : bot ? "-" : Long.toUnsignedString(visitor, 36));
    }

    static Hit parse(String line) {
      int sp = line.indexOf(' ');
      if (sp < 0) {
        return plain(line);
      }
      int sp2 = line.indexOf(' ', sp + 1);
      if (sp2 < 0) {
        return null;
      }
      try {
        long minute = Long.parseLong(line, sp + 1, sp2, 36);
        String v = line.substring(sp2 + 1);
        boolean siteOnly = v.equals("~");
        boolean bot = siteOnly || v.equals("-");
        long visitor = bot ? 0 : Long.parseUnsignedLong(v, 36);
        return minute < 0 || minute > MAX_MINUTE ? null : new Hit(line.substring(0, sp), minute, visitor, bot, siteOnly);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  private JobCodec() {}

  /**
   * Encodes {@code lines} (hit lines of format 3, {@link Hit#line}) in {@code format} (1, 2 or 3)
   * for a job put on connection {@code session}. Formats 1 and 2 carry the page alone (a rolling
   * upgrade from a version without analytics: every hit is then counted as a human's).
   */
  public static byte[] encode(int format, long session, List<String> lines) {
    StringBuilder b = new StringBuilder(lines.size() * 40 + 24);
    if (format == 2 || format == 3) {
      b.append('#').append(format).append(' ').append(sessionName(session));
    } else if (format != 1) {
      throw new IllegalArgumentException("unknown job format " + format);
    }
    for (String line : lines) {
      if (b.length() > 0) {
        b.append('\n');
      }
      int sp = format == 3 ? -1 : line.indexOf(' ');
      b.append(sp < 0 ? line : line.substring(0, sp));
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
      if (parts.length != 2 || !(parts[0].equals("#2") || parts[0].equals("#3")) || parts[1].isEmpty() || !isSession(parts[1]) || nl < 0) {
        return Optional.empty();
      }
      format = parts[0].charAt(1) - '0';
      session = parts[1];
      from = nl + 1;
    }
    List<String> pages = new ArrayList<>();
    List<Hit> hits = new ArrayList<>();
    while (from <= text.length()) {
      int nl = text.indexOf('\n', from);
      String line = text.substring(from, nl < 0 ? text.length() : nl);
      Hit hit = format == 3 ? Hit.parse(line) : Hit.plain(line);
      if (hit == null || !PageKey.isValid(hit.page())) {
        return Optional.empty();
      }
      hits.add(hit);
      if (!hit.bot()) {
        pages.add(hit.page());
      }
      if (nl < 0) {
        break;
      }
      from = nl + 1;
    }
    return Optional.of(new Decoded(format, session, List.copyOf(pages), List.copyOf(hits)));
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
