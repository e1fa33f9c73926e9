package hitcounter.web;

import hitcounter.infra.metrics.HttpMetrics;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.discovery.TopologyView;
import hitcounter.ingest.ErrorReply;
import hitcounter.ingest.HitQueue;
import hitcounter.ingest.HitReply;
import hitcounter.ingest.HitRoutes;
import hitcounter.page.PageId;
import hitcounter.replicate.DatacenterStates;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;

/**
 * What people see and embed: the live page of a page id ({@code /}, {@code /p/{page}}: counts a
 * hit), the dashboard, the 1×1 counting pixel, the SVG badge, and their JSON/event feeds. Pages
 * are plain HTML/CSS/JS from resources; every input is validated and every text escaped.
 */
public final class WebRoutes {
  private static final ContentType SVG = MediaTypes.IMAGE_SVG_XML.toContentType();
  private static final ContentType GIF = MediaTypes.IMAGE_GIF.toContentType();
  private static final List<RawHeader> NO_CACHE =
      List.of(RawHeader.create("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0"), RawHeader.create("Pragma", "no-cache"));

  private final String datacenter;
  private final HitQueue queue;
  private final HitRoutes hits;
  private final LiveSettings live;
  private final DatacenterStates datacenters;
  private final double staleAfterSeconds;
  private final Supplier<java.util.concurrent.CompletionStage<Map<String, Object>>> topology;
  private final String pageTemplate = resource("page.html");
  private final byte[] dashboard = bytes("dashboard.html");
  private final byte[] pixel = bytes("px.gif");
  private final Map<String, byte[]> statics = Map.of(
      "hitcounter.css", bytes("hitcounter.css"), "page.js", bytes("page.js"), "dashboard.js", bytes("dashboard.js"));

  public WebRoutes(
      String datacenter,
      HitQueue queue,
      HitRoutes hits,
      LiveSettings live,
      DatacenterStates datacenters,
      Duration staleAfter,
      TopologyView topology) {
    this.datacenter = datacenter;
    this.queue = queue;
    this.hits = hits;
    this.live = live;
    this.datacenters = datacenters;
    this.staleAfterSeconds = staleAfter.toMillis() / 1000.0;
    this.topology = topology::get;
  }

