package hitcounter.infra.beanstalk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Frames beanstalkd's byte stream into replies. Replies that carry data (RESERVED, FOUND, OK)
 * say its length in their first line; all others are one line. Not thread-safe: one per
 * connection.
 */
public final class ReplyParser {
  private static final int MAX_LINE = 256;
  private ByteString buffer = ByteString.emptyByteString();

  /** Feeds bytes; returns every reply they complete, in order. */
  public List<Reply> feed(ByteString bytes) {
    buffer = buffer.concat(bytes);
    List<Reply> out = new ArrayList<>();
    while (true) {
      int eol = indexOfCrlf(buffer);
      if (eol < 0) {
        if (buffer.size() > MAX_LINE) {
          throw new BeanstalkException("reply line too long");
        }
        return out;
      }
      String line = buffer.slice(0, eol).decodeString(StandardCharsets.US_ASCII);
      int dataLength = dataLength(line);
      if (dataLength < 0) {
        out.add(new Reply(line, ByteString.emptyByteString()));
        buffer = buffer.drop(eol + 2);
        continue;
      }
      int need = eol + 2 + dataLength + 2;
      if (buffer.size() < need) {
        return out;
      }
      ByteString data = buffer.slice(eol + 2, eol + 2 + dataLength).compact();
      out.add(new Reply(line, data));
      buffer = buffer.drop(need);
    }
  }

  private static int dataLength(String line) {
    if (line.startsWith("RESERVED ") || line.startsWith("FOUND ") || line.startsWith("OK ")) {
      int sp = line.lastIndexOf(' ');
      return Integer.parseInt(line.substring(sp + 1));
    }
    return -1;
  }

  private static int indexOfCrlf(ByteString b) {
    int n = b.size();
    for (int i = 0; i + 1 < n; i++) {
      if (b.apply(i) == '\r' && b.apply(i + 1) == '\n') {
        return i;
      }
    }
    return -1;
  }
}
