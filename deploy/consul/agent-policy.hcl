# The token of a Consul agent (server or client) itself: register its node, update its
# checks, read services for anti-entropy. One per datacenter in the lab and start-local; a
# token per host with `node "<host>"` is tighter where hosts are provisioned one by one.
node_prefix "" {
  policy = "write"
}
service_prefix "" {
  policy = "read"
}
