#!/usr/bin/env bash
# Makes the secrets of the local system's Consul once (idempotent): the management token
# (kept only here, mode 600), the agent and replication tokens, the gossip encryption key, and
# one node token per datacenter of run/datacenters. Their secrets are chosen here and created in
# Consul by ops/consul-acl.sh, so a wiped Consul gets the same tokens back.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
umask 077
mkdir -p "$HC_SECRETS"
chmod 700 "$HC_SECRETS"
new_secret() { [ -s "$HC_SECRETS/$1" ] || cat /proc/sys/kernel/random/uuid > "$HC_SECRETS/$1"; }
new_secret consul-master.token
new_secret consul-agent.token
new_secret consul-replication.token
new_secret consul-prometheus.token   # agent:read, for Prometheus to scrape Consul's metrics
while read -r dc; do new_secret "node-$dc.token"; done < "$HC_RUN/datacenters"
[ -s "$HC_SECRETS/consul-gossip.key" ] || "$(consul_bin)" keygen > "$HC_SECRETS/consul-gossip.key"
printf 'X-Consul-Token: %s\n' "$(cat "$HC_SECRETS/consul-master.token")" > "$HC_SECRETS/consul-master.header"
