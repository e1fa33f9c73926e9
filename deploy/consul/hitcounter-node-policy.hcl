# What a hitcounter node may do in Consul, and nothing more (docs/deploy.md). One token with
# this policy per datacenter ("role token"), global, so the replicator can write into the other
# datacenters (?dc=). A node sends it as X-Consul-Token from HC_CONSUL_TOKEN_FILE.

# Counts, heads, journal, snapshots, settings, audit figures, heartbeats, stalls.
key_prefix "hitcounter/" {
  policy = "write"
}

# Register (and renew, and deregister) its own services.
service "hitcounter" {
  policy = "write"
}
service "beanstalkd" {
  policy = "write"
}

# Discovery: which nodes and queues are healthy; WAN datacenters.
service_prefix "" {
  policy = "read"
}
node_prefix "" {
  policy = "read"
}
