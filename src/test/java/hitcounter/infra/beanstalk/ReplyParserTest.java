package hitcounter.infra.beanstalk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ReplyParserTest {
  @Test
  void framesLineRepliesAndDataRepliesAcrossChunks() {
    String wire = "INSERTED 1\r\nRESERVED 7 4\r\nho\r\n\r\nTIMED_OUT\r\nOK 5\r\na: 1\n\r\n";
    ReplyParser parser = new ReplyParser();
    List<Reply> replies = new ArrayList<>();
    for (int i = 0; i < wire.length(); i += 3) {
      replies.addAll(parser.feed(ByteString.fromString(wire.substring(i, Math.min(wire.length(), i + 3)))));
    }
    assertEquals(4, replies.size());
    assertEquals("INSERTED", replies.get(0).word());
    assertEquals("1", replies.get(0).arg(0));
    assertEquals("RESERVED 7 4", replies.get(1).line());
    assertEquals("ho\r\n", replies.get(1).data().utf8String(), "data may hold CRLF");
    assertEquals("TIMED_OUT", replies.get(2).line());
    assertEquals("a: 1\n", replies.get(3).data().utf8String());
  }

  @Test
  void refusesAnEndlessLine() {
    assertThrows(BeanstalkException.class, () -> new ReplyParser().feed(ByteString.fromString("X".repeat(300))));
  }
}
