package hitcounter.embed;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.infra.http.WebResources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /count.js}: the snippet a site pastes ({@code web/count.js}), with its version (the
 * {@code VERSION} it declares) in {@code X-Hitcounter-Script}, an ETag of its bytes, and an
 * hour of caching (a day stale while revalidating): a new version reaches browsers within the
 * hour, and a repeat visit asks nothing. A request whose If-None-Match holds the ETag gets 304.
 * Any origin may load it.
 */
final class CountScript {
  private final byte[] body = WebResources.bytes("count.js");
  private final String etag = "\"" + sha256(body).substring(0, 16) + "\"";
  private final String version = versionOf(new String(body, StandardCharsets.UTF_8));

  Route route() {
    List<org.apache.pekko.http.javadsl.model.HttpHeader> headers = List.of(
        RawHeader.create("Cache-Control", "public, max-age=3600, stale-while-revalidate=86400"), RawHeader.create("ETag", etag),
        RawHeader.create("X-Hitcounter-Script", version), RawHeader.create("Access-Control-Allow-Origin", "*"));
    return optionalHeaderValueByName("If-None-Match", seen -> seen.isPresent() && seen.get().contains(etag)
        ? complete(HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED).addHeaders(headers))
        : complete(HttpResponse.create().withEntity(HttpEntities.create(MediaTypes.APPLICATION_JAVASCRIPT.toContentType(org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8), body))
            .addHeaders(headers)));
  }

  String version() {
    return version;
  }

  static String versionOf(String script) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("VERSION\\s*=\\s*['\"]([^'\"]+)['\"]").matcher(script);
    return m.find() ? m.group(1) : "unknown";
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
