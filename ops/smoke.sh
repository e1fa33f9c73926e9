#!/usr/bin/env bash
# Smoke check of a running local system: HITS posts of PAGE spread over every node, then waits
# (at most 10 s) until every node reports the expected total and per-datacenter split.
# Usage: ops/smoke.sh [HITS] [PAGE]   (default 1000 home-<random>). Loopback only, bounded.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
hits="${1:-1000}"; page="${2:-smoke-$RANDOM$RANDOM}"
mapfile -t dcs < "$HC_RUN/datacenters"
urls=(); declare -A per_dc
for d in "${!dcs[@]}"; do
  for f in "$HC_RUN"/nodes/"${dcs[$d]}"-*/node.pid; do
    [ -f "$f" ] && pid_alive "$f" hitcounter.jar || continue
    n=${f%/node.pid}; n=${n##*-}
    urls+=("http://127.0.0.1:$((8080 + 100 * d + n))"); per_dc["http://127.0.0.1:$((8080 + 100 * d + n))"]="${dcs[$d]}"
  done
done
[ ${#urls[@]} -gt 0 ] || die "no running node"
# Counts of the page before (0 for a new page), taken from the first node once it is settled.
declare -A want
before=$(curl -fsS "${urls[0]}/api/hits/$page")
total0=$(sed -E 's/.*"total":([0-9]+).*/\1/' <<< "$before")
for u in "${urls[@]}"; do
  dc=${per_dc[$u]}
  want[$dc]=$(grep -oE "\"$dc\":[0-9]+" <<< "$before" | cut -d: -f2 || true)
  [ -n "${want[$dc]}" ] || want[$dc]=0
done
start=$(date +%s.%N)
ok=$(for i in $(seq 0 $((hits - 1))); do printf -- '-o\n/dev/null\n%s\n' "${urls[$((i % ${#urls[@]}))]}/api/hits/$page"; done \
  | xargs -P 16 -n 150 curl -s -A "$HC_BROWSER_UA" -w '%{http_code}\n' -X POST | grep -c '^200$' || true)
for i in $(seq 0 $((hits - 1))); do u=${urls[$((i % ${#urls[@]}))]}; want[${per_dc[$u]}]=$((${want[${per_dc[$u]}]} + 1)); done
acked=$(date +%s.%N)
echo "smoke: $ok of $hits hits answered 200 on ${#urls[@]} nodes ($(echo "$acked - $start" | bc) s); page $page"
[ "$ok" = "$hits" ] || die "not every hit was acknowledged"
deadline=$(( $(date +%s) + 10 ))
for u in "${urls[@]}"; do
  while :; do
    body=$(curl -fsS "$u/api/hits/$page" || true)
    good=1
    [[ "$body" == *"\"total\":$((total0 + hits)),"* ]] || good=0
    for dc in "${!want[@]}"; do [[ "$body" == *"\"$dc\":${want[$dc]}"* ]] || good=0; done
    [ "$good" = 1 ] && break
    [ "$(date +%s)" -lt "$deadline" ] || die "$u shows $body, wanted total $((total0 + hits)) split ${want[*]}"
    sleep 0.1
  done
done
echo "smoke: every node shows total $((total0 + hits)) = $total0 before + $hits ($(for dc in "${!want[@]}"; do printf '%s=%s ' "$dc" "${want[$dc]}"; done)) $(echo "$(date +%s.%N) - $acked" | bc) s after the last acknowledgement"
echo "smoke: $(curl -fsS "${urls[-1]}/api/hits/$page")"
