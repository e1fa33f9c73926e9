#!/usr/bin/env bash
# Recovery events on a fresh local two-datacenter system (loopback only, bounded), one after the
# other, under load spread over many pages (LoadGen walks a million page ids at RATE hits/s over
# all four nodes; a run touches well over 10,000 distinct pages):
#   1. eu-west's Consul restored from a snapshot taken AGE seconds earlier (`consul snapshot
#      save`, then `consul snapshot restore`, as an operator does with a backup);
#   2. eu-west's Consul killed, its data folder deleted, started again empty (StoreGuard restores
#      the store from us-west's copy);
#   3. us-west's Consul restored from a snapshot taken AGE seconds earlier;
#   4. a snapshot copy slower than a fold: for 60 s every call of us-west to eu-west is held
#      150 ms (us-west's nodes reach their Consul through hitcounter.tools.FaultProxy);
#   5. a fold's flip whose reply is lost: the proxy forwards it and drops Consul's answer;
#   6. a queue archived and resumed before the next copy: us-west-1 gets no hits until its queue
#      is archived at rest (HC_ARCHIVE_AFTER=20s on us-west), while copy rounds to eu-west are
#      held; then it counts again, and the WAN is released.
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
load_urls="$urls" # where an event's load goes (event 6 leaves us-west-1 out)
log() { echo "recovery-chaos: $(date +%T) $*"; }

# us-west's nodes reach their Consul through a fault proxy (events 4-6), restarted behind it.
control="$HC_RUN/fault.control"
: > "$control"
proxy_port=8509
java -cp "$HC_JAR" hitcounter.tools.FaultProxy --listen "$proxy_port" --upstream "$(consul_http_port "$(dc_index us-west)")" --control "$control" \
  --seconds 7200 > "$HC_RUN/fault-proxy.log" 2>&1 &
echo $! > "$HC_RUN/fault-proxy.pid"
trap 'stop_pid "$HC_RUN/fault-proxy.pid" FaultProxy; bash "$HC_ROOT/ops/stop-local.sh" >/dev/null 2>&1 || true' EXIT
for n in 0 1; do
  stop_pid "$HC_RUN/nodes/us-west-$n/node.pid" hitcounter.jar
  HC_NODE_CONSUL_URL="http://127.0.0.1:$proxy_port" HC_ARCHIVE_AFTER=20s bash "$HC_ROOT/ops/start-node.sh" us-west "$n" > /dev/null
done
sleep 10
snapfile="$HC_RUN/recovery.snap"
failed=0

# One event: LoadGen runs from before it until 5 s after it, then the check.
lost_so_far() {
  curl -fsS -m 10 http://127.0.0.1:8080/api/audit | /usr/bin/python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["lost"]["byDatacenter"].values()))'
}

# One event: LoadGen runs from before it until 5 s after it (an event may add loads of its own,
# with the same prefix and stop file, into $tracks), then the check.
event() { # NAME COMMAND...
  local name="$1"; shift
  local before
  before=$(lost_so_far)
  prefix="rc$RANDOM-"; out="$HC_RUN/rc-load-$RANDOM.json"; tracks="$out"
  java -cp "$HC_JAR" hitcounter.tools.LoadGen --urls "${load_urls// /,}" --rate "$rate" --seconds 600 --conns 32 \
    --pages walk:1000000:$RANDOM --prefix "$prefix" --track "$out" --stop-file "$out.stop" > "$out.log" 2>&1 &
  local load=$!
  "$@"
  sleep 5
  touch "$out.stop"
  while kill -0 "$load" 2>/dev/null || { [ -f "$out.resume.pid" ] && kill -0 "$(cat "$out.resume.pid")" 2>/dev/null; }; do sleep 0.5; done
  log "$name: $(cat "$out.log" | tail -n 1)"
  # shellcheck disable=SC2086
  if ! ALLOW_REPORTED_LOSS=1 LOSS_BEFORE="$before" SETTLE_FROM_WHAT="the load ended" /usr/bin/python3 "$HC_ROOT/ops/chaos-check.py" "$tracks" "$prefix" $urls \
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

slow_copy() {
  sleep 5
  echo "delay dc=eu-west 150" > "$control"
  log "every call of us-west to eu-west held 150 ms"
  sleep 60
  : > "$control"
  log "calls to eu-west at full speed again"
}

flip_reply_lost() {
  local i
  sleep 5
  echo "swallow flip$RANDOM PUT\s/v1/txn\sHTTP \"Key\":\"hitcounter/heads/us-west/~snapshot\"" > "$control"
  for i in $(seq 1 120); do
    grep -q swallowing "$HC_RUN/fault-proxy.log" && break
    sleep 1
  done
  grep -q swallowing "$HC_RUN/fault-proxy.log" || { log "no flip went through the proxy in 120 s"; failed=1; }
  : > "$control"
  log "the answer to a flip of us-west was dropped after Consul took it"
}

head_there() { # QUEUE
  consul_api "http://127.0.0.1:$(consul_http_port "$(dc_index us-west)")" "/v1/kv/hitcounter/heads/us-west/$1" > /dev/null 2>&1
}

archive_resume() { # (load on every node but us-west-1)
  local i
  sleep 5
  echo "delay dc=eu-west 20000" > "$control"
  log "copy rounds to eu-west held; waiting for us-west-1's queue to rest and be archived"
  for i in $(seq 1 120); do
    head_there us-west-1 || break
    sleep 1
  done
  if head_there us-west-1; then log "us-west-1's queue was not archived in 120 s"; failed=1; fi
  java -cp "$HC_JAR" hitcounter.tools.LoadGen --urls http://127.0.0.1:8081 --rate 20 --seconds 600 --conns 2 \
    --pages walk:1000000:$RANDOM --prefix "$prefix" --track "$out.resume.json" --stop-file "$out.stop" > "$out.resume.log" 2>&1 &
  echo $! > "$out.resume.pid"
  tracks="$out,$out.resume.json"
  for i in $(seq 1 60); do
    head_there us-west-1 && break
    sleep 1
  done
  log "us-west-1's queue counts again from a new head; releasing the WAN"
  : > "$control"
}

event "snapshot restore of eu-west" restore_from_snapshot eu-west
event "eu-west's Consul wiped" wipe eu-west
event "snapshot restore of us-west" restore_from_snapshot us-west
event "a snapshot copy slower than a fold" slow_copy
event "a flip whose reply is lost" flip_reply_lost
load_urls="http://127.0.0.1:8080 http://127.0.0.1:8180 http://127.0.0.1:8181"
event "a queue archived and resumed before the next copy" archive_resume
lost=$(curl -fsS -m 10 http://127.0.0.1:8080/api/audit | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["lost"])')
log "rollback records: $lost"
exit "$failed"
