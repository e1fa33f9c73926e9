#!/usr/bin/env bash
# The benchmark: starts a fresh local two-datacenter system (2 nodes each), measures, writes
# the table into docs/benchmarks.md (between the BENCH markers) with this command, and stops
# everything it started. Loopback only; bounded (about 4 minutes). Load: wrk (Debian, installed
# if missing) with 2 threads and 64 connections on the same 2-core machine as the system.
# Usage: ops/bench.sh [SECONDS per wrk run] (default 15).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
secs="${1:-15}"
for f in "$HC_RUN"/consul-*/consul.pid "$HC_RUN"/nodes/*/node.pid; do
  [ -f "$f" ] || continue
  if pid_alive "$f" "consul agent" || pid_alive "$f" "hitcounter.jar"; then die "a local system runs; stop it first"; fi
done
bash "$HC_ROOT/ops/install-deps.sh" --bench >/dev/null
rm -rf "$HC_RUN"
trap 'bash "$HC_ROOT/ops/stop-local.sh" >/dev/null 2>&1 || true' EXIT
bash "$HC_ROOT/ops/start-local.sh" 2 >/dev/null
N=http://127.0.0.1:8080
W="wrk -t2 -c64"
lua="$HC_ROOT/ops/bench"
export HC_BENCH_LUA="$lua"
out="$HC_RUN/bench.txt"; : > "$out"
node_pids() { for f in "$HC_RUN"/nodes/*/node.pid; do cat "$f"; done; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
metric_sum() { # regex on the series (name and labels): sum over every matching series of the four nodes
  local total=0 v p
  for p in 8080 8081 8180 8181; do
    v=$(curl -fsS "http://127.0.0.1:$p/metrics" | awk -v m="$1" '$1 ~ "^"m {s += $2} END {printf "%.0f", s}')
    total=$(echo "$total + ${v:-0}" | bc)
  done
  echo "$total"
}
consul_writes() { metric_sum 'hitcounter_consul_requests_seconds_count[{][^}]*kind="(txn|put)"'; }
consul_write_ops() { echo "$(metric_sum 'hitcounter_consul_txn_operations_total') + $(metric_sum 'hitcounter_consul_requests_seconds_count[{][^}]*kind="put"')" | bc; }
wrk_run() { # label args... -> "rps p50 p99 p999 errors"
  local r; r=$($W "$@")
  local rps; rps=$(awk '/Requests\/sec/ {print $2}' <<< "$r")
  local pct; pct=$(grep '^PCT' <<< "$r" | sed 's/PCT //')
  echo "$rps $pct"
}

echo "bench: at rest"
declare -A t0
for p in $(node_pids); do t0[$p]=$(cpu_ticks "$p"); done
sleep 10
rest_cpu=""; rest_rss=""
for p in $(node_pids); do
  rest_cpu+="$(echo "scale=1; ($(cpu_ticks "$p") - ${t0[$p]}) / 10" | bc)% "
  rest_rss+="$(rss_mb "$p") "
done

echo "bench: warm-up (JIT) 2 x $secs s"
$W -d"${secs}s" "$N/api/ping" >/dev/null
$W -d"${secs}s" -s "$lua/post-few.lua" "$N" >/dev/null

