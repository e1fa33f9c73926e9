package hitcounter;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import hitcounter.audit.AuditPublisher;
import hitcounter.audit.AuditRoutes;
import hitcounter.config.ConfigRoutes;
import hitcounter.config.ConfigView;
import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.count.CommitFaults;
import hitcounter.count.FoldPolicy;
import hitcounter.count.Folder;
import hitcounter.count.StoreStatus;
import hitcounter.count.WorkerHealth;
import hitcounter.infra.consul.BadValues;
import hitcounter.health.Freshness;
import hitcounter.health.HealthSettings;
import hitcounter.health.LocalStalls;
import hitcounter.health.Stall;
import hitcounter.health.StatusPublisher;
import hitcounter.health.StatusView;
import hitcounter.replicate.CopyStatus;
import hitcounter.store.CountTable;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import hitcounter.count.CountView;
import hitcounter.count.Worker;
import hitcounter.count.WorkerSettings;
import hitcounter.count.WorkerStats;
import hitcounter.discovery.DiscoveryActor;
import hitcounter.discovery.DiscoverySettings;
import hitcounter.discovery.Readiness;
import hitcounter.discovery.ServiceRegistrar;
import hitcounter.discovery.TopologyRoutes;
import hitcounter.discovery.TopologyView;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.ingest.HitQueue;
import hitcounter.ingest.HitRoutes;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.infra.metrics.NodeMetrics;
import hitcounter.ingest.QueueMonitor;
import hitcounter.metrics.MetricsRoutes;
import hitcounter.web.WebRoutes;
import hitcounter.replicate.DatacenterStates;
import hitcounter.replicate.HeartbeatView;
import hitcounter.replicate.ReplicationSettings;
import hitcounter.replicate.Replicator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Wires a node: views (counts, settings, datacenters), discovery (which runs the workers and,
 * on one node per datacenter, the replicator), registration, audit, and HTTP.
 */
public final class Guardian {
  private Guardian() {}

