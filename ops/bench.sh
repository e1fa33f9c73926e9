#!/usr/bin/env bash
# The benchmark: starts a fresh local two-datacenter system (2 nodes each), runs every phase of
# ops/bench/driver.py (ping ceiling, hits on 4 pages and on 1M pages, 1M distinct pages uniform
# and Zipf with bytes and writes per hit, write rate at X and 2X, open-loop latency, end to end,
# memory, keys), writes the table into docs/benchmarks.md between the BENCH markers, and stops
# everything it started. Loopback only; bounded (about 20 minutes). Load: wrk (Debian,
# installed if missing) and hitcounter.tools.LoadGen on the same 2-core machine as the system.
# Usage: ops/bench.sh [SECONDS per wrk run] (default 15).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export BENCH_SECS="${1:-15}"
for f in "$HC_RUN"/consul-*/consul.pid "$HC_RUN"/nodes/*/node.pid; do
  [ -f "$f" ] || continue
  if pid_alive "$f" "consul agent" || pid_alive "$f" "hitcounter.jar"; then die "a local system runs; stop it first"; fi
done
bash "$HC_ROOT/ops/install-deps.sh" --bench >/dev/null
[ -f "$HC_JAR" ] || (cd "$HC_ROOT" && mvn -B -q -ntp -DskipTests package)
rm -rf "$HC_RUN"
trap 'bash "$HC_ROOT/ops/stop-local.sh" >/dev/null 2>&1 || true' EXIT
bash "$HC_ROOT/ops/start-local.sh" 2 >/dev/null
export HC_ROOT HC_RUN HC_JAR
timeout 2400 /usr/bin/python3 "$HC_ROOT/ops/bench/driver.py"
