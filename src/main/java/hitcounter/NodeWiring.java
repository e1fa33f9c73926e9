package hitcounter;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import hitcounter.api.AuditRoutes;
import hitcounter.api.ConfigRoutes;
import hitcounter.api.HitRoutes;
import hitcounter.api.MetricsRoutes;
import hitcounter.api.PagesRoutes;
import hitcounter.api.TopologyApiRoutes;
import hitcounter.audit.AuditPublisher;
import hitcounter.config.ConfigView;
import hitcounter.config.LiveSettings;
import hitcounter.config.Setting;
import hitcounter.count.CountView;
import hitcounter.count.Folder;
import hitcounter.count.StoreStatus;
import hitcounter.count.Worker;
import hitcounter.count.ViewHealth;
import hitcounter.count.WorkerHealth;
import hitcounter.count.WorkerStats;
import hitcounter.discovery.DiscoveryActor;
import hitcounter.discovery.Readiness;
import hitcounter.discovery.ServiceRegistrar;
import hitcounter.discovery.TopologyRoutes;
import hitcounter.discovery.TopologyView;
import hitcounter.embed.EmbedRoutes;
import hitcounter.health.Freshness;
import hitcounter.health.LocalStalls;
import hitcounter.health.Stall;
import hitcounter.health.StatusPublisher;
import hitcounter.health.StatusView;
import hitcounter.infra.consul.BadValues;
import hitcounter.infra.metrics.HttpMetrics;
import hitcounter.infra.metrics.NodeMetrics;
import hitcounter.ingest.HitAnswers;
import hitcounter.ingest.HitQueue;
import hitcounter.ingest.IngestGauges;
import hitcounter.ingest.QueueMonitor;
import hitcounter.replicate.CopyStatus;
import hitcounter.replicate.DatacenterStates;
import hitcounter.replicate.HeartbeatView;
import hitcounter.replicate.Replicator;
import hitcounter.replicate.StoreGuard;
import hitcounter.store.CountTable;
import hitcounter.web.DashboardRoutes;
import hitcounter.web.LivePageRoutes;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Wires one node, in the order things depend on each other: the shared state, the views of
 * Consul (settings, counts, heartbeats, stalls), the keeper (store guard, folder, replicator:
 * on one node per datacenter), discovery (which runs the workers and elects the keeper),
 * ingestion, the routes of every audience, then binding and an orderly shutdown. Every value
 * comes from a typed settings record ({@link NodeConfig}); every long-lived actor is supervised
 * where it is spawned.
 */
final class NodeWiring {
  private final ActorContext<Void> ctx;
  private final ActorSystem<?> system;
  private final NodeConfig config;
  private final Deps deps;
  private final NodeMetrics metrics;
  private final MeterRegistry registry;
  private final LiveSettings live;
  private final ConfigView.Writes writes = new ConfigView.Writes();
  private final CountTable counts = new CountTable();
  private final hitcounter.config.Salts salts = new hitcounter.config.Salts();
  private final java.time.Clock clock = java.time.Clock.systemUTC();
  private final StoreStatus storeStatus = new StoreStatus();
  private final BadValues badValues;
  private final DatacenterStates datacenters;
  private final WorkerStats workerStats;
  private final WorkerHealth workerHealth;
  private final ViewHealth viewHealth;
  /** The queue monitor's readings of this node's beanstalkd (readiness, gauges, the own-queue stall). */
  private final QueueMonitor.Figures queueFigures;
  private final CopyStatus copyStatus;
  private final LocalStalls localStalls;
  private final Freshness freshness;
  private final hitcounter.count.ResetView.Resets resets = new hitcounter.count.ResetView.Resets();
  private final hitcounter.count.ImportsKnown imports = new hitcounter.count.ImportsKnown();
  private volatile hitcounter.config.Sites sites;

  NodeWiring(ActorContext<Void> ctx, NodeConfig config, Deps deps) {
    this.ctx = ctx;
    this.system = ctx.getSystem();
    this.config = config;
    this.deps = deps;
    this.metrics = NodeMetrics.get(system);
    this.registry = metrics.registry();
    this.live = new LiveSettings(config.root());
    this.badValues = new BadValues(registry);
    this.datacenters = new DatacenterStates(registry);
    this.workerStats = new WorkerStats(registry);
    this.workerHealth = new WorkerHealth(registry);
    this.copyStatus = new CopyStatus(registry);
    this.localStalls = new LocalStalls(config.health().expireAfter());
    this.viewHealth = new ViewHealth(registry);
    this.queueFigures = new QueueMonitor.Figures(config.node().nodeName());
    this.freshness = new Freshness(config.node().datacenter(), config.node().nodeName(), datacenters, localStalls, viewHealth, config.replication().staleAfter());
    this.sites = hitcounter.config.Sites.of(live.get(Setting.SITES), config.sites());
    live.onChange(s -> {
      if (s == Setting.SITES) {
        sites = hitcounter.config.Sites.of(live.get(Setting.SITES), config.sites());
      }
    });
  }