  public Route routes() {
    return concat(
        pathSingleSlash(() -> HttpMetrics.template("/", () -> get(() -> livePage("home")))),
        path(PathMatchers.segment("p").slash(PathMatchers.segment()), page -> HttpMetrics.template("/p/{page}", () -> get(() -> valid(page, () -> livePage(page))))),
        path("dashboard", () -> HttpMetrics.template("/dashboard", () -> get(() -> complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, dashboard)))))),
        path(PathMatchers.segment("static").slash(PathMatchers.segment()), name -> HttpMetrics.template("/static/{file}", () -> get(() -> staticFile(name)))),
        path("px.gif", () -> HttpMetrics.template("/px.gif", () -> get(() -> parameterOptional("page", p -> valid(p.orElse(""), () -> pixel(p.get())))))),
        path(PathMatchers.segment("badge").slash(PathMatchers.segment()), file -> HttpMetrics.template("/badge/{file}", () -> get(() -> badge(file)))),
        path(PathMatchers.segment("api").slash("topology"), () -> HttpMetrics.template("/api/topology", () -> get(() -> onComplete(topology.get(), t -> t.isSuccess()
            ? complete(StatusCodes.OK, t.get(), Jackson.marshaller(Json.mapper()))
            : error(StatusCodes.SERVICE_UNAVAILABLE, "topology-unavailable", "try again"))))),
        path(PathMatchers.segment("api").slash("hits").slash(PathMatchers.segment()).slash("events"),
            page -> HttpMetrics.template("/api/hits/{page}/events", () -> get(() -> valid(page, () -> events(page))))));
  }

  private Route valid(String page, Supplier<Route> inner) {
    Optional<String> problem = PageId.problem(page);
    return problem.isPresent() ? error(StatusCodes.BAD_REQUEST, "bad-page-id", problem.get()) : inner.get();
  }

  /** Counts a visit, then renders the page with the numbers as they are now. */
  private Route livePage(String page) {
    return onComplete(queue.enqueue(page), done -> {
      HitReply r = hits.reply(page);
      boolean unknown = !done.isSuccess() && done.failed().get() instanceof HitQueue.OutcomeUnknown;
      String note = done.isSuccess() ? "your visit was counted" : unknown ? "your visit may not have been counted" : "your visit could not be counted right now";
      StringBuilder rows = new StringBuilder();
      r.datacenters().forEach((dc, n) -> rows.append("<tr><td>").append(Html.escape(dc)).append("</td><td class=\"n\">").append(n).append("</td></tr>"));
      String html = pageTemplate
          .replace("{{page}}", Html.escape(page))
          .replace("{{colour}}", Html.escape(live.getString(Setting.COLOUR)))
          .replace("{{datacenter}}", Html.escape(datacenter))
          .replace("{{note}}", Html.escape(note))
          .replace("{{total}}", String.valueOf(r.total()))
          .replace("{{rows}}", rows.toString());
      return complete(HttpResponse.create()
          .withStatus(done.isSuccess() ? StatusCodes.OK : unknown ? StatusCodes.GATEWAY_TIMEOUT : StatusCodes.SERVICE_UNAVAILABLE)
          .withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, html)));
    });
  }

  private Route staticFile(String name) {
    byte[] body = statics.get(name);
    if (body == null) {
      return reject();
    }
    ContentType type = name.endsWith(".css") ? MediaTypes.TEXT_CSS.toContentType(org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8)
        : MediaTypes.APPLICATION_JAVASCRIPT.toContentType(org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8);
    return complete(HttpResponse.create().withEntity(HttpEntities.create(type, body)));
  }

  private Route pixel(String page) {
    return onComplete(queue.enqueue(page), done -> done.isSuccess()
        ? complete(HttpResponse.create().withEntity(HttpEntities.create(GIF, pixel)).addHeaders(new ArrayList<>(NO_CACHE)))
        : HitRoutes.notQueued(done.failed().get()));
  }

  private Route badge(String file) {
    if (!file.endsWith(".svg")) {
      return reject();
    }
    String page = file.substring(0, file.length() - 4);
    return valid(page, () -> complete(HttpResponse.create()
        .withEntity(HttpEntities.create(SVG, Badge.svg(hits.reply(page).total()).getBytes(StandardCharsets.UTF_8)))
        .addHeaders(new ArrayList<>(NO_CACHE))));
  }

  /** Server-sent events: the page's counts and the colour, whenever either changed. */
  private Route events(String page) {
    Source<ServerSentEvent, NotUsed> source =
        Source.tick(Duration.ZERO, Duration.ofMillis(250), "tick")
            .map(t -> {
              ObjectNode o = Json.mapper().valueToTree(hits.reply(page));
              o.put("colour", live.getString(Setting.COLOUR));
              o.remove("ageSeconds");
              return o.toString();
            })
            .statefulMapConcat(() -> {
              String[] last = {null};
              return json -> {
                if (json.equals(last[0])) {
                  return List.of();
                }
                last[0] = json;
                ObjectNode o = (ObjectNode) Json.mapper().readTree(json);
                return List.of(ServerSentEvent.create(o.toString()));
              };
            })
            .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat)
            .mapMaterializedValue(cancellable -> NotUsed.getInstance());
    return completeOK(source, EventStreamMarshalling.toEventStream());
  }

  private static Route error(StatusCode status, String code, String reason) {
    return complete(status, new ErrorReply(code, reason), Jackson.marshaller(Json.mapper()));
  }

  private static String resource(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String name) {
    try (InputStream in = WebRoutes.class.getResourceAsStream("/web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource web/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
