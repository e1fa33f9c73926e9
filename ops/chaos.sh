#!/usr/bin/env bash
# Fault-injection run on a fresh local two-datacenter system (loopback only, bounded):
# while a load generator posts hits to every node (counting the 200s per page), it
#   1. kill -9s a node's JVM mid-batch and restarts it,
#   2. makes a node halt itself right after a commit and before its delete (test-only hook
#      HC_FAULT_HALT_AFTER_COMMITS), then restarts it,
#   3. restarts a beanstalkd (kill -9, binlog kept),
#   4. restarts a Consul server (kill -9, data kept).
# Then it lets the system settle and checks that every node of every datacenter shows, for
# every page, exactly the acknowledged hits. Prints one summary line.
# The load runs from before the first fault until PAUSE seconds after the last one has recovered.
# The load (hitcounter.tools.LoadGen, open loop) walks a million page ids, every hit a new page,
# so a run of about 80 s at the default 1,500 hits/s spreads over more than 100,000 distinct pages.
# Usage: ops/chaos.sh [PAUSE] [RATE] (default 10 s between faults, 1500 hits/s). Needs no running local system; leaves
# run/ with the logs of the run and stops everything it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pause="${1:-10}"; rate="${2:-1500}"
for f in "$HC_RUN"/consul-*/consul.pid "$HC_RUN"/nodes/*/node.pid; do
  [ -f "$f" ] || continue
  if pid_alive "$f" "consul agent" || pid_alive "$f" "hitcounter.jar"; then die "a local system runs; stop it first"; fi
done
rm -rf "$HC_RUN"
trap 'bash "$HC_ROOT/ops/stop-local.sh" >/dev/null 2>&1 || true' EXIT
bash "$HC_ROOT/ops/start-local.sh" 2 >/dev/null
urls="http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8180 http://127.0.0.1:8181"
prefix="chaos$RANDOM-"
load_out="$HC_RUN/chaos-load.json"
log() { echo "chaos: $(date +%T) $*"; }

java -cp "$HC_JAR" hitcounter.tools.LoadGen --urls "${urls// /,}" --rate "$rate" --seconds 600 --conns 64 \
  --pages walk:1000000:$RANDOM --prefix "$prefix" --track "$load_out" --stop-file "$load_out.stop" > "$HC_RUN/chaos-load.log" 2>&1 &
load=$!
step="$pause"

sleep "$step"
log "kill -9 us-west-1 (JVM) under load"
kill -KILL "$(cat "$HC_RUN/nodes/us-west-1/node.pid")"
sleep 2
bash "$HC_ROOT/ops/start-node.sh" us-west 1 >/dev/null && log "us-west-1 restarted"

sleep "$step"
log "eu-west-1 restarts with a fault: it halts right after its 10th commit, before deleting"
stop_pid "$HC_RUN/nodes/eu-west-1/node.pid" hitcounter.jar
HC_FAULT_HALT_AFTER_COMMITS=10 bash "$HC_ROOT/ops/start-node.sh" eu-west 1 >/dev/null
for i in $(seq 1 600); do pid_alive "$HC_RUN/nodes/eu-west-1/node.pid" hitcounter.jar || break; sleep 0.1; done
if pid_alive "$HC_RUN/nodes/eu-west-1/node.pid" hitcounter.jar; then
  log "eu-west-1 did not halt within 60 s: $(curl -s -m 2 http://127.0.0.1:8181/api/audit) $(curl -s -m 2 http://127.0.0.1:8659/topology)"
else
  log "eu-west-1 halted between commit and delete: $(grep 'fault injection' "$HC_RUN/nodes/eu-west-1/node.log" | tail -n 1)"
fi
bash "$HC_ROOT/ops/start-node.sh" eu-west 1 >/dev/null && log "eu-west-1 restarted"

sleep "$step"
log "kill -9 the beanstalkd of eu-west-0, restart it on its binlog"
kill -KILL "$(cat "$HC_RUN/nodes/eu-west-0/beanstalkd.pid")"
sleep 1
bash "$HC_ROOT/ops/start-node.sh" eu-west 0 >/dev/null && log "beanstalkd of eu-west-0 restarted"

sleep "$step"
log "kill -9 the Consul server of eu-west, restart it on its data"
kill -KILL "$(cat "$HC_RUN/consul-eu-west/consul.pid")"
sleep 3
bash "$HC_ROOT/ops/start-consul.sh" eu-west >/dev/null && log "Consul of eu-west restarted"

sleep "$pause"
touch "$load_out.stop"
while kill -0 "$load" 2>/dev/null; do sleep 0.5; done
log "$(cat "$HC_RUN/chaos-load.log")"
log "load over; settling (at most 180 s)"
# shellcheck disable=SC2086
/usr/bin/python3 "$HC_ROOT/ops/chaos-check.py" "$load_out" "$prefix" $urls
