#!/usr/bin/env bash
# Starts one node (and its beanstalkd, unless that one still runs) into a running local
# system: ops/start-node.sh DC INDEX. Also how a node that died is restarted: its beanstalkd's
# binlog and the node's queue id are reused. Nothing else needs changing: the node registers
# in Consul, joins its datacenter's cluster, and workers rebalance.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -eq 2 ] || die "usage: ops/start-node.sh DC INDEX"
dc="$1"; n="$2"
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -lt 100 ] || die "INDEX must be 0..99"
d=$(dc_index "$dc")
[ -f "$HC_JAR" ] || die "no $HC_JAR (ops/start-local.sh builds it)"

name="$dc-$n"
dir="$HC_RUN/nodes/$name"
mkdir -p "$dir/binlog"
http=$((8080 + 100 * d + n)); mgmt=$((8558 + 100 * d + n)); remote=$((25520 + 100 * d + n)); bport=$((11300 + 100 * d + n))
# HC_NODE_CONSUL_URL: another way to this datacenter's Consul (ops/recovery-chaos.sh puts a fault proxy there).
consul="${HC_NODE_CONSUL_URL:-http://127.0.0.1:$(consul_http_port "$d")}"

if ! pid_alive "$dir/beanstalkd.pid" "beanstalkd"; then
  # -f: fsync the binlog at most every HC_FSYNC_MS ms; 0 (the default): after every write, so a
  # hit answered 200 is on disk (docs/decisions/0004-beanstalkd-binlog-fsync.md).
  nohup beanstalkd -l 127.0.0.1 -p "$bport" -b "$dir/binlog" -f "${HC_FSYNC_MS:-0}" >> "$dir/beanstalkd.log" 2>&1 &
  echo $! > "$dir/beanstalkd.pid"
fi

if pid_alive "$dir/node.pid" "hitcounter.jar"; then
  echo "$name already runs (pid $(cat "$dir/node.pid"))"
  exit 0
fi
# Heap and threads sized for several nodes on a 2-core box, and for a million pages of two
# datacenters in the count table (~210 MB live, a fold's copy on top: docs/architecture.md
# "Memory"); glibc's free memory given back every 5 s. The same as deploy/etc/hitcounter.env
# (HeapSettingsTest checks it). More pages: a larger -Xmx, sized as docs/operations.md says.
java_opts=${HC_JAVA_OPTS:-"-Xms64m -Xmx384m -Xmn64m -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:+UseSerialGC -XX:-UsePerfData -XX:TrimNativeHeapInterval=5000"}
token=$(cat "$HC_RUN/admin-token" 2>/dev/null || true)
# shellcheck disable=SC2086
HC_ADMIN_TOKEN="${HC_ADMIN_TOKEN:-$token}" HC_DC="$dc" HC_NODE="$name" HC_HOST=127.0.0.1 HC_HTTP_PORT="$http" HC_MANAGEMENT_PORT="$mgmt" \
HC_REMOTE_PORT="$remote" HC_BEANSTALK_PORT="$bport" HC_CONSUL_URL="$consul" \
HC_CONSUL_TOKEN_FILE="${HC_CONSUL_TOKEN_FILE:-$HC_SECRETS/node-$dc.token}" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" \
  nohup java $java_opts ${HC_EXTRA_JAVA_OPTS:-} -Dhitcounter.node="$name" -jar "$HC_JAR" >> "$dir/node.log" 2>&1 &
echo $! > "$dir/node.pid"

wait_http "http://127.0.0.1:$http/api/ping" 60 || die "$name did not answer on $http within 60 s (see $dir/node.log)"
echo "$name: http://127.0.0.1:$http/  management http://127.0.0.1:$mgmt/  beanstalkd 127.0.0.1:$bport"
