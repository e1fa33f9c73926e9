package hitcounter.ingest;

import java.util.Map;

/**
 * The JSON answer of the hit routes. {@code stale}: some datacenter's figure here is older than
 * `hitcounter.replication.stale-after` (its heartbeat stopped: WAN or Consul trouble);
 * {@code ageSeconds}: the age of the oldest figure.
 */
public record HitReply(String page, String datacenter, long total, Map<String, Long> datacenters, boolean stale, double ageSeconds) {}
