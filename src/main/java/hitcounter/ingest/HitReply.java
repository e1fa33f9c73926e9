package hitcounter.ingest;

import java.util.Map;

/** The JSON answer of the hit routes. */
public record HitReply(String page, String datacenter, long total, Map<String, Long> datacenters) {}
