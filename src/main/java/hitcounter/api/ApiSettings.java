package hitcounter.api;

import com.typesafe.config.Config;

/** `hitcounter.admin-token`: the bearer token of changes through the API (empty: no changes). */
public record ApiSettings(String adminToken) {
  public static ApiSettings create(Config root) {
    return new ApiSettings(root.getString("hitcounter.admin-token"));
  }
}
