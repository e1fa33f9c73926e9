package hitcounter;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import hitcounter.infra.NodeSettings;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/** Starts one node: real clients, Pekko Management, Cluster Bootstrap through Consul. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // logback.xml takes these as they are: a value it does not know would drop every line
    // (an appender that does not exist) or log every Consul request (an unknown level is DEBUG).
    refuseUnless("HC_LOG_FORMAT", java.util.Set.of("text", "json"));
    refuseUnless("HC_CONSUL_LOG", java.util.Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"));
    // Logging is set up on this thread before any other starts: a call from Pekko's threads while
    // it is being set up would be replayed with a warning SLF4J prints to stderr, outside the log's
    // format (with HC_LOG_FORMAT=json, a line that is not JSON).
    org.slf4j.LoggerFactory.getILoggerFactory();
    start(ConfigFactory.load());
  }

  public static ActorSystem<Void> start(Config config) {
    ActorSystem<Void> system =
        ActorSystem.create(Guardian.create(s -> Deps.real(s, NodeSettings.create(s.settings().config()))), "hitcounter", config);
    init(system);
    return system;
  }

  private static void refuseUnless(String variable, java.util.Set<String> allowed) {
    String v = System.getenv(variable);
    if (v != null && !v.isEmpty() && !allowed.contains(v)) {
      System.err.println(variable + "=" + v + " is not one of " + new java.util.TreeSet<>(allowed) + ": not starting");
      System.exit(2);
    }
  }

  /** Management routes and Cluster Bootstrap; tests that run nodes in one JVM call this too. */
  public static void init(ActorSystem<?> system) {
    PekkoManagement.get(system).start();
    ClusterBootstrap.get(system).start();
  }
}
