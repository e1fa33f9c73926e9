package hitcounter.infra.beanstalk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Frames beanstalkd's byte stream into replies. Replies that carry data (RESERVED, FOUND, OK)
 * say its length in their first line; all others are one line. Works on one growable byte
 * array, so a chunk of many small replies costs one copy and one scan. Not thread-safe: one per
 * connection.
 */
public final class ReplyParser {
  private static final int MAX_LINE = 256;
  private byte[] buf = new byte[8192];
  private int start;
  private int end;

  /** Feeds bytes; returns every reply they complete, in order. */
  public List<Reply> feed(ByteString bytes) {
    append(bytes);
    List<Reply> out = new ArrayList<>();
    while (true) {
      int eol = crlf(start, end);
      if (eol < 0) {
        if (end - start > MAX_LINE) {
          throw new BeanstalkException("reply line too long");
        }
        return out;
      }
      String line = new String(buf, start, eol - start, StandardCharsets.US_ASCII);
      int dataLength = dataLength(line);
      if (dataLength < 0) {
        out.add(new Reply(line, ByteString.emptyByteString()));
        start = eol + 2;
        continue;
      }
      int dataStart = eol + 2;
      if (end - dataStart < dataLength + 2) {
        return out;
      }
      out.add(new Reply(line, ByteString.fromArray(buf, dataStart, dataLength)));
      start = dataStart + dataLength + 2;
    }
  }

  private void append(ByteString bytes) {
    int n = bytes.size();
    if (start == end) {
      start = 0;
      end = 0;
    }
    if (end + n > buf.length) {
      int live = end - start;
      byte[] target = live + n > buf.length ? new byte[Math.max(buf.length * 2, live + n)] : buf;
      System.arraycopy(buf, start, target, 0, live);
      buf = target;
      start = 0;
      end = live;
    }
    bytes.copyToArray(buf, end, n);
    end += n;
  }

  private int crlf(int from, int to) {
    for (int i = from; i + 1 < to; i++) {
      if (buf[i] == '\r' && buf[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int dataLength(String line) {
    if (line.startsWith("RESERVED ") || line.startsWith("FOUND ") || line.startsWith("OK ")) {
      int sp = line.lastIndexOf(' ');
      return Integer.parseInt(line.substring(sp + 1));
    }
    return -1;
  }
}
