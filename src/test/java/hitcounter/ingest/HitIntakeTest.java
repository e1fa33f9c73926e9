package hitcounter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

class HitIntakeTest {
  private static HttpRequest from(String peer, String... forwarded) throws Exception {
    HttpRequest r = HttpRequest.create("/api/hits/x").addAttribute(AttributeKeys.remoteAddress, RemoteAddress.create(InetAddress.getByName(peer)));
    List<org.apache.pekko.http.javadsl.model.HttpHeader> lines = new java.util.ArrayList<>();
    for (String f : forwarded) {
      lines.add(RawHeader.create("X-Forwarded-For", f));
    }
    return r.withHeaders(lines); // in the order they came, as the server parses them
  }

  @Test
  void theClientIsThePeerUnlessThePeerIsATrustedProxy() throws Exception {
    HitIntake intake = new HitIntake(null, null, List.of("10.0.0.9"));
    assertEquals("10.1.1.1", intake.client(from("10.1.1.1", "6.6.6.6")), "an untrusted peer's header is ignored");
    assertEquals("7.7.7.7", intake.client(from("10.0.0.9", "6.6.6.6, 7.7.7.7")));
  }

  /** Found in review: a proxy that adds its own header line left the client's forged line first, and that one was used. */
  @Test
  void everyForwardedLineCountsAndTheRightMostUntrustedHopWins() throws Exception {
    HitIntake intake = new HitIntake(null, null, List.of("10.0.0.9"));
    assertEquals("7.7.7.7", intake.client(from("10.0.0.9", "6.6.6.6", "7.7.7.7")));
  }

  @Test
  void anIpv6ClientIsKeyedByItsSlash64() throws Exception {
    HitIntake intake = new HitIntake(null, null, List.of());
    assertEquals(intake.client(from("2001:db8:1:2::1")), intake.client(from("2001:db8:1:2:ffff::9")));
  }
}
