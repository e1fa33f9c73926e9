#!/usr/bin/env bash
# kill -9 of a node's JVM under load: hits go to that node (and the datacenter's node 0) until
# it dies; reports how long until another node drains the dead node's queue, and whether every
# acknowledged hit is counted exactly once. Usage: ops/kill-check.sh DC INDEX (INDEX > 0).
# Loopback only, bounded (load 3 s, waits at most 30 s). Restart the node with ops/start-node.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dc="$1"; n="$2"; d=$(dc_index "$dc"); name="$dc-$n"
[ "$n" != 0 ] || die "INDEX must not be 0 (node 0 observes)"
victim="http://127.0.0.1:$((8080 + 100 * d + n))"; other="http://127.0.0.1:$((8080 + 100 * d))"
observer="http://127.0.0.1:$((8558 + 100 * d))"
pidfile="$HC_RUN/nodes/$name/node.pid"
pid_alive "$pidfile" hitcounter.jar || die "$name does not run"
page="kill-$RANDOM$RANDOM"
out=$(mktemp)
# Load: 3 s of posts, alternating victim and node 0, 8 at a time; each answer's status is kept.
end=$(( $(date +%s) + 3 ))
( while [ "$(date +%s)" -lt "$end" ]; do
    for u in "$victim" "$other" "$victim" "$other" "$victim" "$other" "$victim" "$other"; do
      curl -s -m 2 -A "$HC_BROWSER_UA" -o /dev/null -w '%{http_code}\n' -X POST "$u/api/hits/$page" >> "$out" &
    done
    wait
  done ) &
load=$!
sleep 1.5
kill -KILL "$(cat "$pidfile")"
t_kill=$(date +%s.%N)
wait "$load" || true
acked=$(grep -c '^200$' "$out" || true); failed=$(grep -vc '^200$' "$out" || true)
t_drained=""
for i in $(seq 1 300); do
  if curl -fsS "$observer/topology" | python3 -c '
import json,sys
d=json.load(sys.stdin); name=sys.argv[1]
q=d["queues"].get(name)
sys.exit(0 if name not in d["nodes"] and q and q["drainedBy"] and name not in q["drainedBy"] and all(name not in x["drainedBy"] for x in d["queues"].values()) else 1)' "$name"; then
    t_drained=$(date +%s.%N); break
  fi
  sleep 0.1
done
[ -n "$t_drained" ] && echo "kill-check: $name's queue drained by another node $(printf '%.1f' "$(echo "$t_drained - $t_kill" | bc)") s after kill -9" || echo "kill-check: $name's queue NOT reassigned within 30 s"
total=0
for i in $(seq 1 300); do
  total=$(curl -fsS "$other/api/hits/$page" | sed -E 's/.*"total":([0-9]+).*/\1/')
  [ "$total" -ge "$acked" ] && break
  sleep 0.1
done
sleep 2
total=$(curl -fsS "$other/api/hits/$page" | sed -E 's/.*"total":([0-9]+).*/\1/')
# A hit can be queued (INSERTED) and counted although its client got no 200: the node died
# between beanstalkd's answer and its own. Those show as "queued, unanswered"; a hit counted
# twice would need the audit of issue 3 to tell apart, which this check does not do.
echo "kill-check: acknowledged $acked (not answered 200: $failed), counted $total, lost $(( acked > total ? acked - total : 0 )), queued but unanswered $(( total > acked ? total - acked : 0 ))"
echo "kill-check: $(curl -fsS "$observer/topology")"
rm -f "$out"
