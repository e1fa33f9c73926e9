package hitcounter.web;

import hitcounter.infra.http.WebResources;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.infra.metrics.HttpMetrics;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The dashboard for operators ({@code /dashboard}: top pages, topology, datacenters, stalls;
 * it reads {@code /api/pages} and {@code /api/topology}) and the static files of every page
 * ({@code /static/{file}}, a fixed list).
 */
public final class DashboardRoutes {
  private final byte[] dashboard = WebResources.bytes("dashboard.html");
  private final Map<String, byte[]> statics = Map.of(
      "hitcounter.css", WebResources.bytes("hitcounter.css"), "page.js", WebResources.bytes("page.js"), "dashboard.js", WebResources.bytes("dashboard.js"),
      "charts.js", WebResources.bytes("charts.js"),
      // uPlot (MIT), from the org.webjars.npm:uplot webjar.
      "uPlot.js", WebResources.webjar("uplot/1.6.30/dist/uPlot.iife.min.js"), "uPlot.css", WebResources.webjar("uplot/1.6.30/dist/uPlot.min.css"));

  public Route routes() {
    return concat(
        path("dashboard", () -> HttpMetrics.template("/dashboard",
            () -> get(() -> complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, dashboard)))))),
        path(PathMatchers.segment("static").slash(PathMatchers.segment()), name -> HttpMetrics.template("/static/{file}", () -> get(() -> staticFile(name)))));
  }

  private Route staticFile(String name) {
    byte[] body = statics.get(name);
    if (body == null) {
      return reject();
    }
    ContentType type = name.endsWith(".css") ? MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8) : MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8);
    return complete(HttpResponse.create().withEntity(HttpEntities.create(type, body)));
  }
}