echo "bench: ceiling"
read -r ping_rps ping_pct <<< "$(wrk_run -d"${secs}s" -s "$lua/ping.lua" "$N/api/ping")"
echo "bench: hits, 4 pages (and node 0's CPU and memory meanwhile)"
p0=$(cat "$HC_RUN/nodes/us-west-0/node.pid"); c0=$(cpu_ticks "$p0"); s0=$(date +%s.%N)
read -r few_rps few_pct <<< "$(wrk_run -d"${secs}s" -s "$lua/post-few.lua" "$N")"
load_cpu=$(echo "scale=0; ($(cpu_ticks "$p0") - $c0) / ($(date +%s.%N) - $s0)" | bc)
load_rss=$(rss_mb "$p0")
echo "bench: hits, 10,000 pages"
read -r tenk_rps tenk_pct <<< "$(wrk_run -d"${secs}s" -s "$lua/post-10k.lua" "$N")"
max_rps=${few_rps%.*}
half=$(( max_rps / 2 ))
echo "bench: constant rate $half/s (half of the maximum)"
# Enough connections that each is due a request only every 10 ms or more (blocking clients).
conns=$(( half / 100 > 32 ? half / 100 : 32 ))
rate_line=$(java -cp "$HC_JAR" hitcounter.tools.RateLoad 8080 "$half" "$secs" "$conns" bench-rate)

