package hitcounter.discovery;

import hitcounter.count.QueueRef;
import hitcounter.infra.beanstalk.Beanstalk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** Builds the /topology answer: the discovery actor's view plus each queue's job counts. */
public final class TopologyView {
  private final ActorSystem<?> system;
  private final ActorRef<DiscoveryActor.Command> discovery;
  private final String datacenter;
  private final String node;
  private final Function<QueueRef, Beanstalk> clients;
  private final Map<QueueRef, Beanstalk> statsClients = new ConcurrentHashMap<>();
  private final Duration timeout;

  public TopologyView(
      ActorSystem<?> system,
      ActorRef<DiscoveryActor.Command> discovery,
      String datacenter,
      String node,
      Function<QueueRef, Beanstalk> clients,
      Duration timeout) {
    this.system = system;
    this.discovery = discovery;
    this.datacenter = datacenter;
    this.node = node;
    this.clients = clients;
    this.timeout = timeout;
  }

  public CompletionStage<Map<String, Object>> get() {
    return AskPattern.<DiscoveryActor.Command, DiscoveryActor.Topology>ask(
            discovery, DiscoveryActor.GetTopology::new, timeout, system.scheduler())
        .thenCompose(this::withQueueStats);
  }

  private CompletionStage<Map<String, Object>> withQueueStats(DiscoveryActor.Topology t) {
    // Clients of queues that are gone are closed, not kept for ever.
    statsClients.entrySet().removeIf(e -> {
      boolean gone = !t.queues().containsValue(e.getKey());
      if (gone) {
        e.getValue().close();
      }
      return gone;
    });
    Map<String, Object> queues = new TreeMap<>();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    t.queues().forEach((id, ref) -> {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("address", ref.host() + ":" + ref.port());
      q.put("drainedBy", t.assignment().getOrDefault(id, List.of()));
      queues.put(id, q);
      Beanstalk client = statsClients.computeIfAbsent(ref, clients);
      pending.add(
          client.stats()
              .toCompletableFuture()
              .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
              .handle((stats, e) -> {
                synchronized (q) {
                  if (e == null) {
                    q.put("ready", Long.parseLong(stats.getOrDefault("current-jobs-ready", "0")));
                    q.put("reserved", Long.parseLong(stats.getOrDefault("current-jobs-reserved", "0")));
                    q.put("buried", Long.parseLong(stats.getOrDefault("current-jobs-buried", "0")));
                  } else {
                    q.put("error", e.toString());
                  }
                }
                return null;
              }));
    });
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApply(x -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("datacenter", datacenter);
          out.put("node", node);
          out.put("nodes", t.nodes());
          out.put("queues", queues);
          out.put("drainedHere", t.mine());
          out.put("replicatesHere", t.replicatesHere());
          return out;
        });
  }
}
