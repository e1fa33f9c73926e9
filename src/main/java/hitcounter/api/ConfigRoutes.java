package hitcounter.api;

import hitcounter.config.ConfigKeys;
import hitcounter.config.ConfigView;
import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.config.SettingWriter;
import hitcounter.config.VersionedValue;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.JsonNode;
import hitcounter.infra.Json;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.KvEntry;
import hitcounter.infra.consul.TxnOp;
import hitcounter.infra.http.ErrorReply;
import hitcounter.replicate.DatacenterStates;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/config}: every setting, the value in force here, where it came from, and
 * which version each datacenter has in force. {@code PUT /api/config/{name}} (JSON value, admin
 * token as {@code Authorization: Bearer …}) writes it in this datacenter; the replicator takes
 * it everywhere.
 */
public final class ConfigRoutes {
  private final Consul consul;
  private final LiveSettings live;
  private final ConfigView.Writes writes;
  private final DatacenterStates datacenters;
  private final String datacenter;
  private final String adminToken;

  private final SettingWriter writer;

  public ConfigRoutes(Consul consul, LiveSettings live, ConfigView.Writes writes, DatacenterStates datacenters, String datacenter, String adminToken) {
    this.consul = consul;
    this.writer = new SettingWriter(consul, writes, datacenter);
    this.live = live;
    this.writes = writes;
    this.datacenters = datacenters;
    this.datacenter = datacenter;
    this.adminToken = adminToken;
  }

  public Route routes() {
    return pathPrefix(
        PathMatchers.segment("api").slash("config"),
        () -> concat(
            pathEndOrSingleSlash(() -> HttpMetrics.template("/api/config", () -> get(() -> complete(StatusCodes.OK, view(), JsonReplies.JSON)))),
            path(PathMatchers.segment(), name -> HttpMetrics.template("/api/config/{name}", () -> put(() -> AdminAuth.authorized(adminToken, () -> entity(
                org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(),
                body -> write(name, body))))))));
  }

  private Route write(String name, String body) {
    Optional<Setting> setting = Setting.named(name);
    if (setting.isEmpty()) {
      return error(StatusCodes.BAD_REQUEST, "unknown-setting", "no setting called " + name.substring(0, Math.min(name.length(), 64)));
    }
    JsonNode value;
    try {
      value = Json.mapper().readTree(body);
    } catch (Exception e) {
      value = null;
    }
    if (value == null || value.isMissingNode()) {
      return error(StatusCodes.BAD_REQUEST, "bad-value", "the body must be a JSON value, e.g. \"#1e90ff\" or 500");
    }
    Optional<String> problem = setting.get().problem(value);
    if (problem.isPresent()) {
      return error(StatusCodes.BAD_REQUEST, "bad-value", setting.get().key + ": " + problem.get());
    }
    JsonNode v = value;
    return onComplete(writer.write(setting.get(), v), done -> {
      if (done.isSuccess() && done.get().isPresent()) {
        VersionedValue w = done.get().get();
        return complete(StatusCodes.OK, Map.of("setting", setting.get().key, "value", w.value(), "version", w.version(), "datacenter", w.dc()), JsonReplies.JSON);
      }
      return error(StatusCodes.SERVICE_UNAVAILABLE, "consul-unavailable", "the setting could not be written; try again");
    });
  }

  private Map<String, Object> view() {
    Map<String, DatacenterStates.State> dcs = datacenters.all();
    Map<String, Object> settings = new LinkedHashMap<>();
    for (Setting s : Setting.values()) {
      VersionedValue inForce = live.applied(s);
      long version = inForce == null ? 0 : inForce.version();
      Map<String, Long> appliedIn = new TreeMap<>();
      dcs.forEach((dc, st) -> appliedIn.put(dc, st.configVersions().getOrDefault(s.key, 0L)));
      long upToDate = appliedIn.values().stream().filter(x -> x >= version).count();
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("value", live.get(s));
      one.put("version", version);
      one.put("source", inForce == null ? "default (application.conf)" : "consul, written in " + inForce.dc());
      one.put("writtenAt", inForce == null ? null : inForce.at());
      one.put("appliedIn", appliedIn);
      one.put("summary", s.key + " v" + version + " in " + upToDate + "/" + appliedIn.size() + " datacenters");
      one.put("description", s.description);
      settings.put(s.key, one);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("datacenter", datacenter);
    out.put("settings", settings);
    return out;
  }

  private static Route error(StatusCode status, String code, String reason) {
    return complete(status, new ErrorReply(code, reason), JsonReplies.JSON);
  }
}
