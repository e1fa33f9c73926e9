#!/usr/bin/env bash
# The soak (issue 28): starts a fresh local two-datacenter system (2 nodes each, run/ wiped;
# refused while one runs) whose nodes trust 127.0.0.1 as a proxy, offers 2,000 hits/s over the
# four nodes for SECONDS (100,000 URL paths, 10,000 visitors), samples every node's live heap
# after a full collection, RSS, and each Consul's data size and key count every minute, checks
# every acknowledged hit counted once on every node, writes the result into docs/reliability.md
# between the SOAK markers (ops/bench/soak.py says what it measures), and stops what it started.
# Loopback only; bounded: SECONDS + 20 minutes at most.
# Usage: ops/soak.sh [SECONDS] (default 7200; under 1500 it is a short check with 2-minute windows).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
secs="${1:-7200}"
export HC_EXTRA_JAVA_OPTS="-Dhitcounter.sites.trusted-proxies.0=127.0.0.1 ${HC_EXTRA_JAVA_OPTS:-}"
fresh_local_system
timeout $(( secs + 1200 )) /usr/bin/python3 "$HC_ROOT/ops/bench/soak.py" "$secs"
