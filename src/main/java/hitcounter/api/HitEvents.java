package hitcounter.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.infra.Json;
import hitcounter.ingest.HitAnswers;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The server-sent events of {@code GET /api/hits/{page}/events}, which keep the live page live:
 * the page's answer and the colour, sent whenever either changed (checked every 250 ms), with a
 * heartbeat every 15 s.
 */
final class HitEvents {
  private final HitAnswers answers;
  private final LiveSettings live;

  HitEvents(HitAnswers answers, LiveSettings live) {
    this.answers = answers;
    this.live = live;
  }

  Source<ServerSentEvent, NotUsed> of(hitcounter.page.PageKey page) {
    return Source.tick(Duration.ZERO, Duration.ofMillis(250), "tick")
        .map(t -> {
          ObjectNode o = Json.mapper().valueToTree(answers.reply(page));
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
            return List.of(ServerSentEvent.create(json));
          };
        })
        .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat)
        .mapMaterializedValue(cancellable -> NotUsed.getInstance());
  }
}
