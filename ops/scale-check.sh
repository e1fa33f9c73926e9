#!/usr/bin/env bash
# Adds node INDEX to datacenter DC of the running local system and reports how long until it
# is passing in Consul, Up in the datacenter's Pekko cluster, and draining a queue, as the
# management API shows it. Usage: ops/scale-check.sh DC INDEX. Bounded to 60 s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dc="$1"; n="$2"; d=$(dc_index "$dc")
mgmt=$((8558 + 100 * d + n)); consul=$((8500 + 10 * d)); name="$dc-$n"
t0=$(date +%s.%N)
bash "$HC_ROOT/ops/start-node.sh" "$dc" "$n" >/dev/null
t_http=$(date +%s.%N)
in_consul=""; in_cluster=""; draining=""
for i in $(seq 1 600); do
  now=$(date +%s.%N)
  [ -n "$in_consul" ] || { consul_api "http://127.0.0.1:$consul" "/v1/health/service/hitcounter?passing=1" | grep -q "\"hitcounter-$name\"" && in_consul=$now; } || true
  [ -n "$in_cluster" ] || { curl -fsS "http://127.0.0.1:$mgmt/cluster/members" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if any(m["node"]==d["selfNode"] and m["status"]=="Up" for m in d["members"]) and len(d["members"])>1 else 1)' && in_cluster=$now; } || true
  [ -n "$draining" ] || { curl -fsS "http://127.0.0.1:$mgmt/topology" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d.get("drainedHere") else 1)' && draining=$now; } || true
  [ -n "$in_consul" ] && [ -n "$in_cluster" ] && [ -n "$draining" ] && break
  sleep 0.1
done
f() { [ -n "$1" ] && printf '%.1f s' "$(echo "$1 - $t0" | bc)" || echo "not within 60 s"; }
echo "$name: answering HTTP $(f "$t_http"), passing in Consul $(f "$in_consul"), Up in the cluster $(f "$in_cluster"), draining $(f "$draining") after start"
curl -fsS "http://127.0.0.1:$mgmt/topology"; echo
