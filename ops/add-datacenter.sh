#!/usr/bin/env bash
# WAN-joins one more datacenter to the running local system and starts its nodes:
# ops/add-datacenter.sh DC [NODES] (default 2). Nothing that runs is restarted or reconfigured:
# the new Consul server joins the others' WAN pool, and every replicator picks the new
# datacenter up from Consul's datacenter list.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -ge 1 ] || die "usage: ops/add-datacenter.sh DC [NODES]"
dc="$1"; nodes="${2:-2}"
[[ "$dc" =~ ^[a-z0-9-]{1,32}$ ]] || die "a datacenter name is 1-32 of a-z 0-9 -"
[ -f "$HC_RUN/datacenters" ] || die "no system here (run ops/start-local.sh first)"
grep -qx "$dc" "$HC_RUN/datacenters" || echo "$dc" >> "$HC_RUN/datacenters"
# Its node token, made in the primary (tokens are global); its server replicates them.
bash "$HC_ROOT/ops/consul-secrets.sh"
bash "$HC_ROOT/ops/consul-acl.sh" "http://127.0.0.1:$(consul_http_port 0)"
bash "$HC_ROOT/ops/start-consul.sh" "$dc"
i=$(dc_index "$dc"); port=$((8500 + 10 * i))
for t in $(seq 1 600); do
  known=$(curl -fsS -m 2 "http://127.0.0.1:$port/v1/catalog/datacenters" 2>/dev/null || true)
  all=1
  while read -r other; do [[ "$known" == *"\"$other\""* ]] || all=0; done < "$HC_RUN/datacenters"
  [ "$all" = 1 ] && break
  sleep 0.1
done
[ "$all" = 1 ] || die "$dc's Consul sees only $known after 60 s"
echo "add-datacenter: $dc federated with $(tr '\n' ' ' < "$HC_RUN/datacenters")"
for n in $(seq 0 $((nodes - 1))); do bash "$HC_ROOT/ops/start-node.sh" "$dc" "$n"; done
