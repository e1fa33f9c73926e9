#!/usr/bin/env bash
# Cuts eu-west off for CUT seconds under load and shows what happens, on the running local
# system (loopback only, bounded): the eu-west Consul server is killed (-9), so eu-west can
# neither count nor reach us-west, while hits keep coming to all four nodes; then it is
# restarted on its data. Reports: non-200 answers of us-west during the cut (should be 0),
# eu-west answers marked stale, seconds from healing until every node shows identical totals
# equal to the acknowledged hits, and lost hits. Usage: ops/partition.sh [CUT] (default 30).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cut="${1:-30}"
pid_alive "$HC_RUN/consul-eu-west/consul.pid" "consul agent" || die "no running eu-west (ops/start-local.sh)"
out="$HC_RUN/partition-load.json"; rm -f "$out" "$out.stop"
prefix="cut$RANDOM-"
urls="http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8180 http://127.0.0.1:8181"
# shellcheck disable=SC2086
java -cp "$HC_JAR" hitcounter.tools.LoadGenerator "$out" $((cut + 60)) 16 300 10 "$prefix" $urls > "$HC_RUN/partition-load.log" 2>&1 &
load=$!
sleep 5
echo "partition: $(date +%T) cutting eu-west off (kill -9 of its Consul server) for $cut s"
kill -KILL "$(cat "$HC_RUN/consul-eu-west/consul.pid")"
sleep 4
stale=$(curl -fsS -m 2 "http://127.0.0.1:8180/api/hits/${prefix}0")
echo "partition: eu-west answers during the cut: $stale"
sleep $((cut - 4))
bash "$HC_ROOT/ops/start-consul.sh" eu-west >/dev/null
healed=$(date +%s.%N)
echo "partition: $(date +%T) healed"
touch "$out.stop"
while kill -0 "$load" 2>/dev/null; do sleep 0.2; done
echo "partition: $(cat "$HC_RUN/partition-load.log")"
python3 - "$out" "$healed" $urls <<'PY'
import json, sys, time, urllib.request
load = json.load(open(sys.argv[1])); healed = float(sys.argv[2]); urls = sys.argv[3:]
pages = load["pages"]
def total(u, p):
    with urllib.request.urlopen(f"{u}/api/hits/{p}", timeout=3) as r:
        return json.load(r)
deadline = time.time() + 60
while True:
    try:
        views = {(u, p): total(u, p) for u in urls for p in pages}
        ok = all(views[(u, p)]["total"] == pages[p]["acked"] for u in urls for p in pages)
    except Exception:
        ok = False
    if ok or time.time() > deadline:
        break
    time.sleep(0.1)
took = time.time() - healed
lost = sum(max(0, pages[p]["acked"] - min(views[(u, p)]["total"] for u in urls)) for p in pages) if views else -1
us_failures = {k: v for k, v in [r.split("=") for r in load["reasons"].strip("{}").split(", ") if "=" in r] if ":808" in k}
print(f"partition: us-west non-200 during the run: {us_failures or 0}; identical totals on every node "
      f"{'%.1f s' % took if ok else 'NOT within 60 s'} after healing; acknowledged {load['acked']}, lost {lost}")
sys.exit(0 if ok and lost == 0 and not us_failures else 1)
PY
