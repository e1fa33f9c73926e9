package hitcounter.testkit;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * An integration test class on two WAN-joined datacenters (us-west, eu-west), each a real Consul
 * with one node and its beanstalkd: the subclass starts them in its {@code @BeforeAll} with
 * {@link #start}; everything is stopped after its last test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OneNodePerDatacenter {
  protected final Resources resources = new Resources();
  protected Path dir;
  protected ConsulServer us;
  protected ConsulServer eu;
  protected TestNode usNode;
  protected TestNode euNode;
  /** The beanstalkd port of eu-west's node: a node started again under its name drains the same queue. */
  protected int euQueue;

  /** Starts both datacenters (files under target/it/{@code name}-…); {@code config}: HOCON lines added to the nodes' settings (the admin token is {@link TwoDatacenters#TOKEN}). */
  protected void start(String name, String config) throws Exception {
    var dcs = new TwoDatacenters(name, resources, 1, config);
    dir = dcs.dir;
    us = dcs.us;
    eu = dcs.eu;
    usNode = dcs.nodes.get(0);
    euNode = dcs.nodes.get(1);
    euQueue = dcs.queues.get(1);
  }

  @AfterAll
  void stopBoth() {
    resources.close();
  }
}
