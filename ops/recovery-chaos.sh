#!/usr/bin/env bash
# Recovery events on a fresh local two-datacenter system (loopback only, bounded), one after the
# other, under load spread over many pages (LoadGen walks a million page ids at RATE hits/s over
# all four nodes; a run touches well over 10,000 distinct pages):
#   1. eu-west's Consul restored from a snapshot taken AGE seconds earlier (`consul snapshot
#      save`, then `consul snapshot restore`, as an operator does with a backup);
#   2. eu-west's Consul killed, its data folder deleted, started again empty (StoreGuard restores
#      the store from us-west's copy);
#   3. us-west's Consul restored from a snapshot taken AGE seconds earlier.
# After each, it waits for the system to settle and checks every page the load saw acknowledged
# on all four nodes: nothing duplicated, nodes agreeing, and hits missing only as many as
# /api/audit reports lost (the hits a rollback took that no copy held). Prints one line per
# event and exits non-zero on any failure.
# Usage: ops/recovery-chaos.sh [AGE] [RATE] (default 10 s, 600 hits/s).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
age="${1:-10}"; rate="${2:-600}"
fresh_local_system --test
HC_SECRETS="$HC_RUN/secrets"
urls="http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8180 http://127.0.0.1:8181"
log() { echo "recovery-chaos: $(date +%T) $*"; }
snapfile="$HC_RUN/recovery.snap"
failed=0

# One event: LoadGen runs from before it until 5 s after it, then the check.
lost_so_far() {
  curl -fsS -m 10 http://127.0.0.1:8080/api/audit | /usr/bin/python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["lost"]["byDatacenter"].values()))'
}

event() { # NAME COMMAND...
  local name="$1"; shift
  local before
  before=$(lost_so_far)
  local prefix="rc$RANDOM-" out="$HC_RUN/rc-load-$RANDOM.json"
  java -cp "$HC_JAR" hitcounter.tools.LoadGen --urls "${urls// /,}" --rate "$rate" --seconds 600 --conns 32 \
    --pages walk:1000000:$RANDOM --prefix "$prefix" --track "$out" --stop-file "$out.stop" > "$out.log" 2>&1 &
  local load=$!
  "$@"
  sleep 5
  touch "$out.stop"
  while kill -0 "$load" 2>/dev/null; do sleep 0.5; done
  log "$name: $(cat "$out.log" | tail -n 1)"
  # shellcheck disable=SC2086
  if ! ALLOW_REPORTED_LOSS=1 LOSS_BEFORE="$before" SETTLE_FROM_WHAT="the load ended" /usr/bin/python3 "$HC_ROOT/ops/chaos-check.py" "$out" "$prefix" $urls \
      | sed "s/^chaos:/recovery-chaos: $name:/"; then
    failed=1
  fi
}

restore_from_snapshot() { # DC
  local dc="$1" port
  port=$(consul_http_port "$(dc_index "$dc")")
  sleep 5
  "$(consul_bin)" snapshot save -http-addr="127.0.0.1:$port" -token-file="$HC_SECRETS/consul-master.token" "$snapfile" > /dev/null
  log "snapshot of $dc taken; restoring it in $age s"
  sleep "$age"
  "$(consul_bin)" snapshot restore -http-addr="127.0.0.1:$port" -token-file="$HC_SECRETS/consul-master.token" "$snapfile" > /dev/null
  log "$dc restored from its snapshot of $age s ago"
}

wipe() { # DC
  local dc="$1"
  sleep 5
  kill -KILL "$(cat "$HC_RUN/consul-$dc/consul.pid")"
  rm -rf "$HC_RUN/consul-$dc/data"
  sleep 1
  bash "$HC_ROOT/ops/start-consul.sh" "$dc" > /dev/null
  bash "$HC_ROOT/ops/consul-acl.sh" "http://127.0.0.1:$(consul_http_port "$(dc_index "$(primary_dc)")")" > /dev/null
  log "$dc's Consul wiped and started again"
}

event "snapshot restore of eu-west" restore_from_snapshot eu-west
event "eu-west's Consul wiped" wipe eu-west
event "snapshot restore of us-west" restore_from_snapshot us-west
lost=$(curl -fsS -m 10 http://127.0.0.1:8080/api/audit | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["lost"])')
log "rollback records: $lost"
exit "$failed"
