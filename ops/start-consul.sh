#!/usr/bin/env bash
# Starts the Consul server of datacenter DC of the local system (WAN-joined to every other
# datacenter of run/datacenters), unless it runs; waits for its leader unless --no-wait.
# Also how a Consul server that was stopped or killed is restarted: its data folder is reused.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -ge 1 ] || die "usage: ops/start-consul.sh DC [--no-wait]"
dc="$1"; i=$(dc_index "$dc")
dir="$HC_RUN/consul-$dc"
mkdir -p "$dir/data"
if pid_alive "$dir/consul.pid" "consul agent"; then
  echo "consul of $dc already runs (pid $(cat "$dir/consul.pid"))"; exit 0
fi
joins=(); j=0
while read -r other; do
  [ "$other" = "$dc" ] || joins+=("-retry-join-wan=127.0.0.1:$(consul_wan_port "$j")")
  j=$((j + 1))
done < "$HC_RUN/datacenters"
# ACLs (default deny), token replication and gossip encryption (docs/deploy.md): in a file of
# mode 600, since it holds tokens; the first datacenter of run/datacenters is the ACL primary.
(umask 077; bash "$HC_ROOT/ops/consul-config.sh" "$dc" server > "$dir/secure.hcl")
nohup "$(consul_bin)" agent -config-file="$dir/secure.hcl" -server -bootstrap-expect=1 -datacenter="$dc" -node="consul-$dc" \
  -bind=127.0.0.1 -client=127.0.0.1 -advertise=127.0.0.1 -advertise-wan=127.0.0.1 \
  -data-dir="$dir/data" -http-port=$((8500 + 10 * i)) -dns-port=-1 -grpc-port=-1 \
  -serf-lan-port=$((8301 + 10 * i)) -serf-wan-port=$((8302 + 10 * i)) -server-port=$((8300 + 10 * i)) \
  -retry-interval-wan=1s "${joins[@]}" -hcl 'performance { raft_multiplier = 1 }' \
  -hcl 'telemetry { prometheus_retention_time = "60s" disable_hostname = true }' \
  >> "$dir/consul.log" 2>&1 &
echo $! > "$dir/consul.pid"
[ "${2:-}" = "--no-wait" ] && exit 0
for t in $(seq 1 300); do
  leader=$(curl -fsS -m 2 "http://127.0.0.1:$((8500 + 10 * i))/v1/status/leader" 2>/dev/null || true)
  [ ${#leader} -gt 4 ] && { echo "consul of $dc: leader $leader"; exit 0; }
  sleep 0.1
done
die "Consul of $dc has no leader after 30 s (see $dir/consul.log)"
