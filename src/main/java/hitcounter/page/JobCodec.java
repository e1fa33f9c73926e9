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
 *   <li>Format 4: as format 3, the page escaped ({@link LineEscape}: a URL path may hold spaces and
 *       any character; a page id is its own escape), and after the visitor, with a page load's
 *       first count, its referral: {@code r=<host>}, {@code s=<source>}, {@code m=<medium>},
 *       {@code c=<campaign>}, each escaped. The body stays ASCII.
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

  public static final int CURRENT_FORMAT = 4;
  /** The first format that carries URL paths and referrals. */
  public static final int PATHS_FORMAT = 4;

  /** A decoded job: its format, session, the pages of its human hits (in order; a page may repeat) and every hit. */
  public record Decoded(int format, String session, List<String> pages, List<Hit> hits) {}

  /**
   * One hit of a job: its page, the minute it was taken (since the epoch; -1: unknown), the
   * visitor's hash (0: none) and whether a bot took it.
   */
  public record Hit(String page, long minute, long visitor, boolean bot, boolean siteOnly, Referral referral) {
    /** Minutes since the epoch beyond this are not a time (year 3000 and later). */
    public static final long MAX_MINUTE = 540_000_000L;

    public Hit {
      referral = referral == null ? Referral.NONE : referral;
    }

    public Hit(String page, long minute, long visitor, boolean bot) {
      this(page, minute, visitor, bot, false, Referral.NONE);
    }

    public Hit(String page, long minute, long visitor, boolean bot, boolean siteOnly) {
      this(page, minute, visitor, bot, siteOnly, Referral.NONE);
    }

    /** This hit with {@code referral}. */
    public Hit with(Referral r) {
      return new Hit(page, minute, visitor, bot, siteOnly, r);
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

    /**
     * The line of this hit in a format-4 job. Its first three fields are the format-3 line when
     * the page is a page id (its own escape), and the format-3 encoder keeps only those.
     */
    public String line() {
      String p = LineEscape.escape(page);
      if (!timed()) {
        return p;
      }
      StringBuilder b = new StringBuilder(p.length() + 24).append(p).append(' ').append(Long.toString(minute, 36)).append(' ')
          .append(siteOnly ? "~" : bot ? "-" : Long.toUnsignedString(visitor, 36));
      field(b, 'r', referral.host());
      field(b, 's', referral.source());
      field(b, 'm', referral.medium());
      field(b, 'c', referral.campaign());
      return b.toString();
    }

    private static void field(StringBuilder b, char name, String value) {
      if (value != null) {
        b.append(' ').append(name).append('=').append(LineEscape.escape(value));
      }
    }

    /** The hit of a line of format 3 or 4 ({@code escaped}: its fields are escaped), or null when it is not one. */
    static Hit parse(String line, boolean escaped) {
      String[] f = line.split(" ", -1);
      String page = escaped ? LineEscape.unescape(f[0]) : f[0];
      if (page == null) {
        return null;
      }
      if (f.length == 1) {
        return plain(page);
      }
      if (f.length < 3 || (!escaped && f.length > 3)) {
        return null;
      }
      try {
        long minute = Long.parseLong(f[1], 36);
        String v = f[2];
        boolean siteOnly = v.equals("~");
        boolean bot = siteOnly || v.equals("-");
        long visitor = bot ? 0 : Long.parseUnsignedLong(v, 36);
        if (minute < 0 || minute > MAX_MINUTE) {
          return null;
        }
        String[] r = new String[4];
        for (int i = 3; i < f.length; i++) {
          int at = f[i].length() < 2 || f[i].charAt(1) != '=' ? -1 : "rsmc".indexOf(f[i].charAt(0));
          String value = at < 0 ? null : LineEscape.unescape(f[i].substring(2));
          if (value == null || r[at] != null || value.isEmpty() || value.length() > Referral.MAX_LENGTH) {
            return null;
          }
          r[at] = value;
        }
        return new Hit(page, minute, visitor, bot, siteOnly, new Referral(r[0], r[1], r[2], r[3]));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  private JobCodec() {}

  /**
   * Encodes {@code lines} (hit lines of format 4, {@link Hit#line}) in {@code format} (1 to 4)
   * for a job put on connection {@code session}. Format 3 drops the referral, formats 1 and 2
   * carry the page alone (a rolling upgrade from a version without analytics: every hit is then
   * counted as a human's). Only format 4 carries URL paths: the intake never queues one while
   * an older format is set ({@link #carries}).
   */
  public static byte[] encode(int format, long session, List<String> lines) {
    StringBuilder b = new StringBuilder(lines.size() * 40 + 24);
    if (format >= 2 && format <= 4) {
      b.append('#').append(format).append(' ').append(sessionName(session));
    } else if (format != 1) {
      throw new IllegalArgumentException("unknown job format " + format);
    }
    for (String line : lines) {
      if (b.length() > 0) {
        b.append('\n');
      }
      int keep = format == 4 ? -1 : format == 3 ? nthSpace(line, 3) : line.indexOf(' ');
      b.append(keep < 0 ? line : line.substring(0, keep));
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether jobs of {@code format} can carry a hit of {@code page} (a URL path needs format 4). */
  public static boolean carries(int format, String counted) {
    return format >= PATHS_FORMAT || counted.indexOf('/') < 0; // a page id never holds a slash, nor a site's prefix
  }

  private static int nthSpace(String line, int n) {
    int at = -1;
    for (int i = 0; i < n; i++) {
      at = line.indexOf(' ', at + 1);
      if (at < 0) {
        return -1;
      }
    }
    return at;
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
      if (parts.length != 2 || !(parts[0].equals("#2") || parts[0].equals("#3") || parts[0].equals("#4")) || parts[1].isEmpty() || !isSession(parts[1]) || nl < 0) {
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
      Hit hit = format >= 3 ? Hit.parse(line, format == 4) : Hit.plain(line);
      if (hit == null || !PageKey.isValid(hit.page()) || (format < 4 && !carries(format, hit.page()))) {
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
