package hitcounter.ingest;

import hitcounter.config.Site;
import hitcounter.page.PageId;
import hitcounter.page.PageKey;
import hitcounter.page.PathNormaliser;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reads a file of counts to import into one site (decision 0015), plain or gzipped, in one of two
 * forms:
 *
 * <ul>
 *   <li>a CSV of {@code path,count[,day]} (a header naming {@code path}, {@code count} or
 *       {@code total}, and {@code day} or {@code date} is optional; this node's own export reads
 *       back);
 *   <li>GoatCounter's CSV export, one row per pageview: a header whose first field is
 *       {@code 2Path} (written {@code 2,Path} in its docs; version 1 is read too). Event rows and
 *       bot rows ({@code Bot} other than 0) are skipped and counted.
 * </ul>
 *
 * Every path is made a page with the site's rules, as a hit of it would be; a page id (no
 * leading {@code /}) is taken as one. Counts are summed per page. Any bad row fails the whole
 * file with its line (nothing is imported). The import's id is a digest of the site, its
 * generation and the file's bytes (after gunzip): the same file is the same import.
 */
public final class ImportReader {
  private static final Pattern GOAT = Pattern.compile("(\\d+),?Path");

  /** Why a file cannot be imported (line 0: the file as a whole). */
  public static class Refused extends Exception {
    private final long line;

    Refused(long line, String reason) {
      super(line > 0 ? "line " + line + ": " + reason : reason);
      this.line = line;
    }

    public long line() {
      return line;
    }
  }

  /** A file that inflates beyond the bound. */
  public static final class TooLarge extends Refused {
    TooLarge(String reason) {
      super(0, reason);
    }
  }

  /** What a file holds: its id, its form, the counts per counted id and what was read. */
  public record Read(String id, String format, TreeMap<String, Long> counts, long hits, long rows, long events, long bots, String firstDay,
      String lastDay) {}

  private final String siteName;
  private final Site site;
  private final int maxPages;
  private final long maxUnzipped;

  public ImportReader(String siteName, Site site, int maxPages) {
    this(siteName, site, maxPages, Long.MAX_VALUE);
  }

  public ImportReader(String siteName, Site site, int maxPages, long maxUnzipped) {
    this.siteName = siteName;
    this.site = site;
    this.maxPages = maxPages;
    this.maxUnzipped = maxUnzipped;
  }

