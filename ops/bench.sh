#!/usr/bin/env bash
# The benchmark: starts a fresh local two-datacenter system (2 nodes each), runs every phase of
# ops/bench/driver.py (ping ceiling, hits on 4 pages and on 1M pages, 1M distinct pages uniform
# and Zipf with bytes and writes per hit, write rate at X and 2X, open-loop latency, end to end,
# memory, keys), writes the table into docs/benchmarks.md between the BENCH markers, and stops
# everything it started. Loopback only; bounded (about 20 minutes). Load: wrk (Debian,
# installed if missing) and hitcounter.tools.LoadGen on the same 2-core machine as the system.
# Usage: ops/bench.sh [SECONDS per wrk run] (default 15).
#        ops/bench.sh tail [SECONDS per run] (default 20): the steady-rate rows of ops/bench/tail.py
#        instead (1,000, 2,000 and 4,000 hits/s three times each, binlog records per hit, a
#        10-minute row over four nodes, an idle node, CPU of the whole system per hit; about 30
#        minutes), into docs/benchmarks.md between the BENCH-TAIL markers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ "${1:-}" = tail ]; then
  export BENCH_MODE=tail
  shift
  export BENCH_SECS="${1:-20}"
else
  export BENCH_SECS="${1:-15}"
fi
fresh_local_system --bench
timeout 2400 /usr/bin/python3 "$HC_ROOT/ops/bench/driver.py"
