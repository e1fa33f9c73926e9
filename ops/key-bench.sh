#!/usr/bin/env bash
# The key-count row (issue 23): starts a fresh local two-datacenter system (2 nodes each), runs
# ops/bench/keys.py (200 node restarts, 10,000 page resets, 100 site create/delete cycles in 10
# rounds, keys per datacenter after each), writes the table into docs/benchmarks.md between the
# KEYS markers and stops everything it started. The folds' fold-after is shortened (audit runs
# and reset records at rest 10 s, looked at every 2 s) so that a round's keys are counted at
# rest; production waits 1 h and 10 min. Loopback only; bounded (about 55 minutes; 90 at most).
# Usage: ops/key-bench.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export HC_AUDIT_FOLD_AFTER=10s HC_AUDIT_FOLD_INTERVAL=2s HC_RESETS_FOLD_AFTER=10s HC_RESETS_FOLD_INTERVAL=2s
fresh_local_system
timeout 5400 /usr/bin/python3 "$HC_ROOT/ops/bench/keys.py"
