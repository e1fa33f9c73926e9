package hitcounter.infra.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * {@link Consul} on Pekko HTTP's client: non-blocking, so a blocking query holds a pooled
 * connection, never a thread (see docs/decisions/0002-consul-access-layer.md).
 */
public final class ConsulHttpClient implements Consul {
  private final Http http;
  private final Materializer materializer;
  private final ObjectMapper json;
  private final String base;
  private final String localDc;
  private final Duration requestTimeout;
  private final ConsulMetrics metrics;
  private final ConsulToken token;
  private final ConnectionPoolSettings remotePool;
  private final HttpsConnectionContext https;
  private final LoggingAdapter log;

  public ConsulHttpClient(
      ActorSystem<?> system, ObjectMapper json, String baseUrl, String localDc, Duration requestTimeout, ConsulMetrics metrics) {
    this(system, json, baseUrl, localDc, requestTimeout, metrics, ConsulToken.none(), RemotePool.DEFAULT);
  }

  /**
   * The connection pool of requests that Consul forwards to another datacenter ({@code ?dc=}):
   * apart from the pool of local requests, so that requests hanging in a WAN cut (Consul holds
   * them until its RPC to the other side fails, minutes in a long cut) can never fill the pool
   * the node counts with. A connection quiet for {@code idleTimeout} is closed, and with it the
   * request hanging on it.
   */
  public record RemotePool(int maxConnections, int maxOpenRequests, Duration idleTimeout) {
    public static final RemotePool DEFAULT = new RemotePool(16, 64, Duration.ofSeconds(30));
  }

