package hitcounter.infra.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The one metrics registry of a node (Micrometer, rendered in the Prometheus text format), with
 * the JVM and process binders every JVM service has. Every meter carries the node's name and
 * datacenter; the project's own figures are bound to it by the classes that compute them.
 */
public final class NodeMetrics implements AutoCloseable, org.apache.pekko.actor.Extension {
  /** The node's registry, one per actor system, made from `hitcounter.datacenter` and `hitcounter.node-name`. */
  public static final class Id extends org.apache.pekko.actor.AbstractExtensionId<NodeMetrics> {
    public static final Id INSTANCE = new Id();

    @Override
    public NodeMetrics createExtension(org.apache.pekko.actor.ExtendedActorSystem system) {
      var node = hitcounter.infra.NodeSettings.create(system.settings().config());
      NodeMetrics metrics = new NodeMetrics(node.nodeName(), node.datacenter());
      system.registerOnTermination(metrics::close);
      return metrics;
    }
  }

  public static NodeMetrics get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return Id.INSTANCE.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
  }

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;

  public NodeMetrics(String node, String datacenter) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(Tags.of("node", node, "datacenter", datacenter));
    new JvmMemoryMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** A registry for unit tests and tools: no common tags, no binders. */
  public static MeterRegistry forTests() {
    return new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter in the Prometheus text exposition format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
