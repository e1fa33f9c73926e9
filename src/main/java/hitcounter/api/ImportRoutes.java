package hitcounter.api;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import hitcounter.config.Site;
import hitcounter.config.Sites;
import hitcounter.count.ImportWriter;
import hitcounter.count.ImportsKnown;
import hitcounter.infra.http.JsonReplies;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.ingest.ImportReader;
import hitcounter.page.PageKey;
import hitcounter.store.ImportManifest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.StreamConverters;

/**
 * Counts brought from elsewhere (decision 0015), admin token needed to post:
 *
 * <ul>
 *   <li>{@code POST /api/import?site=S}: a file ({@link ImportReader}: a CSV of
 *       {@code path,count[,day]} or GoatCounter's export, plain or gzipped) of up to
 *       {@code max-bytes} (100 MB: this route alone takes more than the 16k of every other). Read
 *       as it streams in, one import at a time per node; written as an import of its own
 *       ({@link ImportWriter}). The same file posted again, here or in another datacenter, adds
 *       nothing ({@code "already": true}). A bad row: 400 with its line, nothing written.
 *   <li>{@code GET /api/imports?site=S}: the imports every datacenter wrote that this node knows,
 *       and whether it shows them.
 * </ul>
 */
public final class ImportRoutes {
  private final Supplier<Sites> sites;
  private final ImportWriter writer;
  private final ImportsKnown known;
  private final String adminToken;
  private final ImportSettings settings;
  private final ExecutorService reading;

  public ImportRoutes(Supplier<Sites> sites, ImportWriter writer, ImportsKnown known, String adminToken, ImportSettings settings) {
    this.sites = sites;
    this.writer = writer;
    this.known = known;
    this.adminToken = adminToken;
    this.settings = settings;
    // One file read at a time per node (a read blocks on the upload and holds its pages); others wait their turn.
    this.reading = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "import-reader");
      t.setDaemon(true);
      return t;
    });
  }

  public Route routes() {
    return concat(
        path(PathMatchers.segment("api").slash("import"), () -> HttpMetrics.template("/api/import", () -> post(() ->
            AdminAuth.authorized(adminToken, () -> parameterOptional("site", site -> importInto(site.orElse(PageKey.DEFAULT_SITE))))))),
        path(PathMatchers.segment("api").slash("imports"), () -> HttpMetrics.template("/api/imports", () -> get(() ->
            parameterOptional("site", site -> JsonReplies.json(StatusCodes.OK, list(site.orElse(null))))))));
  }

  private Route importInto(String siteName) {
    Site site = PageKey.siteProblem(siteName).isPresent() ? null : sites.get().all().get(siteName);
    if (site == null || site.deleted()) {
      return JsonReplies.error(StatusCodes.NOT_FOUND, "unknown-site", "no site called " + siteName.substring(0, Math.min(siteName.length(), 40)));
    }
    return withRequestTimeout(settings.requestTimeout(), () -> withSizeLimit(settings.maxBytes(), () -> extractMaterializer(mat -> extractRequestEntity(entity -> {
      InputStream body = entity.getDataBytes().runWith(StreamConverters.asInputStream(settings.readTimeout()), mat);
      CompletionStage<Object> done = CompletableFuture.supplyAsync(() -> read(siteName, site, body), reading)
          .thenCompose(r -> writer.write(new ImportWriter.Request(r.id(), siteName, site.generation(), r.format(), r.counts(), r.hits(), r.rows(),
              r.events(), r.bots(), r.firstDay(), r.lastDay())))
          .thenApply(o -> answer(o));
      return onComplete(done, t -> {
        if (t.isSuccess()) {
          return JsonReplies.json(StatusCodes.OK, t.get());
        }
        Throwable e = t.failed().get() instanceof CompletionException c && c.getCause() != null ? c.getCause() : t.failed().get();
        if (e instanceof Bad b) {
          return JsonReplies.error(StatusCodes.get(b.status), b.code, b.getMessage());
        }
        return JsonReplies.error(StatusCodes.SERVICE_UNAVAILABLE, "not-written",
            "the import was not written (" + e + "): post it again, it is added once");
      });
    }))));
  }

  /** A refusal of the file: its HTTP status and error code. */
  private static final class Bad extends RuntimeException {
    final int status;
    final String code;

    Bad(int status, String code, String reason) {
      super(reason);
      this.status = status;
      this.code = code;
    }
  }

  private ImportReader.Read read(String siteName, Site site, InputStream body) {
    try (body) {
      return new ImportReader(siteName, site, settings.maxPages(), settings.maxUnzippedBytes()).read(body);
    } catch (ImportReader.TooLarge t) {
      throw new Bad(413, "too-large", t.getMessage());
    } catch (ImportReader.Refused r) {
      throw new Bad(400, "bad-import", r.getMessage());
    } catch (IOException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause.getClass().getSimpleName().contains("EntityStreamSizeException") || String.valueOf(cause.getMessage()).contains("exceeded")) {
        throw new Bad(413, "too-large", "the file is larger than " + settings.maxBytes() / 1_000_000 + " MB: split it (each part is an import of its own)");
      }
      throw new Bad(503, "not-read", "the upload could not be read (" + cause + "): post it again, it is added once");
    }
  }

  private static Map<String, Object> answer(ImportWriter.Outcome o) {
    ImportManifest m = o.manifest();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", m.id());
    out.put("site", m.site());
    out.put("already", o.already());
    out.put("added", o.already() ? 0 : m.hits());
    out.put("version", m.version());
    out.put("format", m.format());
    out.put("pages", m.pages());
    out.put("hits", m.hits());
    out.put("rows", m.rows());
    out.put("events", m.events());
    out.put("bots", m.bots());
    out.put("firstDay", m.firstDay());
    out.put("lastDay", m.lastDay());
    return out;
  }

  private Map<String, Object> list(String site) {
    List<Map<String, Object>> out = new ArrayList<>();
    known.byId().forEach((id, versions) -> {
      if (site != null && versions.stream().noneMatch(v -> v.site().equals(site))) {
        return;
      }
      ImportManifest first = versions.get(0);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", id);
      row.put("site", first.site());
      row.put("format", first.format());
      row.put("pages", first.pages());
      row.put("hits", first.hits());
      ImportManifest shown = known.shown(id);
      row.put("shown", shown != null);
      row.put("shownVersion", shown == null ? null : shown.version());
      String why = known.problems().get(id);
      if (why != null) {
        row.put("problem", why);
      }
      row.put("versions", versions.stream().map(v -> Map.of("version", v.version(), "datacenter", v.datacenter(), "at", v.at(), "digest", v.digest())).toList());
      out.add(row);
    });
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("imports", out);
    return reply;
  }
}