  void start() {
    ActorRef<CountView.Command> countView = views();
    ActorRef<DiscoveryActor.Command> discovery = discovery(keeper(countView));
    TopologyView topology = new TopologyView(system, discovery, config.node().datacenter(), config.node().nodeName(), deps.queueClients(), config.node().askTimeout());
    TopologyRoutes.Id.INSTANCE.get(Adapter.toClassic(system)).install(topology::get);
    HitQueue queue = ingest();
    Readiness readiness = Readiness.ID.get(Adapter.toClassic(system));
    // Consul answers: known from the node's own traffic (the heartbeat watch returns every
    // second), asked only when nothing was heard for 5 s. beanstalkd answers: known from the
    // queue monitor's readings (at least one a second), asked only when none came for 2 s.
    readiness.install(() -> queue.refusing() != null
        ? CompletableFuture.completedFuture(false)
        : (queueFigures.answeredWithin(IngestGauges.BEANSTALK_SILENCE) ? CompletableFuture.completedFuture(java.util.Map.<String, String>of()) : deps.ownQueue().stats())
            .thenCombine(deps.consul().answeredWithin(IngestGauges.CONSUL_SILENCE)
            ? CompletableFuture.completedFuture(java.util.List.<String>of()) : deps.consul().datacenters(), (s, d) -> true).exceptionally(e -> false));
    bind(routes(queue, topology), readiness, discovery);
  }

  /** The views every node keeps of Consul: settings, counts, heartbeats, stalls. */
  private ActorRef<CountView.Command> views() {
    String dc = config.node().datacenter();
    hitcounter.infra.consul.WatchMarkers.ensure(deps.consul(), java.util.List.of(
        hitcounter.config.ConfigKeys.ROOT, hitcounter.config.ConfigKeys.prefix(dc),
        hitcounter.config.ResetRecord.ROOT, hitcounter.config.ResetRecord.prefix(dc),
        hitcounter.config.SaltRecord.ROOT, hitcounter.config.SaltRecord.prefix(dc),
        hitcounter.audit.AuditKeys.prefix(dc), hitcounter.audit.LostKeys.prefix(dc), HeartbeatView.ROOT, hitcounter.health.StatusPublisher.ROOT + dc + "/",
        hitcounter.store.StoreKeys.HEADS_ROOT, hitcounter.store.StoreKeys.headsPrefix(dc), hitcounter.store.ImportKeys.MANIFESTS));
    var watch = config.watch();
    ctx.spawn(supervised(ConfigView.create(deps.consul(), live, writes, badValues, watch.general(), watch.blockingWait())), "config-view");
    ctx.spawn(supervised(hitcounter.config.SaltKeeper.create(deps.consul(), salts, clock, config.analytics().salts(),
        () -> datacenters.agesSeconds().keySet(), watch.general(), watch.blockingWait())), "salt-keeper");
    counts.retention(() -> new hitcounter.store.StatsRetention(
        clock.millis() / 60_000, live.getInt(hitcounter.config.Setting.SERIES_DAYS), live.getInt(hitcounter.config.Setting.SERIES_HOURS)));
    ActorRef<CountView.Command> countView =
        ctx.spawn(supervised(CountView.create(deps.consul(), counts, storeStatus, viewHealth, badValues, watch.counts(), watch.blockingWait())), "count-view");
    ctx.spawn(supervised(hitcounter.count.ResetView.create(deps.consul(), counts, resets, badValues, watch.general(), watch.blockingWait())), "reset-view");
    ctx.spawn(supervised(hitcounter.health.AuditGap.create(deps.consul(), storeStatus, dc, registry, Duration.ofSeconds(5))), "audit-gap");
    ctx.spawn(supervised(hitcounter.count.ImportView.create(deps.consul(), counts, imports, badValues, watch.general(), watch.blockingWait())), "import-view");
    ctx.spawn(supervised(HeartbeatView.create(deps.consul(), datacenters, badValues, watch.general(), watch.blockingWait())), "heartbeat-view");
    ctx.spawn(supervised(StatusView.create(deps.consul(), localStalls, badValues, watch.general(), watch.blockingWait())), "status-view");
    ctx.spawn(supervised(StatusPublisher.create(deps.consul(), config.node().nodeName(), workerHealth, viewHealth, copyStatus, queueFigures, config.health())), "status-publisher");
    return countView;
  }

