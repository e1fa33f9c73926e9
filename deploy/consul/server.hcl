# /etc/consul.d/consul.hcl of a Consul server (3 per datacenter), mode 640 root:consul.
# Replace the <...>; ops/consul-config.sh prints the same security part for the lab.
datacenter = "us-west"
node_name = "us-west-c1"
server = true
bootstrap_expect = 3
data_dir = "/var/lib/consul"
bind_addr = "<this host's private address>"
# The HTTP API on loopback and the private address, for Prometheus's scrape of the metrics (ACLs
# deny by default; let only the Prometheus host reach port 8500 on the private address).
client_addr = "127.0.0.1 <this host's private address>"
retry_join = ["<c2>", "<c3>"]
retry_join_wan = ["<servers of the other datacenters>"]
ports { dns = -1, grpc = -1 }
# Metrics for Prometheus at /v1/agent/metrics?format=prometheus (scraped with an agent:read token,
# prometheus-policy.hcl; deploy/prometheus/prometheus.yml).
telemetry {
  prometheus_retention_time = "60s"
  disable_hostname = true
}

primary_datacenter = "us-west"             # the same in every datacenter
encrypt = "<consul keygen, the same everywhere>"   # gossip, LAN and WAN
acl {
  enabled = true
  default_policy = "deny"
  down_policy = "extend-cache"
  enable_token_persistence = true
  enable_token_replication = true          # secondaries resolve tokens on their own
  tokens {
    # primary only: master = "<kept by the operators, nowhere on the nodes>"
    # secondaries only: replication = "<token with replication-policy.hcl>"
    agent = "<token with agent-policy.hcl>"
  }
}

# TLS on RPC (server to server, client to server, and between datacenters).
ca_file = "/etc/consul.d/tls/consul-agent-ca.pem"
cert_file = "/etc/consul.d/tls/us-west-server-consul-0.pem"
key_file = "/etc/consul.d/tls/us-west-server-consul-0-key.pem"
verify_incoming_rpc = true
verify_outgoing = true
verify_server_hostname = true
auto_encrypt { allow_tls = true }
