# The token Prometheus scrapes Consul's /v1/agent/metrics with: reading agents' metrics, nothing else.
# consul acl policy create -name prometheus -rules @prometheus-policy.hcl
# consul acl token create -description prometheus -policy-name prometheus
agent_prefix "" {
  policy = "read"
}