echo "bench: end to end, 100,000 hits"
w0=$(consul_writes); o0=$(consul_write_ops)
page="bench-e2e-$RANDOM"
k=100000; e2e_rate=$(( max_rps > 20000 ? 20000 : max_rps ))
e2e_secs=$(( (k + e2e_rate - 1) / e2e_rate ))
e2e_start=$(date +%s.%N)
e2e_line=$(java -cp "$HC_JAR" hitcounter.tools.RateLoad 8080 "$(( k / e2e_secs ))" "$e2e_secs" 128 "$page")
acked_at=$(date +%s.%N)
backlog=$(metric_sum 'hitcounter_queue_jobs[{][^}]*state="ready"')
answered=$(sed -E 's/.* ([0-9]+) answered.*/\1/' <<< "$e2e_line")
errors=$(sed -E 's/.*, ([0-9]+) errors.*/\1/' <<< "$e2e_line")
done_us=""; done_eu=""
for i in $(seq 1 600); do
  [ -n "$done_us" ] || { [ "$(curl -fsS "http://127.0.0.1:8081/api/hits/$page" | sed -E 's/.*"total":([0-9]+).*/\1/')" = "$answered" ] && done_us=$(date +%s.%N); } || true
  [ -n "$done_eu" ] || { [ "$(curl -fsS "http://127.0.0.1:8181/api/hits/$page" | sed -E 's/.*"total":([0-9]+).*/\1/')" = "$answered" ] && done_eu=$(date +%s.%N); } || true
  [ -n "$done_us" ] && [ -n "$done_eu" ] && break
  sleep 0.05
done
w1=$(consul_writes); o1=$(consul_write_ops)
lag_us=$(echo "scale=2; ${done_us:-0} - $acked_at" | bc); lag_eu=$(echo "scale=2; ${done_eu:-0} - $acked_at" | bc)
ingest_secs=$(echo "scale=2; $acked_at - $e2e_start" | bc)
ingest_rate=$(echo "scale=0; $answered / $ingest_secs" | bc)
e2e_total=$(echo "scale=2; ${done_eu:-$acked_at} - $e2e_start" | bc)
counted_rate=$(echo "scale=0; $answered / $e2e_total" | bc)
writes_per_k=$(echo "scale=2; ($w1 - $w0) * 1000 / $answered" | bc)
ops_per_k=$(echo "scale=2; ($o1 - $o0) * 1000 / $answered" | bc)

echo "bench: raw Consul CAS increments of one key, 1 writer, 5 s"
cas_rate=$(python3 - <<'PY'
import json, time, urllib.request, base64
url = "http://127.0.0.1:8500/v1/kv/bench/cas-key"
urllib.request.urlopen(urllib.request.Request(url, data=b"0", method="PUT")).read()
n = 0; end = time.time() + 5
while time.time() < end:
    e = json.load(urllib.request.urlopen(url))[0]
    v = int(base64.b64decode(e["Value"])) + 1
    ok = urllib.request.urlopen(urllib.request.Request(f"{url}?cas={e['ModifyIndex']}", data=str(v).encode(), method="PUT")).read()
    n += ok == b"true"
print(round(n / 5))
PY
)

ratio() { echo "scale=0; 100 * $1 / $ping_rps" | bc; }
pct() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<< "$2"; }
{
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by \`bash ops/bench.sh $secs\` on this 2-core box, load generator on the same machine, all four nodes, four beanstalkds and both Consul servers running."
  echo
  echo "| # | what | result | target | met |"
  echo "| --- | --- | --- | --- | --- |"
  echo "| 1 | ceiling: wrk GET /api/ping, 1 node | $(printf '%.0f' "$ping_rps") req/s; p50 $(pct p50 "$ping_pct") ms, p99 $(pct p99 "$ping_pct") ms, p99.9 $(pct p999 "$ping_pct") ms | | |"
  echo "| 2a | POST /api/hits, 4 pages, 1 node | $(printf '%.0f' "$few_rps") hits/s ($(ratio "${few_rps%.*}")% of ceiling); p50 $(pct p50 "$few_pct") ms, p99 $(pct p99 "$few_pct") ms, p99.9 $(pct p999 "$few_pct") ms; errors/non-2xx $(pct errors "$few_pct")/$(pct non2xx "$few_pct") | ≥ 30,000/s and ≥ 50% | $( [ "${few_rps%.*}" -ge 30000 ] && [ "$(ratio "${few_rps%.*}")" -ge 50 ] && echo yes || echo no) |"
  echo "| 2b | POST /api/hits, 10,000 pages, 1 node | $(printf '%.0f' "$tenk_rps") hits/s ($(ratio "${tenk_rps%.*}")% of ceiling); p50 $(pct p50 "$tenk_pct") ms, p99 $(pct p99 "$tenk_pct") ms, p99.9 $(pct p999 "$tenk_pct") ms | | |"
  echo "| 3 | constant rate at half the maximum | ${rate_line#rate-load: } | p99 ≤ 10 ms | $(awk -v p="$(sed -E 's/.*p99 ([0-9.]+) ms.*/\1/' <<< "$rate_line")" 'BEGIN {print (p <= 10 ? "yes" : "no")}') |"
  echo "| 4 | end to end: $answered hits acknowledged ($errors errors) on node us-west-0, offered at $(( k / e2e_secs ))/s, taken at $ingest_rate/s | us-west shows all ${lag_us} s and eu-west ${lag_eu} s after the last acknowledgement; counted in both datacenters at $counted_rate hits/s sustained (ingest-bound); backlog at the end of the load: $backlog jobs | within 5 s | $(awk -v a="$lag_eu" -v b="$lag_us" 'BEGIN {print (a <= 5 && b <= 5 && a > 0 ? "yes" : "no")}') |"
  echo "| 5 | Consul writes per 1,000 hits (all nodes, all writes: commits, copies, heartbeats, audit) | $writes_per_k writes ($ops_per_k KV operations) | ≤ 5 | $(awk -v w="$writes_per_k" 'BEGIN {print (w <= 5 ? "yes" : "no")}') |"
  echo "| 5b | raw Consul CAS increments of one key, 1 writer (python, GET + CAS PUT) | $cas_rate/s | (a design writing Consul per hit is held to this) | |"
  echo "| 6 | nodes at rest: CPU, RSS | CPU $rest_cpu; RSS MB $rest_rss | | |"
  echo "| 6b | node us-west-0 under the 4-page load | CPU ${load_cpu}%; RSS $load_rss MB | RSS ≤ 300 MB | $( [ "$load_rss" -le 300 ] && echo yes || echo no) |"
} > "$out"
python3 - "$HC_ROOT/docs/benchmarks.md" "$out" <<'PY'
import sys, re
doc, table = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read()
text = re.sub(r"<!-- BENCH -->.*<!-- /BENCH -->", "<!-- BENCH -->\n" + table + "<!-- /BENCH -->", text, flags=re.S)
open(doc, "w").write(text)
PY
cat "$out"
