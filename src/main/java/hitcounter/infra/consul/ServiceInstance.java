package hitcounter.infra.consul;

import java.util.List;
import java.util.Map;

/** A service instance as Consul's health API lists it. */
public record ServiceInstance(
    String id, String name, String node, String address, int port, List<String> tags, Map<String, String> meta) {}
