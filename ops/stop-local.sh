#!/usr/bin/env bash
# Stops exactly what ops/start-local.sh and ops/start-node.sh started, by pid: nodes first
# (they finish their batches), then the beanstalkds, then Consul. Data stays in run/ (queued
# hits and counts survive a restart); --wipe deletes it afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for f in "$HC_RUN"/nodes/*/node.pid; do [ -f "$f" ] && stop_pid "$f" "hitcounter.jar"; done
for f in "$HC_RUN"/nodes/*/beanstalkd.pid; do [ -f "$f" ] && stop_pid "$f" "beanstalkd"; done
for f in "$HC_RUN"/consul-*/consul.pid; do [ -f "$f" ] && stop_pid "$f" "consul agent"; done
if [ "${1:-}" = "--wipe" ]; then
  rm -rf "$HC_RUN"
  echo "stop-local: stopped and wiped $HC_RUN"
else
  echo "stop-local: stopped (data kept in $HC_RUN; --wipe deletes it)"
fi
