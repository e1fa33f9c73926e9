# The replication token of the secondary datacenters' servers: copies ACL policies and tokens
# from the primary, so a secondary datacenter resolves tokens on its own while the WAN is down.
acl = "write"
operator = "write"
service_prefix "" {
  policy = "read"
  intentions = "read"
}
