package hitcounter.discovery;

import hitcounter.count.QueueRef;
import hitcounter.count.Worker;
import hitcounter.infra.consul.BlockingQueryWatch;
import hitcounter.infra.consul.Consul;
import hitcounter.infra.consul.Indexed;
import hitcounter.infra.consul.ServiceInstance;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Watches the healthy `hitcounter` nodes and `beanstalkd` queues of this datacenter in Consul,
 * computes (the same way on every node) which nodes drain which queue, and spawns or stops this
 * node's workers to match. Workers are restarted with backoff when they fail.
 */
public final class DiscoveryActor extends AbstractBehavior<DiscoveryActor.Command> {
  public static final String NODE_SERVICE = "hitcounter";
  public static final String QUEUE_SERVICE = "beanstalkd";

  public sealed interface Command {}

  public record GetTopology(ActorRef<Topology> replyTo) implements Command {}

  /** Settings changed (workers per queue): compute the assignment again. */
  public enum Rebalance implements Command {
    INSTANCE
  }

  /** Shutdown: stop rebalancing, let every worker finish (or give back) its batch, then answer. */
  public record StopWorkers(ActorRef<Done> replyTo) implements Command {}

  /** Nodes and queues as this node sees them, and who drains what. */
  public record Topology(
      List<String> nodes, Map<String, QueueRef> queues, Map<String, List<String>> assignment, List<String> mine, boolean replicatesHere) {}

  private record NodesChanged(List<ServiceInstance> instances) implements Command {}

  private record QueuesChanged(List<ServiceInstance> instances) implements Command {}

  /** Makes the worker behavior of one queue (tests pass fakes). */
  public interface WorkerFactory extends Function<QueueRef, Behavior<Worker.Command>> {}

  /**
   * {@code workersPerQueue} is read at every rebalance (a live setting); {@code keeper}, if
   * given (the replicator and the folder of the datacenter), runs on the one node of the
   * datacenter that wins it (rendezvous, like a queue).
   */
  public static Behavior<Command> create(
      String nodeName,
      Consul consul,
      WorkerFactory workers,
      java.util.function.IntSupplier workersPerQueue,
      Behavior<Void> keeper,
      BlockingQueryWatch.Settings watch,
      Duration wait) {
    return Behaviors.setup(ctx -> new DiscoveryActor(ctx, nodeName, consul, workers, workersPerQueue, keeper, watch, wait));
  }

  /** The rendezvous key of the replicator, ranked like a queue. */
  static final String REPLICATOR = "~replicator";

  private final String nodeName;
  private final WorkerFactory workers;
  private final java.util.function.IntSupplier workersPerQueue;
  private final Behavior<Void> replicatorBehavior;
  private ActorRef<Void> replicator;
  private List<String> nodes;
  private Map<String, QueueRef> queues;
  private Map<String, List<String>> assignment = Map.of();
  private final Map<QueueRef, ActorRef<Worker.Command>> running = new HashMap<>();
  private int spawned;
  private ActorRef<Done> stopReplyTo;

