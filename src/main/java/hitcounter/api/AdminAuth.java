package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;

import hitcounter.infra.http.JsonReplies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** The admin token check of every route that changes something (settings, sites, resets): 401 without it. */
final class AdminAuth {
  private AdminAuth() {}

  static Route authorized(String adminToken, Supplier<Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      String given = header.map(h -> h.startsWith("Bearer ") ? h.substring(7) : "").orElse("");
      if (adminToken.isEmpty() || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), adminToken.getBytes(StandardCharsets.UTF_8))) {
        return JsonReplies.error(StatusCodes.UNAUTHORIZED, "unauthorized",
            adminToken.isEmpty() ? "no admin token is configured on this node (HC_ADMIN_TOKEN)" : "an admin token is needed: Authorization: Bearer <token>");
      }
      return inner.get();
    });
  }
}