  public ConsulHttpClient(
      ActorSystem<?> system, ObjectMapper json, String baseUrl, String localDc, Duration requestTimeout, ConsulMetrics metrics, ConsulToken token,
      RemotePool remote) {
    this.metrics = metrics;
    this.token = token;
    ConnectionPoolSettings defaults = ConnectionPoolSettings.create(Adapter.toClassic(system));
    this.remotePool = defaults
        .withMaxConnections(remote.maxConnections())
        .withMaxOpenRequests(remote.maxOpenRequests())
        .withConnectionSettings(defaults.getConnectionSettings().withIdleTimeout(scala.concurrent.duration.Duration.fromNanos(remote.idleTimeout().toNanos())));
    this.https = Http.get(system).defaultClientHttpsContext();
    this.log = Adapter.toClassic(system).log();
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.json = json;
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.localDc = localDc;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public String localDatacenter() {
    return localDc;
  }

  @Override
  public CompletionStage<Indexed<List<KvEntry>>> kvTree(String dc, String prefix, long index, Duration wait) {
    String uri = withDc(base + "/v1/kv/" + prefix + "?recurse" + blocking(index, wait), dc);
    return call(kindOf(index), HttpMethods.GET, uri, null, timeoutFor(index, wait))
        .thenApply(
            r -> {
              if (r.status == 404) {
                return new Indexed<>(List.<KvEntry>of(), r.index);
              }
              r.expect(200, uri);
              List<KvEntry> out = new ArrayList<>();
              for (JsonNode e : r.body()) {
                KvEntry entry = kvEntry(e);
                if (!Consul.isWatchMarker(entry.key())) {
                  out.add(entry);
                }
              }
              return new Indexed<>(out, r.index);
            });
  }

  @Override
  public CompletionStage<Optional<KvEntry>> kvGet(String dc, String key) {
    String uri = withDc(base + "/v1/kv/" + key, dc);
    return call(ConsulMetrics.Kind.READ, HttpMethods.GET, uri, null, requestTimeout)
        .thenApply(
            r -> {
              if (r.status == 404) {
                return Optional.<KvEntry>empty();
              }
              r.expect(200, uri);
              JsonNode arr = r.body();
              return arr.isEmpty() ? Optional.<KvEntry>empty() : Optional.of(kvEntry(arr.get(0)));
            });
  }

  @Override
  public CompletionStage<Optional<byte[]>> kvGetRaw(String dc, String key) {
    String uri = withDc(base + "/v1/kv/" + key + "?raw", dc);
    return call(ConsulMetrics.Kind.READ, HttpMethods.GET, uri, null, requestTimeout)
        .thenApply(
            r -> {
              if (r.status == 404) {
                return Optional.<byte[]>empty();
              }
              r.expect(200, uri);
              return Optional.of(r.data.toArray());
            });
  }

  @Override
  public CompletionStage<Boolean> kvPut(String dc, String key, byte[] value) {
    if (value.length > TxnOp.MAX_BODY_BYTES) {
      return CompletableFuture.failedFuture(new RequestTooLarge("value of " + key + " is " + value.length + " bytes"));
    }
    String uri = withDc(base + "/v1/kv/" + key, dc);
    return call(ConsulMetrics.Kind.PUT, HttpMethods.PUT, uri, value, requestTimeout)
        .thenApply(
            r -> {
              r.expect(200, uri);
              return r.body().asBoolean();
            });
  }

  @Override
  public CompletionStage<Boolean> kvPutCas(String dc, String key, byte[] value, long index) {
    if (value.length > TxnOp.MAX_BODY_BYTES) {
      return CompletableFuture.failedFuture(new RequestTooLarge("value of " + key + " is " + value.length + " bytes"));
    }
    String uri = withDc(base + "/v1/kv/" + key + "?cas=" + index, dc);
    return call(ConsulMetrics.Kind.PUT, HttpMethods.PUT, uri, value, requestTimeout)
        .thenApply(
            r -> {
              r.expect(200, uri);
              return r.body().asBoolean();
            });
  }

  @Override
  public CompletionStage<List<String>> kvKeys(String dc, String prefix) {
    String uri = withDc(base + "/v1/kv/" + prefix + "?keys", dc);
    return call(ConsulMetrics.Kind.READ, HttpMethods.GET, uri, null, requestTimeout)
        .thenApply(
            r -> {
              if (r.status == 404) {
                return List.<String>of();
              }
              r.expect(200, uri);
              List<String> out = new ArrayList<>();
              r.body().forEach(k -> {
                if (!Consul.isWatchMarker(k.asText())) {
                  out.add(k.asText());
                }
              });
              return out;
            });
  }

  @Override
  public CompletionStage<TxnResult> txn(String dc, List<TxnOp> ops) {
    if (ops.size() > TxnOp.MAX_OPS) {
      return CompletableFuture.failedFuture(new RequestTooLarge("a Consul transaction holds at most " + TxnOp.MAX_OPS + " operations, not " + ops.size()));
    }
    ArrayNode body = json.createArrayNode();
    boolean writes = false;
    for (TxnOp op : ops) {
      ObjectNode kv = body.addObject().putObject("KV");
      kv.put("Verb", op.verb().wire);
      kv.put("Key", op.key());
      if (op.verb() == TxnOp.Verb.CAS || op.verb() == TxnOp.Verb.SET) {
        kv.put("Value", Base64.getEncoder().encodeToString(op.value()));
      }
      if (op.verb() == TxnOp.Verb.CAS || op.verb() == TxnOp.Verb.DELETE_CAS || op.verb() == TxnOp.Verb.CHECK_INDEX) {
        kv.put("Index", op.index());
      }
      writes |= op.verb().writes();
    }
    byte[] payload = bytes(body);
    if (payload.length > TxnOp.MAX_BODY_BYTES) {
      return CompletableFuture.failedFuture(new RequestTooLarge("a transaction body of " + payload.length + " bytes"));
    }
    String uri = withDc(base + "/v1/txn", dc);
    if (writes) {
      metrics.txnOperations(ops.size());
    }
    return call(writes ? ConsulMetrics.Kind.TXN : ConsulMetrics.Kind.READ, HttpMethods.PUT, uri, payload, requestTimeout)
        .thenApply(
            r -> {
              if (r.status == 409) {
                List<String> errors = new ArrayList<>();
                for (JsonNode e : r.body().path("Errors")) {
                  errors.add(e.path("OpIndex").asInt() + ": " + e.path("What").asText());
                }
                return TxnResult.conflict(errors);
              }
              r.expect(200, uri);
              Map<String, Long> indexes = new HashMap<>();
              Map<String, KvEntry> read = new HashMap<>();
              JsonNode results = r.body().path("Results");
              // Results are matched to ops by key, not by position: Consul answers nothing for a
              // delete, and something for a check.
              java.util.Set<String> gets = new java.util.HashSet<>();
              java.util.Set<String> written = new java.util.HashSet<>();
              for (TxnOp op : ops) {
                if (op.verb() == TxnOp.Verb.GET) {
                  gets.add(op.key());
                } else if (op.verb().writes()) {
                  written.add(op.key());
                }
              }
              for (int i = 0; i < results.size(); i++) {
                JsonNode kv = results.get(i).path("KV");
                if (!kv.has("Key")) {
                  continue;
                }
                String key = kv.get("Key").asText();
                if (gets.contains(key)) {
                  read.put(key, kvEntry(kv));
                } else if (written.contains(key)) {
                  indexes.put(key, kv.path("ModifyIndex").asLong());
                }
              }
              return TxnResult.committed(indexes, read);
            });
  }

  @Override
  public CompletionStage<Indexed<List<ServiceInstance>>> healthyInstances(String service, long index, Duration wait) {
    String uri = base + "/v1/health/service/" + service + "?passing=1" + blocking(index, wait);
    return call(kindOf(index), HttpMethods.GET, uri, null, timeoutFor(index, wait))
        .thenApply(
            r -> {
              r.expect(200, uri);
              List<ServiceInstance> out = new ArrayList<>();
              for (JsonNode e : r.body()) {
                JsonNode s = e.path("Service");
                String address = s.path("Address").asText("");
                if (address.isEmpty()) {
                  address = e.path("Node").path("Address").asText();
                }
                List<String> tags = new ArrayList<>();
                s.path("Tags").forEach(t -> tags.add(t.asText()));
                Map<String, String> meta = new HashMap<>();
                s.path("Meta").fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
                out.add(
                    new ServiceInstance(
                        s.path("ID").asText(),
                        s.path("Service").asText(),
                        e.path("Node").path("Node").asText(),
                        address,
                        s.path("Port").asInt(),
                        List.copyOf(tags),
                        Map.copyOf(meta)));
              }
              return new Indexed<>(List.copyOf(out), r.index);
            });
  }

  @Override
  public CompletionStage<List<String>> datacenters() {
    String uri = base + "/v1/catalog/datacenters";
    return call(ConsulMetrics.Kind.READ, HttpMethods.GET, uri, null, requestTimeout)
        .thenApply(
            r -> {
              r.expect(200, uri);
              List<String> out = new ArrayList<>();
              r.body().forEach(n -> out.add(n.asText()));
              return List.copyOf(out);
            });
  }

  @Override
  public CompletionStage<Void> register(ServiceRegistration reg) {
    ObjectNode body = json.createObjectNode();
    body.put("ID", reg.id());
    body.put("Name", reg.name());
    body.put("Address", reg.address());
    body.put("Port", reg.port());
    reg.tags().forEach(body.putArray("Tags")::add);
    ObjectNode meta = body.putObject("Meta");
    reg.meta().forEach(meta::put);
    ObjectNode check = body.putObject("Check");
    if (reg.httpCheck() != null) {
      check.put("HTTP", reg.httpCheck());
    } else {
      check.put("TCP", reg.tcpCheck());
    }
    check.put("Interval", reg.checkInterval().toMillis() + "ms");
    check.put("Timeout", reg.checkInterval().toMillis() + "ms");
    check.put("DeregisterCriticalServiceAfter", reg.deregisterCriticalAfter().toSeconds() + "s");
    String uri = base + "/v1/agent/service/register";
    return call(ConsulMetrics.Kind.AGENT, HttpMethods.PUT, uri, bytes(body), requestTimeout).thenAccept(r -> r.expect(200, uri));
  }

  @Override
  public CompletionStage<Void> deregister(String serviceId) {
    String uri = base + "/v1/agent/service/deregister/" + serviceId;
    return call(ConsulMetrics.Kind.AGENT, HttpMethods.PUT, uri, new byte[0], requestTimeout).thenAccept(r -> r.expect(200, uri));
  }

  /**
   * Sends one request and measures it: its kind, outcome and time, and its request bytes (the
   * request line and the body).
   */
  private CompletionStage<Raw> call(ConsulMetrics.Kind kind, HttpMethod method, String uri, byte[] body, Duration timeout) {
    if (REQUESTS.isDebugEnabled()) {
      REQUESTS.debug("{} {} {}", kind.tag, method.value(), uri.substring(base.length()));
    }
    long start = System.nanoTime();
    long requestBytes = method.value().length() + 1 + uri.length() - base.length() + (body == null ? 0 : body.length);
    return send(method, uri, body, timeout)
        .whenComplete(
            (r, e) -> {
              long now = System.nanoTime();
              if (r != null && r.status < 500) {
                lastAnswer = now;
              }
              metrics.record(
                  kind,
                  e != null ? ConsulMetrics.Outcome.FAILED
                      : r.status == 409 ? ConsulMetrics.Outcome.CONFLICT
                      : r.status == 403 ? ConsulMetrics.Outcome.DENIED
                      : r.status < 300 || r.status == 404 ? ConsulMetrics.Outcome.OK
                      : ConsulMetrics.Outcome.ERROR,
                  now - start,
                  requestBytes);
            });
  }

  /** When Consul last answered this node (nanoTime), for readiness without a request of its own. */
  private volatile long lastAnswer = System.nanoTime() - Duration.ofDays(1).toNanos();

  @Override
  public boolean answeredWithin(Duration d) {
    return System.nanoTime() - lastAnswer <= d.toNanos();
  }

  private static final org.slf4j.Logger REQUESTS = org.slf4j.LoggerFactory.getLogger("hitcounter.consul.requests");

  private static ConsulMetrics.Kind kindOf(long index) {
    return index > 0 ? ConsulMetrics.Kind.BLOCKING_READ : ConsulMetrics.Kind.READ;
  }

  private CompletionStage<Raw> send(HttpMethod method, String uri, byte[] body, Duration timeout) {
    HttpRequest request = HttpRequest.create(uri).withMethod(method);
    Optional<String> t = token.get();
    if (t.isPresent()) {
      request = request.addHeader(RawHeader.create("X-Consul-Token", t.get()));
    }
    if (body != null) {
      request = request.withEntity(ContentTypes.APPLICATION_JSON, body);
    }
    return (isRemote(uri) ? http.singleRequest(request, https, remotePool, log) : http.singleRequest(request))
        .thenCompose(
            response -> {
              long index =
                  response
                      .getHeader("X-Consul-Index")
                      .map(h -> Long.parseLong(h.value()))
                      .orElse(0L);
              int status = response.status().intValue();
              return response
                  .entity()
                  .toStrict(timeout.toMillis(), materializer)
                  .thenApply(strict -> new Raw(status, index, strict.getData()));
            })
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Duration timeoutFor(long index, Duration wait) {
    return index > 0 ? wait.plus(wait.dividedBy(16)).plus(requestTimeout) : requestTimeout;
  }

  private static String blocking(long index, Duration wait) {
    return index > 0 ? "&index=" + index + "&wait=" + wait.toMillis() + "ms" : "";
  }

  /**
   * {@code uri} asking the datacenter {@code dc} (null: the local one). Keys and names need no
   * escaping: they are made of page ids ([A-Za-z0-9._~-]), datacenter and node names, and '/'.
   */
  private String withDc(String uri, String dc) {
    return dc == null || dc.equals(localDc) ? uri : uri + (uri.indexOf('?') < 0 ? "?" : "&") + "dc=" + URLEncoder.encode(dc, StandardCharsets.UTF_8);
  }

  /** Whether Consul forwards this request to another datacenter. */
  private static boolean isRemote(String uri) {
    return uri.contains("?dc=") || uri.contains("&dc=");
  }

  private byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private KvEntry kvEntry(JsonNode e) {
    String v = e.path("Value").isNull() ? null : e.path("Value").asText(null);
    byte[] value = v == null ? new byte[0] : Base64.getDecoder().decode(v);
    return new KvEntry(e.path("Key").asText(), value, e.path("ModifyIndex").asLong());
  }

  private final class Raw {
    final int status;
    final long index;
    final ByteString data;

    Raw(int status, long index, ByteString data) {
      this.status = status;
      this.index = index;
      this.data = data;
    }

    void expect(int wanted, String uri) {
      if (status != wanted) {
        throw new ConsulException(uri + " answered " + status + ": " + data.utf8String());
      }
    }

    JsonNode body() {
      try {
        return json.readTree(data.toArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
