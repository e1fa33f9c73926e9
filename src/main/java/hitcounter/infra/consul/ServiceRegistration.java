package hitcounter.infra.consul;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A service to register with the local Consul agent, with one check: HTTP GET of {@code
 * httpCheck}, or a TCP connect to {@code tcpCheck} ("host:port").
 */
public record ServiceRegistration(
    String id,
    String name,
    String address,
    int port,
    List<String> tags,
    Map<String, String> meta,
    String httpCheck,
    String tcpCheck,
    Duration checkInterval,
    Duration deregisterCriticalAfter) {}
