#!/usr/bin/env bash
# The flood benchmark (sites, rate limits, caps): starts a fresh local two-datacenter system,
# runs ops/bench/flood.py (one client floods fresh page ids of a site at 5,000/s for 60 s while
# a legitimate client keeps counting), writes its table into docs/benchmarks.md between the
# FLOOD markers, and stops everything it started. Loopback only (127.0.0.1 and 127.0.0.2);
# about 3 minutes. Usage: ops/flood-bench.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for f in "$HC_RUN"/consul-*/consul.pid "$HC_RUN"/nodes/*/node.pid; do
  [ -f "$f" ] || continue
  if pid_alive "$f" "consul agent" || pid_alive "$f" "hitcounter.jar"; then die "a local system runs; stop it first"; fi
done
bash "$HC_ROOT/ops/install-deps.sh" >/dev/null
[ -f "$HC_JAR" ] || (cd "$HC_ROOT" && mvn -B -q -ntp -DskipTests package)
rm -rf "$HC_RUN"
trap 'bash "$HC_ROOT/ops/stop-local.sh" >/dev/null 2>&1 || true' EXIT
bash "$HC_ROOT/ops/start-local.sh" 2 >/dev/null
export HC_ROOT HC_RUN HC_JAR
timeout 900 /usr/bin/python3 "$HC_ROOT/ops/bench/flood.py"
