# /etc/consul.d/consul.hcl of a Consul client agent on a hitcounter host, mode 640 root:consul.
datacenter = "us-west"
node_name = "us-west-h1"
data_dir = "/var/lib/consul"
bind_addr = "<this host's private address>"
client_addr = "127.0.0.1"                  # the node talks to its own agent only
retry_join = ["<c1>", "<c2>", "<c3>"]
ports { dns = -1, grpc = -1 }

primary_datacenter = "us-west"
encrypt = "<the gossip key>"
acl {
  enabled = true
  default_policy = "deny"
  down_policy = "extend-cache"
  enable_token_persistence = true
  tokens {
    agent = "<token with agent-policy.hcl>"
  }
}

ca_file = "/etc/consul.d/tls/consul-agent-ca.pem"
verify_outgoing = true
verify_server_hostname = true
auto_encrypt { tls = true }                # its certificate comes from the servers
