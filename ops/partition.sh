#!/usr/bin/env bash
# Cuts eu-west off for CUT seconds under load and shows what happens, on the running local
# system (loopback only, bounded): the eu-west Consul server is killed (-9), so eu-west can
# neither count nor reach us-west, while hits keep coming to all four nodes (LoadGen, one per
# datacenter, 150 hits/s each, a new page every hit); then it is restarted on its data.
# Reports: non-200 answers of us-west during the run (should be none), an eu-west answer during
# the cut (stale, and why), seconds from healing until every node shows identical totals equal
# to the acknowledged hits, and lost or duplicated hits. Usage: ops/partition.sh [CUT] (default 30).
# (A cut of the network between datacenters, not a killed server: ops/lab.sh cut.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cut="${1:-30}"
pid_alive "$HC_RUN/consul-eu-west/consul.pid" "consul agent" || die "no running eu-west (ops/start-local.sh)"
prefix="cut$RANDOM-"
us="http://127.0.0.1:8080,http://127.0.0.1:8081"; eu="http://127.0.0.1:8180,http://127.0.0.1:8181"
rm -f "$HC_RUN"/partition-*.json*
for side in us eu; do
  urls=$us; [ $side = eu ] && urls=$eu
  java -cp "$HC_JAR" hitcounter.tools.LoadGen --urls "$urls" --rate 150 --seconds $((cut + 120)) --conns 16 \
    --pages walk:1000000:$RANDOM --prefix "$prefix$side-" --track "$HC_RUN/partition-$side.json" --stop-file "$HC_RUN/partition.stop" \
    > "$HC_RUN/partition-$side.log" 2>&1 &
done
sleep 5
echo "partition: $(date +%T) cutting eu-west off (kill -9 of its Consul server) for $cut s"
kill -KILL "$(cat "$HC_RUN/consul-eu-west/consul.pid")"
sleep 5
echo "partition: an eu-west answer during the cut: $(curl -fsS -m 2 "http://127.0.0.1:8180/api/hits/${prefix}probe")"
sleep $((cut - 5))
bash "$HC_ROOT/ops/start-consul.sh" eu-west >/dev/null
healed=$(date +%s.%N)
echo "partition: $(date +%T) healed"
sleep 5
touch "$HC_RUN/partition.stop"
wait
echo "partition: us-west load: $(cat "$HC_RUN/partition-us.log")"
echo "partition: eu-west load: $(cat "$HC_RUN/partition-eu.log")"
/usr/bin/python3 - "$HC_RUN" <<'PY'
import json, sys
run = sys.argv[1]
us, eu = (json.load(open(f"{run}/partition-{s}.json")) for s in ("us", "eu"))
merged = {"acked": us["acked"] + eu["acked"], "unknown": us["unknown"] + eu["unknown"], "pages": {**us["pages"], **eu["pages"]}}
json.dump(merged, open(f"{run}/partition-load.json", "w"))
PY
grep -q "other codes {}" "$HC_RUN/partition-us.log" && grep -q "unknown 0," "$HC_RUN/partition-us.log" || echo "partition: us-west answered something else than 200"
start=$(date +%s.%N)
/usr/bin/python3 "$HC_ROOT/ops/chaos-check.py" "$HC_RUN/partition-load.json" "$prefix" http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8180 http://127.0.0.1:8181
echo "partition: checked $(echo "$(date +%s.%N) - $healed" | bc) s after healing"