  public Read read(InputStream raw) throws IOException, Refused {
    BufferedInputStream b = new BufferedInputStream(raw, 65536);
    b.mark(2);
    int m1 = b.read();
    int m2 = b.read();
    b.reset();
    boolean gzipped = m1 == 0x1f && m2 == 0x8b;
    InputStream body = gzipped ? new Bounded(new GZIPInputStream(b, 65536), maxUnzipped) : b;
    MessageDigest digest = sha256();
    digest.update((siteName + "\n" + site.generation() + "\n").getBytes(StandardCharsets.UTF_8));
    Reader text = new InputStreamReader(new DigestInputStream(body, digest),
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    Tally t = new Tally();
    java.io.PushbackReader in = new java.io.PushbackReader(new java.io.BufferedReader(text, 65536), 1);
    CsvRecords csv = new CsvRecords(in);
    try {
      int first = in.read();
      if (first >= 0 && first != '\uFEFF') {
        in.unread(first); // a byte order mark is not text
      }
      records(csv, t);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new Refused(0, "the file is not UTF-8 text");
    } catch (Bounded.Exceeded e) {
      throw new TooLarge("the file inflates beyond " + maxUnzipped / 1_000_000 + " MB once unzipped: split it (each part is an import of its own)");
    } catch (java.util.zip.ZipException e) {
      throw new Refused(0, "the gzip stream is damaged: " + e.getMessage());
    } catch (CsvRecords.BadCsv e) {
      throw new Refused(csv.line(), e.getMessage());
    }
    if (t.hits == 0) {
      throw new Refused(0, "the file counts no hit" + (t.events + t.bots > 0 ? " (" + t.events + " event rows, " + t.bots + " bot rows skipped)" : ""));
    }
    String id = HexFormat.of().formatHex(digest.digest(), 0, 16);
    return new Read(id, t.format, t.counts, t.hits, t.rows, t.events, t.bots, t.first == null ? null : t.first.toString(),
        t.last == null ? null : t.last.toString());
  }

  private static final class Tally {
    final TreeMap<String, Long> counts = new TreeMap<>();
    String format = "csv";
    long line;
    long hits;
    long rows;
    long events;
    long bots;
    LocalDate first;
    LocalDate last;

    void day(LocalDate d) {
      first = first == null || d.isBefore(first) ? d : first;
      last = last == null || d.isAfter(last) ? d : last;
    }
  }

  private void records(CsvRecords in, Tally t) throws IOException, Refused, CsvRecords.BadCsv {
    List<String> head = in.next();
    t.line = in.line();
    if (head == null) {
      throw new Refused(0, "the file is empty");
    }
    Matcher goat = GOAT.matcher(head.get(0).trim());
    boolean splitVersion = head.size() > 1 && head.get(0).trim().matches("\\d+") && head.get(1).trim().equals("Path");
    if (goat.matches() || splitVersion) {
      goatCounter(in, t, splitVersion ? head.get(0).trim() : goat.group(1), splitVersion ? head.subList(1, head.size()) : head.subList(0, head.size()));
      return;
    }
    int path = 0;
    int count = 1;
    int day = 2; // when a row has it
    List<String> names = head.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
    if (names.get(0).equals("path") || names.get(0).equals("page")) {
      count = indexOf(names, "count", "total", "hits", "pageviews");
      day = indexOf(names, "day", "date");
      if (count < 0) {
        throw new Refused(t.line, "the header names no count column (count or total)");
      }
    } else {
      row(t, head, path, count, day);
    }
    for (List<String> r = in.next(); r != null; r = in.next()) {
      t.line = in.line();
      row(t, r, path, count, day);
    }
  }

  private static int indexOf(List<String> names, String... any) {
    for (String a : any) {
      int i = names.indexOf(a);
      if (i >= 0) {
        return i;
      }
    }
    return -1;
  }

  private void row(Tally t, List<String> r, int path, int count, int day) throws Refused {
    if (r.size() <= Math.max(path, count)) {
      throw new Refused(t.line, "a row is path,count[,day]");
    }
    long n;
    try {
      n = Long.parseLong(r.get(count).trim());
    } catch (NumberFormatException e) {
      throw new Refused(t.line, "the count is not a whole number: " + clip(r.get(count)));
    }
    if (n < 0 || n > 1_000_000_000_000L) {
      throw new Refused(t.line, "the count is not between 0 and 10^12: " + n);
    }
    if (day >= 0 && day < r.size() && !r.get(day).isBlank()) {
      t.day(day(t, r.get(day)));
    }
    add(t, r.get(path), n);
  }

  private void goatCounter(CsvRecords in, Tally t, String version, List<String> head) throws IOException, Refused, CsvRecords.BadCsv {
    if (!version.equals("2") && !version.equals("1")) {
      throw new Refused(t.line, "GoatCounter export version " + clip(version) + " is not supported (1 and 2 are)");
    }
    t.format = "goatcounter-" + version;
    List<String> names = head.stream().map(String::trim).toList();
    int event = names.indexOf("Event");
    int bot = names.indexOf("Bot");
    int date = names.indexOf("Date");
    if (event < 0 || bot < 0 || date < 0) {
      throw new Refused(t.line, "a GoatCounter header names Path, Event, Bot and Date");
    }
    for (List<String> r = in.next(); r != null; r = in.next()) {
      t.line = in.line();
      List<String> f = r; // with a header of "2,Path,…" the version is a field of the header alone
      if (f.size() != names.size()) {
        throw new Refused(t.line, "a GoatCounter row has " + f.size() + " fields, its header " + names.size());
      }
      if (f.get(event).trim().equals("true")) {
        t.events++;
        continue;
      }
      String b = f.get(bot).trim();
      if (!b.isEmpty() && !b.equals("0")) {
        t.bots++;
        continue;
      }
      String d = f.get(date).trim();
      if (!d.isEmpty()) {
        t.day(day(t, d.length() >= 10 ? d.substring(0, 10) : d));
      }
      add(t, f.get(0), 1);
    }
  }

  private static LocalDate day(Tally t, String s) throws Refused {
    try {
      return LocalDate.parse(s.trim().length() > 10 ? s.trim().substring(0, 10) : s.trim());
    } catch (DateTimeParseException e) {
      throw new Refused(t.line, "not a day (YYYY-MM-DD): " + clip(s));
    }
  }

  private void add(Tally t, String raw, long n) throws Refused {
    t.rows++;
    String page = pageOf(t, raw.trim());
    if (n == 0) {
      return;
    }
    String key = siteName.equals(PageKey.DEFAULT_SITE) ? page : new PageKey(siteName, site.generation(), page).key();
    Long before = t.counts.get(key);
    if (before == null && t.counts.size() >= maxPages) {
      throw new Refused(t.line, "more than " + maxPages + " pages in one file: split it (each part is an import of its own)");
    }
    try {
      t.counts.put(key, before == null ? n : Math.addExact(before, n));
      t.hits = Math.addExact(t.hits, n);
    } catch (ArithmeticException e) {
      throw new Refused(t.line, "the counts add up beyond 2^63");
    }
  }

  private String pageOf(Tally t, String raw) throws Refused {
    if (raw.startsWith("/")) {
      PathNormaliser.Outcome o = PathNormaliser.normalise(raw, site.paths());
      if (o instanceof PathNormaliser.Refused r) {
        throw new Refused(t.line, "bad path: " + r.reason());
      }
      String page = site.paths().pageOf(((PathNormaliser.Page) o).path());
      if (!site.allowsPage(page)) {
        throw new Refused(t.line, "the page does not match the site's " + (page.startsWith("/") ? "pathPattern" : "pattern") + ": " + clip(page));
      }
      return page;
    }
    var bad = PageId.problem(raw);
    if (bad.isPresent()) {
      throw new Refused(t.line, "neither a path (/…) nor a page id: " + bad.get());
    }
    if (!site.allowsPage(raw)) {
      throw new Refused(t.line, "the page id does not match the site's pattern: " + clip(raw));
    }
    return raw;
  }

  private static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An input stream that fails once more than {@code max} bytes were read from it. */
  private static final class Bounded extends java.io.FilterInputStream {
    static final class Exceeded extends IOException {
      Exceeded() {
        super("too many bytes");
      }
    }

    private final long max;
    private long read;

    Bounded(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      count(c < 0 ? 0 : 1);
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count(Math.max(0, n));
      return n;
    }

    private void count(int n) throws Exceeded {
      read += n;
      if (read > max) {
        throw new Exceeded();
      }
    }
  }
}
