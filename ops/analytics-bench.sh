#!/usr/bin/env bash
# The analytics benchmark (unique visitors, series, bots): starts a fresh local two-datacenter
# system whose nodes trust 127.0.0.1 as a proxy (synthetic visitors come in X-Forwarded-For),
# runs ops/bench/analytics.py, writes its table into docs/benchmarks.md between the ANALYTICS
# markers, and stops everything it started. Loopback only; about 10 minutes.
# Usage: ops/analytics-bench.sh [SECONDS per wrk run] (default 15).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export BENCH_SECS="${1:-15}"
export HC_EXTRA_JAVA_OPTS="-Dhitcounter.sites.trusted-proxies.0=127.0.0.1"
fresh_local_system --bench
timeout 1800 /usr/bin/python3 "$HC_ROOT/ops/bench/analytics.py"
