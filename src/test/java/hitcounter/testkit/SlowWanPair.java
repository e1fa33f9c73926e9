package hitcounter.testkit;

import hitcounter.store.SnapshotPointer;
import hitcounter.store.StoreKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Two federated datacenters, one node each, us-west's node reaching its Consul through a
 * {@link DelayingProxy} that can hold its calls to eu-west (a slow WAN); us-west's node takes
 * {@code usConfig}. Closes everything it started.
 */
public final class SlowWanPair implements AutoCloseable {
  private final Resources resources = new Resources();
  public final ConsulServer us;
  public final ConsulServer eu;
  public final DelayingProxy wan;
  public final TestNode usNode;
  public final TestNode euNode;

  public SlowWanPair(String name, long delayMillis, String usConfig) throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "it", name + "-" + UUID.randomUUID()));
    List<ConsulServer> consuls = ConsulServer.twoDatacenters(dir, resources);
    us = consuls.get(0);
    eu = consuls.get(1);
    wan = new DelayingProxy(us.httpPort, "dc=eu-west", delayMillis);
    usNode = resources.keep(new TestNode("us-west", "us-west-0", wan.url(), resources.keep(new Beanstalkd(dir).start()).port(), usConfig));
    euNode = resources.keep(new TestNode("eu-west", "eu-west-0", eu.url(), resources.keep(new Beanstalkd(dir).start()).port(), ""));
  }

  /** us-west's snapshot pointer as {@code consul} holds it (its own, or eu-west's copy). */
  public static SnapshotPointer pointer(ConsulServer consul) {
    String body = consul.get("/v1/kv/" + StoreKeys.snapshotPointer("us-west"));
    if (body.isBlank()) {
      return SnapshotPointer.NONE;
    }
    return SnapshotPointer.parse(Base64.getDecoder().decode(Resources.json(body).get(0).path("Value").asText())).orElse(SnapshotPointer.NONE);
  }

  @Override
  public void close() throws Exception {
    resources.close();
    wan.close();
  }
}
