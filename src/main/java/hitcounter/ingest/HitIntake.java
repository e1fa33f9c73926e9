package hitcounter.ingest;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.page.JobCodec;
import hitcounter.page.PageKey;
import hitcounter.page.Referral;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Takes a hit for every route that counts one (API, pixel, live page): the gate's checks, then
 * the queue; {@code accepted} renders the answer once beanstalkd acknowledged the hit. The
 * client address is the connection's peer, or the last address of X-Forwarded-For not itself a
 * trusted proxy when the peer is one of the configured trusted proxies.
 */
public final class HitIntake {
  private final HitGate gate;
  private final HitQueue queue;
  private final List<String> trustedProxies;
  private final HitLines lines;

  public HitIntake(HitGate gate, HitQueue queue, List<String> trustedProxies) {
    this(gate, queue, trustedProxies, HitLines.none());
  }

  public HitIntake(HitGate gate, HitQueue queue, List<String> trustedProxies, HitLines lines) {
    this.gate = gate;
    this.queue = queue;
    this.trustedProxies = List.copyOf(trustedProxies);
    this.lines = lines;
  }

  /** Counts a hit of {@code page} on {@code site} (null: the default site). */
  public Route hit(String site, String page, Function<PageKey, Route> accepted) {
    return hit(site, page, accepted, HitRejections::notQueued);
  }

  /** As {@link #hit(String, String, Function)}, with {@code notQueued} answering a hit the queue did not acknowledge. */
  public Route hit(String site, String page, Function<PageKey, Route> accepted, Function<Throwable, Route> notQueued) {
    return take((req, bot) -> gate.check(site, page, header(req, "Origin"), header(req, "Referer"), client(req), bot), Optional.empty(), accepted, notQueued);
  }

  /**
   * Counts a hit of URL path {@code rawPath} on {@code site} (null: the default site), made a
   * page by the site's rules ({@link HitGate#checkPath}); {@code referrer} (the visiting page's
   * {@code document.referrer}, sent with a page load's first count) and the path's campaign go
   * with the hit, unless the referrer is the site itself.
   */
  public Route hitPath(String site, String rawPath, Optional<String> referrer, Function<PageKey, Route> accepted, Function<Throwable, Route> notQueued) {
    if (!queue.takesPaths()) {
      // Before any check takes room for it (a page under a site's cap, a token of a rate limit).
      return notQueued.apply(new HitQueue.Refused(HitQueue.PATHS_NEED_FORMAT_4));
    }
    return take((req, bot) -> gate.checkPath(site, rawPath, header(req, "Origin"), header(req, "Referer"), client(req), bot), referrer, accepted, notQueued);
  }

  private Route take(java.util.function.BiFunction<HttpRequest, Boolean, HitGate.Verdict> check, Optional<String> referrer,
      Function<PageKey, Route> accepted, Function<Throwable, Route> notQueued) {
    return extractRequest(req -> {
      if (prefetch(req)) {
        // A browser fetching ahead (or a link preview) is not a visit: 204, nothing counted; the
        // real visit fetches again.
        gate.skipped("prefetch");
        return complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
            .addHeader(RawHeader.create("Cache-Control", "no-store")));
      }
      String client = client(req);
      Optional<String> userAgent = header(req, "User-Agent");
      boolean bot = lines.isBot(userAgent);
      HitGate.Verdict v = check.apply(req, bot);
      if (v instanceof HitGate.Refuse r) {
        return HitRejections.refused(r);
      }
      HitGate.Pass pass = (HitGate.Pass) v;
      PageKey key = pass.key();
      JobCodec.Hit hit = lines.hit(key.key(), client, userAgent, bot);
      if (hit.timed() && !hit.bot()) {
        hit = hit.with(Referral.of(ReferrerHost.of(referrer, pass.site(), header(req, "Origin"), header(req, "Referer")), pass.campaign()));
      }
      gate.taken(hit.bot());
      return onComplete(queue.enqueue(hit.line()), done -> done.isSuccess() ? accepted.apply(key) : notQueued.apply(done.failed().get()));
    });
  }

  /** A prefetch or preview: {@code Sec-Purpose}/{@code Purpose}/{@code X-Purpose} naming prefetch or preview, or {@code X-Moz: prefetch}. */
  static boolean prefetch(HttpRequest req) {
    for (HttpHeader h : req.getHeaders()) {
      if (h.is("sec-purpose") || h.is("purpose") || h.is("x-purpose") || h.is("x-moz")) {
        String v = h.value().toLowerCase(java.util.Locale.ROOT);
        if (v.contains("prefetch") || v.contains("preview") || v.contains("prerender")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The client address of {@code req} ("unknown" when the server did not record the peer). */
  String client(HttpRequest req) {
    java.net.InetAddress address = req.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress).orElse(null);
    String peer = address == null ? "unknown" : address.getHostAddress();
    if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
      return clientKey(address, peer);
    }
    // Every X-Forwarded-For line, in order (a proxy may add its own line rather than append to
    // the client's), then the right-most hop that is not a trusted proxy.
    StringBuilder all = new StringBuilder();
    for (HttpHeader h : req.getHeaders()) {
      if (h.is("x-forwarded-for")) {
        all.append(all.length() == 0 ? "" : ",").append(h.value());
      }
    }
    String[] hops = all.toString().split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
        return clientKey(null, hop.length() <= 64 ? hop : hop.substring(0, 64));
      }
    }
    return clientKey(address, peer);
  }

  /** What a client's buckets are keyed by: its IPv4 address, or the /64 of an IPv6 address (one host holds a whole /64). */
  static String clientKey(java.net.InetAddress address, String text) {
    java.net.InetAddress a = address;
    if (a == null && text.indexOf(':') >= 0) {
      try {
        a = java.net.InetAddress.getByName(text); // a literal: no lookup
      } catch (java.net.UnknownHostException e) {
        return text;
      }
    }
    if (a instanceof java.net.Inet6Address) {
      byte[] b = a.getAddress();
      StringBuilder k = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        k.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return k.append(":/64").toString();
    }
    return text;
  }

  private static Optional<String> header(HttpRequest req, String name) {
    return req.getHeader(name).map(HttpHeader::value);
  }
}