  /** What one node per datacenter runs: the store guard, the folder and the replicator. */
  private Behavior<Void> keeper(ActorRef<CountView.Command> countView) {
    var replication = config.replication();
    var watch = config.watch();
    return Behaviors.setup(k -> {
      k.spawn(supervised(StoreGuard.create(deps.consul(), replication.storeCheck(), replication.newStoreGrace())), "store-guard");
      var dead = new hitcounter.config.DeadGenerations.Known((site, generation) -> sites.shows(new hitcounter.page.PageKey(site, generation, "p")));
      k.spawn(supervised(Folder.create(deps.consul(), countView, config.fold(), copyStatus.reading(), dead)), "folder");
      k.spawn(supervised(hitcounter.audit.AuditFolder.create(deps.consul(), config.node().datacenter(), config.audit(), clock)), "audit-folder");
      k.spawn(supervised(hitcounter.count.ResetFolder.create(deps.consul(), config.node().datacenter(), config.resetFolds(), clock,
          () -> live.getInt(Setting.RESET_FORMAT), dead, new hitcounter.count.ResetFolder.NodeView(resets,
              id -> hitcounter.page.PageKey.parse(id).map(key -> sites.shows(key)).orElse(false), counts::rawCountsOf))), "reset-folder");
      k.spawn(supervised(hitcounter.replicate.ImportCollector.create(deps.consul(), dead, config.resetFolds().foldInterval())), "import-collector");
      k.spawn(supervised(hitcounter.count.ResetRepair.create(deps.consul(), counts, resets, viewHealth, config.resets(), clock, watch.general(), watch.blockingWait(),
          id -> !dead.get().dead(id))), "reset-repair");
      k.spawn(supervised(Replicator.create(deps.consul(), live, replication, copyStatus,
          () -> HeartbeatView.beat(System.currentTimeMillis(), System.currentTimeMillis(), live.appliedVersions(), Stall.toJsonNode(freshness.local())),
          badValues, dead, watch.general(), watch.blockingWait())), "replicator");
      return Behaviors.empty();
    });
  }

  /** Discovery (which queues this node drains, who keeps the datacenter) and registration in Consul. */
  private ActorRef<DiscoveryActor.Command> discovery(Behavior<Void> keeper) {
    var node = config.node();
    var commitFaults = config.fault().faults();
    ActorRef<DiscoveryActor.Command> discovery = ctx.spawn(supervised(DiscoveryActor.create(
        node.nodeName(),
        deps.consul(),
        q -> Worker.create(node.datacenter(), q, deps.consul(), deps.queueClients().apply(q),
            () -> config.worker().with(live.getInt(Setting.BATCH_SIZE), Duration.ofMillis(live.getInt(Setting.LINGER_MS)), live.getInt(Setting.STORE_FORMAT)),
            workerStats, workerHealth, commitFaults),
        () -> live.getInt(Setting.WORKERS_PER_QUEUE),
        keeper,
        config.watch().general(),
        config.watch().blockingWait())), "discovery");
    live.onChange(s -> {
      if (s == Setting.WORKERS_PER_QUEUE) {
        discovery.tell(DiscoveryActor.Rebalance.INSTANCE);
      }
    });
    ctx.spawn(supervised(ServiceRegistrar.create(deps.consul(), ServiceRegistrar.registrations(node, config.discovery()),
        config.discovery().registerRetry(), config.discovery().registerRefresh())), "registrar");
    return discovery;
  }

  /** The hit queue of this node's beanstalkd, its monitor, and its audit figures. */
  private HitQueue ingest() {
    var ingest = config.ingest();
    HitQueue queue = new HitQueue(deps.ownQueue(), ingest.putTimeout(), config.worker().ttr(), ingest.putsInFlight(), ingest.hitsPerJob(),
        () -> live.getInt(Setting.JOB_FORMAT), hitcounter.ingest.PutLinger.of(ingest.putLinger())).bindTo(registry);
    queueFigures.bindTo(registry);
    IngestGauges.bind(registry, queue, queueFigures, () -> deps.consul().answeredWithin(IngestGauges.CONSUL_SILENCE));
    ctx.spawn(supervised(QueueMonitor.create(deps.ownQueue(), queueFigures, ingest.monitorInterval(), ingest.monitorIdleInterval(), queue)), "queue-monitor");
    ctx.spawn(supervised(AuditPublisher.create(deps.consul(), queue, config.node().datacenter(), config.node().nodeName(),
        System.currentTimeMillis(), config.audit())), "audit-publisher");
    return queue;
  }

