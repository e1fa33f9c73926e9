package hitcounter.infra.beanstalk;

import org.apache.pekko.util.ByteString;

/** One reply of beanstalkd: its first line (without CRLF) and, for RESERVED/FOUND/OK, its data. */
public record Reply(String line, ByteString data) {

  public String word() {
    int sp = line.indexOf(' ');
    return sp < 0 ? line : line.substring(0, sp);
  }

  /** The n-th space-separated argument after the word (0-based). */
  public String arg(int n) {
    String[] parts = line.split(" ");
    return parts[n + 1];
  }
}
