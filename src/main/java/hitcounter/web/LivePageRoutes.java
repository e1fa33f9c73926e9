package hitcounter.web;

import hitcounter.infra.http.WebResources;
import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.ingest.HitRejections;
import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.HitAnswers;
import hitcounter.ingest.HitIntake;
import hitcounter.ingest.HitReply;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The live page of a page id, for people: {@code /} (page {@code home}) and {@code /p/{page}}
 * count a visit and render every datacenter's count and the sum in the configured colour;
 * {@code /api/hits/{page}/events} (in the API's {@code HitRoutes}) keeps it live. Every text is
 * escaped.
 */
public final class LivePageRoutes {
  private final HitIntake intake;
  private final HitAnswers answers;
  private final LiveSettings live;
  private final String template = WebResources.text("page.html");

  public LivePageRoutes(HitIntake intake, HitAnswers answers, LiveSettings live) {
    this.intake = intake;
    this.answers = answers;
    this.live = live;
  }

  public Route routes() {
    return concat(
        pathSingleSlash(() -> HttpMetrics.template("/", () -> get(() -> livePage("home")))),
        path(PathMatchers.segment("p").slash(PathMatchers.segment()),
            page -> HttpMetrics.template("/p/{page}", () -> get(() -> HitRejections.validPage(page, () -> livePage(page))))));
  }

  /** Counts a visit (of the default site), then renders the page with the numbers as they are now. */
  private Route livePage(String page) {
    return intake.hit(null, page, key -> render(page, null), failure -> render(page, failure));
  }

  private Route render(String page, Throwable failure) {
    HitReply r = answers.reply(page);
    boolean unknown = failure != null && HitRejections.unknown(failure);
    String note = failure == null ? "your visit was counted" : unknown ? "your visit may not have been counted" : "your visit could not be counted right now";
    StringBuilder rows = new StringBuilder();
    r.datacenters().forEach((dc, n) -> rows.append("<tr><td>").append(Html.escape(dc)).append("</td><td class=\"n\">").append(n).append("</td></tr>"));
    String html = template
        .replace("{{page}}", Html.escape(page))
        .replace("{{colour}}", Html.escape(live.getString(Setting.COLOUR)))
        .replace("{{datacenter}}", Html.escape(answers.datacenter()))
        .replace("{{note}}", Html.escape(note))
        .replace("{{total}}", String.valueOf(r.total()))
        .replace("{{rows}}", rows.toString());
    return complete(HttpResponse.create()
        .withStatus(failure == null ? StatusCodes.OK : unknown ? StatusCodes.GATEWAY_TIMEOUT : StatusCodes.SERVICE_UNAVAILABLE)
        .withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, html)));
  }
}
