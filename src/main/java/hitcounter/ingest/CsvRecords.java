package hitcounter.ingest;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Records of a CSV text as Go's encoding/csv and RFC 4180 write them: fields split by commas,
 * optionally quoted with {@code "} (a quote inside doubled), line breaks inside quotes kept,
 * lines ending in {@code \n} or {@code \r\n}, blank lines skipped. A field is at most
 * {@value #MAX_FIELD} characters, a record at most {@value #MAX_FIELDS} fields: a file that is
 * not CSV fails on its first line, not after filling the heap.
 */
final class CsvRecords {
  static final int MAX_FIELD = 16 * 1024;
  static final int MAX_FIELDS = 64;

  /** A line that is not CSV. */
  static final class BadCsv extends Exception {
    BadCsv(String message) {
      super(message);
    }
  }

  private final Reader in;
  private long line = 1;
  private long recordLine;
  private int pushedBack = -2;

  CsvRecords(Reader in) {
    this.in = in;
  }

  /** The line the last record began on (1-based). */
  long line() {
    return recordLine;
  }

  /** The next record, or null at the end. */
  List<String> next() throws IOException, BadCsv {
    int c = read();
    while (c == '\n' || c == '\r') {
      c = read();
    }
    if (c < 0) {
      return null;
    }
    recordLine = line;
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    while (true) {
      if (quoted) {
        if (c < 0) {
          throw new BadCsv("a quoted field is not closed");
        }
        if (c == '"') {
          int d = read();
          if (d == '"') {
            f.append('"');
          } else {
            quoted = false;
            c = d;
            continue;
          }
        } else {
          f.append((char) c);
        }
      } else if (c == ',' || c == '\n' || c == '\r' || c < 0) {
        fields.add(f.toString());
        if (fields.size() > MAX_FIELDS) {
          throw new BadCsv("more than " + MAX_FIELDS + " fields");
        }
        f.setLength(0);
        wasQuoted = false;
        if (c != ',') {
          if (c == '\r') {
            int d = read();
            if (d != '\n') {
              pushedBack = d;
            }
          }
          return fields;
        }
      } else if (c == '"' && f.length() == 0 && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else if (c == '"' || wasQuoted) {
        throw new BadCsv(wasQuoted ? "text after a closing quote" : "a quote inside an unquoted field");
      } else {
        f.append((char) c);
      }
      if (f.length() > MAX_FIELD) {
        throw new BadCsv("a field longer than " + MAX_FIELD + " characters");
      }
      c = read();
    }
  }

  private int read() throws IOException {
    int c;
    if (pushedBack != -2) {
      c = pushedBack;
      pushedBack = -2;
    } else {
      c = in.read();
    }
    if (c == '\n') {
      line++;
    }
    return c;
  }
}
