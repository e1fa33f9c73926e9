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
# Usage: ops/chaos.sh [PAUSE] [RATE] (default 10 s between faults, 500 hits/s). Needs no running local system; leaves
# run/ with the logs of the run and stops everything it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pause="${1:-10}"; rate="${2:-500}"
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

# shellcheck disable=SC2086
java -cp "$HC_JAR" hitcounter.tools.LoadGenerator "$load_out" 600 32 "$rate" 20 "$prefix" $urls > "$HC_RUN/chaos-load.log" 2>&1 &
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
log "load over; settling (at most 120 s)"
python3 - "$load_out" $urls <<'PY'
import json, sys, time, urllib.request
load = json.load(open(sys.argv[1]))
urls = sys.argv[2:]
pages = load["pages"]
def view(url, page):
    with urllib.request.urlopen(f"{url}/api/hits/{page}", timeout=5) as r:
        return json.load(r)
deadline = time.time() + 120
while True:
    seen = {}
    try:
        for u in urls:
            for p in pages:
                seen[(u, p)] = view(u, p)
    except Exception as e:
        seen = None
    settled = seen is not None and all(
        seen[(u, p)]["total"] >= pages[p]["acked"] and
        seen[(u, p)]["total"] == seen[(urls[0], p)]["total"] for u in urls for p in pages)
    if settled or time.time() > deadline:
        break
    time.sleep(1)
acked = load["acked"]; unknown = load["unknown"]
lost = dup = 0; counted = {}; disagree = 0
for p in pages:
    a = pages[p]["acked"]; un = pages[p]["unknown"]
    totals = set()
    for u in urls:
        v = seen[(u, p)] if seen else {"total": 0, "datacenters": {}}
        totals.add(v["total"])
    t = min(totals) if totals else 0
    disagree += len(totals) > 1
    lost += max(0, a - t)
    dup += max(0, t - a - un)
    for dc, n in (seen[(urls[0], p)]["datacenters"].items() if seen else []):
        counted[dc] = counted.get(dc, 0) + n
total = sum(counted.values())
print(f"chaos: acknowledged {acked}, counted {total} ({', '.join(f'{k} {v}' for k, v in sorted(counted.items()))}), "
      f"unknown-outcome {unknown} (of which counted {max(0, total - acked)}), lost {lost}, duplicated {dup}, "
      f"nodes disagreeing on {disagree} pages")
sys.exit(0 if lost == 0 and dup == 0 and disagree == 0 else 1)
PY