  private DiscoveryActor(
      ActorContext<Command> ctx,
      String nodeName,
      Consul consul,
      WorkerFactory workers,
      java.util.function.IntSupplier workersPerQueue,
      Behavior<Void> replicator,
      BlockingQueryWatch.Settings watch,
      Duration wait) {
    super(ctx);
    this.nodeName = nodeName;
    this.workers = workers;
    this.workersPerQueue = workersPerQueue;
    this.replicatorBehavior = replicator;
    BlockingQueryWatch.BlockingQuery<List<ServiceInstance>> nodeQuery = i -> consul.healthyInstances(NODE_SERVICE, i, wait);
    BlockingQueryWatch.BlockingQuery<List<ServiceInstance>> queueQuery = i -> consul.healthyInstances(QUEUE_SERVICE, i, wait);
    ctx.spawn(BlockingQueryWatch.create(nodeQuery, ctx.getSelf(), r -> new NodesChanged(r.value()), watch), "watch-nodes");
    ctx.spawn(BlockingQueryWatch.create(queueQuery, ctx.getSelf(), r -> new QueuesChanged(r.value()), watch), "watch-queues");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(NodesChanged.class, this::onNodesChanged)
        .onMessage(QueuesChanged.class, this::onQueuesChanged)
        .onMessage(GetTopology.class, this::onGetTopology)
        .onMessage(StopWorkers.class, this::onStopWorkers)
        .onMessage(Rebalance.class, m -> rebalance())
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<Command> onNodesChanged(NodesChanged m) {
    nodes = m.instances().stream().map(i -> i.meta().getOrDefault("node", i.id())).sorted().distinct().toList();
    return rebalance();
  }

  private Behavior<Command> onQueuesChanged(QueuesChanged m) {
    Map<String, QueueRef> q = new TreeMap<>();
    for (ServiceInstance i : m.instances()) {
      String id = i.meta().getOrDefault("queue", i.id());
      q.put(id, new QueueRef(id, i.address(), i.port()));
    }
    queues = q;
    return rebalance();
  }

  private Behavior<Command> onStopWorkers(StopWorkers m) {
    stopReplyTo = m.replyTo();
    if (replicator != null) {
      getContext().stop(replicator);
      replicator = null;
    }
    if (running.isEmpty()) {
      stopReplyTo.tell(Done.getInstance());
    }
    running.values().forEach(w -> {
      getContext().watch(w);
      w.tell(Worker.Stop.INSTANCE);
    });
    return this;
  }

  private Behavior<Command> onTerminated(Terminated t) {
    if (t.getRef().equals(replicator)) {
      replicator = null;
    }
    running.values().removeIf(ref -> ref.equals(t.getRef()));
    if (stopReplyTo != null && running.isEmpty()) {
      stopReplyTo.tell(Done.getInstance());
    }
    return this;
  }

  private Behavior<Command> rebalance() {
    if (stopReplyTo != null || nodes == null || queues == null) {
      return this;
    }
    // While Consul lists no node (not even this one, e.g. before its first check passed), this
    // node drains every queue rather than none.
    List<String> members = nodes.contains(nodeName) ? nodes : append(nodes, nodeName);
    assignment = Rendezvous.assign(queues.keySet(), members, Math.max(1, workersPerQueue.getAsInt()));
    electReplicator(members);
    Map<String, QueueRef> wanted = new TreeMap<>();
    assignment.forEach((q, owners) -> {
      if (owners.contains(nodeName)) {
        wanted.put(q, queues.get(q));
      }
    });
    // A worker is keyed by its queue's id and address: a queue that moved gets a new worker.
    running.entrySet().removeIf(e -> {
      boolean keep = wanted.containsValue(e.getKey());
      if (!keep) {
        getContext().getLog().info("stopping worker for queue {}", e.getKey().id());
        getContext().stop(e.getValue());
      }
      return !keep;
    });
    for (QueueRef ref : wanted.values()) {
      if (!running.containsKey(ref)) {
        getContext().getLog().info("starting worker for queue {} at {}:{}", ref.id(), ref.host(), ref.port());
        Behavior<Worker.Command> supervised =
            Behaviors.supervise(workers.apply(ref))
                .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        running.put(ref, getContext().spawn(supervised, "worker-" + ref.id() + "-" + (++spawned)));
      }
    }
    return this;
  }

  private void electReplicator(List<String> members) {
    if (replicatorBehavior == null) {
      return;
    }
    boolean mine = Rendezvous.assign(List.of(REPLICATOR), members, 1).get(REPLICATOR).contains(nodeName);
    if (mine && replicator == null) {
      getContext().getLog().info("this node replicates {}", "its datacenter");
      replicator = getContext().spawn(
          Behaviors.supervise(replicatorBehavior).onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)),
          "replicator-" + (++spawned));
    } else if (!mine && replicator != null) {
      getContext().getLog().info("another node replicates now");
      getContext().stop(replicator);
      replicator = null;
    }
  }

  private Behavior<Command> onGetTopology(GetTopology m) {
    List<String> mine = running.keySet().stream().map(QueueRef::id).sorted().toList();
    m.replyTo().tell(new Topology(nodes == null ? List.of() : nodes, queues == null ? Map.of() : queues, assignment, mine, replicator != null));
    return this;
  }

  private static List<String> append(List<String> list, String item) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>(list);
    out.add(item);
    return out;
  }
}