  public static Behavior<Void> create(Function<ActorSystem<?>, Deps> depsFactory) {
    return Behaviors.setup(
        ctx -> {
          ActorSystem<?> system = ctx.getSystem();
          var config = system.settings().config();
          NodeSettings node = NodeSettings.create(config);
          WorkerSettings workerSettings = WorkerSettings.create(config);
          DiscoverySettings discovery = DiscoverySettings.create(config);
          ReplicationSettings replication = ReplicationSettings.create(config);
          Deps deps = depsFactory.apply(system);
          NodeMetrics metrics = NodeMetrics.get(system);
          var registry = metrics.registry();
          var watch =
              new BlockingQueryWatch.Settings(
                  config.getDuration("hitcounter.view.min-refresh-interval"), node.retryMin(), node.retryMax());
          Duration wait = node.blockingWait();

          LiveSettings live = new LiveSettings(config);
          ConfigView.Writes writes = new ConfigView.Writes();
          CountTable counts = new CountTable();
          StoreStatus storeStatus = new StoreStatus();
          BadValues badValues = new BadValues(registry);
          DatacenterStates datacenters = new DatacenterStates(registry);
          WorkerStats workerStats = new WorkerStats(registry);
          WorkerHealth workerHealth = new WorkerHealth(registry);
          HealthSettings health = HealthSettings.create(config);
          LocalStalls localStalls = new LocalStalls(health.expireAfter());
          Freshness freshness = new Freshness(node.datacenter(), datacenters, localStalls, replication.staleAfter());
          CopyStatus copyStatus = new CopyStatus(registry);
          FoldPolicy foldPolicy = FoldPolicy.create(config);
          CommitFaults faults = CommitFaults.haltAfter(config.getInt("hitcounter.fault.halt-after-commits"));

          ctx.spawn(supervised(ConfigView.create(deps.consul(), live, writes, badValues, watch, wait)), "config-view");
          var countWatch =
              new BlockingQueryWatch.Settings(config.getDuration("hitcounter.view.count-refresh-interval"), node.retryMin(), node.retryMax());
          ActorRef<CountView.Command> countView = ctx.spawn(
              supervised(CountView.create(deps.consul(), counts, storeStatus, badValues, countWatch, wait)),
              "count-view");
          Behavior<Void> keeper = Behaviors.setup(k -> {
            k.spawn(supervised(hitcounter.replicate.StoreGuard.create(deps.consul(), replication.storeCheck(), replication.newStoreGrace())), "store-guard");
            k.spawn(supervised(Folder.create(deps.consul(), countView, foldPolicy)), "folder");
            k.spawn(supervised(Replicator.create(deps.consul(), live, replication, copyStatus,
                () -> HeartbeatView.beat(System.currentTimeMillis(), System.currentTimeMillis(), live.appliedVersions(), Stall.toJsonNode(freshness.local())),
                badValues, watch, wait)), "replicator");
            return Behaviors.empty();
          });
          ctx.spawn(supervised(HeartbeatView.create(deps.consul(), datacenters, badValues, watch, wait)), "heartbeat-view");
          ctx.spawn(supervised(StatusView.create(deps.consul(), localStalls, badValues, watch, wait)), "status-view");
          ctx.spawn(supervised(StatusPublisher.create(deps.consul(), node.nodeName(), workerHealth, copyStatus, health)), "status-publisher");
          ActorRef<DiscoveryActor.Command> discoveryRef =
              ctx.spawn(
                  supervised(DiscoveryActor.create(
                      node.nodeName(),
                      deps.consul(),
                      q ->
                          Worker.create(
                              node.datacenter(),
                              q,
                              deps.consul(),
                              deps.queueClients().apply(q),
                              () -> workerSettings.with(live.getInt(Setting.BATCH_SIZE), Duration.ofMillis(live.getInt(Setting.LINGER_MS))),
                              workerStats,
                              workerHealth,
                              faults),
                      () -> live.getInt(Setting.WORKERS_PER_QUEUE),
                      keeper,
                      watch,
                      wait)),
                  "discovery");
          live.onChange(s -> {
            if (s == Setting.WORKERS_PER_QUEUE) {
              discoveryRef.tell(DiscoveryActor.Rebalance.INSTANCE);
            }
          });
          ctx.spawn(
              supervised(ServiceRegistrar.create(
                  deps.consul(),
                  ServiceRegistrar.registrations(node, discovery),
                  Duration.ofSeconds(1),
                  config.getDuration("hitcounter.discovery.register-refresh"))),
              "registrar");
          TopologyView topology =
              new TopologyView(system, discoveryRef, node.datacenter(), node.nodeName(), deps.queueClients(), node.askTimeout());
          TopologyRoutes.Id.INSTANCE.get(Adapter.toClassic(system)).install(topology::get);

          HitQueue queue = new HitQueue(deps.ownQueue(), config.getDuration("hitcounter.beanstalk.put-timeout"), workerSettings.ttr(), 4, 256,
              () -> live.getInt(Setting.JOB_FORMAT)).bindTo(registry);
          QueueMonitor.Figures queueFigures = new QueueMonitor.Figures().bindTo(registry, node.nodeName());
          ctx.spawn(supervised(QueueMonitor.create(deps.ownQueue(), queueFigures, config.getDuration("hitcounter.beanstalk.monitor-interval"), queue)), "queue-monitor");
          ctx.spawn(
              supervised(AuditPublisher.create(
                  deps.consul(), queue, node.datacenter(), node.nodeName(), System.currentTimeMillis(),
                  config.getDuration("hitcounter.audit.interval"))),
              "audit-publisher");
          HitRoutes hitRoutes = new HitRoutes(node.datacenter(), queue, counts, datacenters, freshness);
          Route routes = new HttpMetrics(registry).measured(
              concat(
                  new WebRoutes(node.datacenter(), queue, hitRoutes, live, datacenters, replication.staleAfter(), topology).routes(),
                  new hitcounter.web.PagesRoutes(node.datacenter(), counts, datacenters, freshness, replication.staleAfter()).routes(),
                  hitRoutes.routes(),
                  new AuditRoutes(deps.consul(), storeStatus, counts, queue, workerStats, node.datacenter(), node.nodeName()).reportingTo(badValues).routes(),
                  new ConfigRoutes(deps.consul(), live, writes, datacenters, node.datacenter(), config.getString("hitcounter.admin-token")).routes(),
                  new MetricsRoutes(metrics).routes()));

          Readiness readiness = Readiness.ID.get(Adapter.toClassic(system));
          readiness.install(
              () ->
                  queue.refusing() != null
                      ? java.util.concurrent.CompletableFuture.completedFuture(false)
                      : deps.ownQueue()
                          .stats()
                          .thenCombine(deps.consul().datacenters(), (s, d) -> true)
                          .exceptionally(e -> false));

          Http.get(system)
              .newServerAt(node.host(), node.httpPort())
              .bind(routes)
              .whenComplete(
                  (binding, failure) -> {
                    if (failure != null) {
                      system.log().error("cannot bind HTTP to {}:{}", node.host(), node.httpPort(), failure);
                      system.terminate();
                    } else {
                      addToShutdown(system, binding, readiness, deps, node, discoveryRef);
                      system.log().info("{} of {} serves http://{}:{}/", node.nodeName(), node.datacenter(), node.host(), binding.localAddress().getPort());
                    }
                  });
          return Behaviors.empty();
        });
  }

  /**
   * Every long-lived actor of a node runs under this strategy: a failure (a bug, a value no one
   * expected) restarts it with a capped, jittered backoff, so one actor's fault never stops the
   * others, nor itself for good. (Workers and the keeper get the same, from the discovery actor.)
   */
  static <T> Behavior<T> supervised(Behavior<T> behavior) {
    return Behaviors.supervise(behavior).onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
  }

  private static void addToShutdown(
      ActorSystem<?> system,
      ServerBinding binding,
      Readiness readiness,
      Deps deps,
      NodeSettings node,
      ActorRef<DiscoveryActor.Command> discovery) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "leave-consul",
        () -> {
          readiness.drain();
          return deps.consul()
              .deregister(ServiceRegistrar.nodeServiceId(node.nodeName()))
              .handle((ok, e) -> Done.getInstance())
              .toCompletableFuture();
        });
    binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
    // After HTTP stopped taking hits: workers finish (or give back) their batches.
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceStop(),
        "drain-workers",
        () ->
            AskPattern.<DiscoveryActor.Command, Done>ask(
                    discovery, DiscoveryActor.StopWorkers::new, Duration.ofSeconds(8), system.scheduler())
                .exceptionally(e -> Done.getInstance())
                .toCompletableFuture());
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-queue",
        () -> {
          deps.ownQueue().close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }
}
