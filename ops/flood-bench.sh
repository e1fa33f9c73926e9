#!/usr/bin/env bash
# The flood benchmark (sites, rate limits, caps): starts a fresh local two-datacenter system,
# runs ops/bench/flood.py (one client floods fresh page ids of a site at 5,000/s for 60 s while
# a legitimate client keeps counting), writes its table into docs/benchmarks.md between the
# FLOOD markers, and stops everything it started. Loopback only (127.0.0.1 and 127.0.0.2);
# about 3 minutes. Usage: ops/flood-bench.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fresh_local_system
timeout 900 /usr/bin/python3 "$HC_ROOT/ops/bench/flood.py"
