package hitcounter.embed;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.ingest.HitRejections;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.HitAnswers;
import hitcounter.ingest.HitIntake;
import hitcounter.infra.http.WebResources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What other sites embed: the snippet ({@code /count.js}: {@link CountScript}), the 1×1 counting
 * pixel ({@code /px.gif?page=…}, or {@code ?site=…&path=…&ref=…} for a URL path: counts a hit;
 * the snippet's last resort) and the SVG badge ({@code /badge/{page}.svg}: shows the total,
 * counts nothing; cached a few seconds, like {@link DisplayRoutes}). The pixel is never cached.
 */
public final class EmbedRoutes {
  private static final ContentType SVG = MediaTypes.IMAGE_SVG_XML.toContentType();
  private static final ContentType GIF = MediaTypes.IMAGE_GIF.toContentType();
  private static final List<RawHeader> NO_CACHE =
      List.of(RawHeader.create("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0"), RawHeader.create("Pragma", "no-cache"));

  private final HitIntake intake;
  private final HitAnswers answers;
  private final byte[] pixel = WebResources.bytes("px.gif");
  private final CountScript script = new CountScript();

  public EmbedRoutes(HitIntake intake, HitAnswers answers) {
    this.intake = intake;
    this.answers = answers;
  }

  public Route routes() {
    return concat(
        path("count.js", () -> HttpMetrics.template("/count.js", () -> get(script::route))),
        path("px.gif", () -> HttpMetrics.template("/px.gif", () -> get(() -> parameterOptional("site", site -> parameterOptional("path", path -> path.isPresent()
            ? parameterOptional("ref", ref -> pathPixel(site.orElse(null), path.get(), ref))
            : parameterOptional("page", p -> pixel(site.orElse(null), p.orElse("")))))))),
        path(PathMatchers.segment("badge").slash(PathMatchers.segment()), file -> HttpMetrics.template("/badge/{file}", () -> get(() -> badge(file)))));
  }

  /** Counts a hit of {@code page} on {@code site} (null: the default site); refusals are JSON answers with their status. */
  private Route pixel(String site, String page) {
    return intake.hit(site, page, key -> gif());
  }

  /** Counts a hit of URL path {@code path} on {@code site}, referred from {@code ref}. */
  private Route pathPixel(String site, String path, java.util.Optional<String> ref) {
    return intake.hitPath(site, path, ref.filter(r -> !r.isEmpty()), key -> gif(), HitRejections::notQueued);
  }

  private Route gif() {
    return complete(HttpResponse.create().withEntity(HttpEntities.create(GIF, pixel)).addHeaders(new ArrayList<>(NO_CACHE)));
  }

  private Route badge(String file) {
    if (!file.endsWith(".svg")) {
      return reject();
    }
    String page = file.substring(0, file.length() - 4);
    return HitRejections.validPage(page, () -> complete(HttpResponse.create()
        .withEntity(HttpEntities.create(SVG, Badge.svg(answers.reply(page).total()).getBytes(StandardCharsets.UTF_8)))
        .addHeaders(List.of(RawHeader.create("Cache-Control", "public, max-age=" + DisplayRoutes.MAX_AGE), RawHeader.create("Access-Control-Allow-Origin", "*")))));
  }
}