  /** Every route of the HTTP port, by audience: the API, the web pages, what other sites embed. */
  private Route routes(HitQueue queue, TopologyView topology) {
    var node = config.node();
    HitAnswers answers = new HitAnswers(node.datacenter(), counts, datacenters, freshness, resets, salts, clock);
    java.util.function.Supplier<hitcounter.config.Sites> sitesNow = () -> sites;
    hitcounter.ingest.PageCaps caps = new hitcounter.ingest.PageCaps(counts);
    hitcounter.ingest.HitIntake intake = new hitcounter.ingest.HitIntake(
        new hitcounter.ingest.HitGate(sitesNow, new hitcounter.ingest.RateLimits(config.sites().maxBuckets()), caps, registry),
        queue, config.sites().trustedProxies(), new hitcounter.ingest.HitLines(salts, hitcounter.ingest.BotDetector.shipped(), clock,
            () -> live.getInt(hitcounter.config.Setting.ANALYTICS) == 1, counts::knows));
    return new HttpMetrics(registry).measured(concat(
        new HitRoutes(intake, answers, live, sitesNow).routes(),
        new hitcounter.api.SeriesRoutes(answers, sitesNow).routes(),
        new hitcounter.api.ReferrerRoutes(answers, sitesNow, 366).routes(),
        new hitcounter.api.ExportRoutes(counts, sitesNow).routes(),
        new hitcounter.api.ImportRoutes(sitesNow, new hitcounter.count.ImportWriter(deps.consul(), node.datacenter()), imports, config.api().adminToken(), config.imports()).routes(),
        new PagesRoutes(node.datacenter(), counts, datacenters, freshness, config.replication().staleAfter(), sitesNow).routes(),
        new hitcounter.api.SitesRoutes(live, sitesNow, doc -> hitcounter.config.Sites.of(doc, config.sites()), new hitcounter.config.SettingWriter(deps.consul(), writes, node.datacenter()),
            new hitcounter.count.PageResetter(deps.consul(), counts, node.datacenter(), resets), caps, config.api().adminToken()).routes(),
        new AuditRoutes(deps.consul(), storeStatus, counts, queue, workerStats, node.datacenter(), node.nodeName()).reportingTo(badValues).showing(sitesNow).routes(),
        new ConfigRoutes(deps.consul(), live, writes, datacenters, node.datacenter(), config.api().adminToken()).routes(),
        new TopologyApiRoutes(topology).routes(),
        new MetricsRoutes(metrics).routes(),
        new LivePageRoutes(intake, answers, live).routes(),
        new DashboardRoutes().routes(),
        new EmbedRoutes(intake, answers).routes(),
        new hitcounter.embed.DisplayRoutes(answers, sitesNow).routes()));
  }

  private void bind(Route routes, Readiness readiness, ActorRef<DiscoveryActor.Command> discovery) {
    var node = config.node();
    Http.get(system).newServerAt(node.host(), node.httpPort()).bind(routes).whenComplete((binding, failure) -> {
      if (failure != null) {
        system.log().error("cannot bind HTTP to {}:{}", node.host(), node.httpPort(), failure);
        system.terminate();
      } else {
        shutdown(binding, readiness, discovery);
        system.log().info("{} of {} serves http://{}:{}/", node.nodeName(), node.datacenter(), node.host(), binding.localAddress().getPort());
      }
    });
  }

  /**
   * Leaving in order: not ready and out of Consul first, then HTTP stops taking hits (requests in
   * flight get {@code shutdown.unbind}), then workers finish or give back their batches
   * ({@code shutdown.drain-workers}), then the queue connection closes.
   */
  private void shutdown(ServerBinding binding, Readiness readiness, ActorRef<DiscoveryActor.Command> discovery) {
    var node = config.node();
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "leave-consul", () -> {
      readiness.drain();
      return deps.consul().deregister(ServiceRegistrar.nodeServiceId(node.nodeName())).handle((ok, e) -> Done.getInstance()).toCompletableFuture();
    });
    binding.addToCoordinatedShutdown(node.unbindTimeout(), system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "drain-workers",
        () -> AskPattern.<DiscoveryActor.Command, Done>ask(discovery, DiscoveryActor.StopWorkers::new, node.drainTimeout(), system.scheduler())
            .exceptionally(e -> Done.getInstance())
            .toCompletableFuture());
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-queue", () -> {
      deps.ownQueue().close();
      return CompletableFuture.completedFuture(Done.getInstance());
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
}
