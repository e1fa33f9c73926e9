#!/usr/bin/env bash
# Faults in the lab (ops/lab.sh up first), under load from each datacenter's client host
# (hitcounter.tools.LoadGen, open loop, RATE/2 hits/s per datacenter over its own nodes, every
# hit a new page of a million-page walk). Prints what it measured; exits non-zero when a
# promise was broken.
#
#   ops/lab-faults.sh wan-cut SECONDS [RATE]   cut the WAN for SECONDS (default 30, 300 hits/s)
#   ops/lab-faults.sh server-loss [RATE]       kill -9 the Consul leader of each datacenter
#
# wan-cut: 15 s of load, the cut, the load going on, stale flags sampled every 2 s in both
# datacenters; heal; the load stops; then every node of both datacenters must show, for every
# page, exactly the hits answered 200 (lost 0, duplicated 0), and how long that took is printed.
# server-loss: 15 s of load, kill -9 of each datacenter's leader, 30 s more load: every hit must be
# answered 200; then the servers are restarted and the counts checked as above.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LAB="$HC_ROOT/run/lab"
DCS=(us-west eu-west)
lab() { bash "$HC_ROOT/ops/lab.sh" "$@"; }
log() { echo "lab-faults: $(date +%T) $*"; }
ip netns list | grep -q '^hcl-wan' || die "no lab runs (ops/lab.sh up)"
nodes_of() { awk '$1 ~ /-h[0-9]+$/ {print "http://" $2 ":8080"}' "$LAB/hosts-$1" | paste -sd, -; }
all_nodes() { for dc in "${DCS[@]}"; do nodes_of "$dc" | tr , ' '; echo -n ' '; done; }
prefix="lab$RANDOM-"
out="$LAB/faults-$(date +%H%M%S)"
mkdir -p "$out"

load_start() { # RATE
  local dc seed=1
  for dc in "${DCS[@]}"; do
    seed=$((seed + RANDOM))
    ip netns exec "hcl-$dc-client" nohup java -cp "$HC_JAR" hitcounter.tools.LoadGen --urls "$(nodes_of "$dc")" --rate $(($1 / 2)) \
      --seconds 3600 --conns 16 --pages "walk:1000000:$seed" --prefix "$prefix" --track "$out/$dc.json" --stop-file "$out/stop" \
      > "$out/$dc-load.log" 2>&1 &
    echo $! > "$out/$dc-load.pid"
  done
}

load_stop() {
  local dc
  touch "$out/stop"
  for dc in "${DCS[@]}"; do
    while pid_alive "$out/$dc-load.pid" LoadGen; do sleep 0.2; done
    log "$dc load: $(cat "$out/$dc-load.log")"
  done
}

every_hit_200() { # true when every load generator had only 200s
  local dc ok=0
  for dc in "${DCS[@]}"; do
    grep -q ' unknown 0, other codes {}' "$out/$dc-load.log" || { log "$dc: NOT every hit was answered 200"; ok=1; }
  done
  return $ok
}

check_counts() {
  local tracks dc
  tracks=$(for dc in "${DCS[@]}"; do echo "$out/$dc.json"; done | paste -sd, -)
  # shellcheck disable=SC2046
  ip netns exec hcl-wan env SETTLE_FROM="${SETTLE_FROM:-}" SETTLE_FROM_WHAT="${SETTLE_FROM_WHAT:-}" /usr/bin/python3 "$HC_ROOT/ops/chaos-check.py" "$tracks" "$prefix" $(all_nodes)
}

stale_of() { # DC: the stale flag of the first node of DC, from its client host, and why
  local url; url=$(nodes_of "$1" | cut -d, -f1)
  ip netns exec "hcl-$1-client" curl -s -m 2 "$url/api/hits/${prefix}probe" \
    | jq -r '"\(.stale) \([.late[]? | "\(.datacenter):\(.why):\(.subject):\(.ageSeconds)"] | join(","))"' 2>/dev/null || echo "no-answer"
}

wan_cut() {
  local secs="${1:-30}" rate="${2:-300}" t0 now samples=0 stale=0 first_stale="" dc s
  log "WAN cut of $secs s under $rate hits/s"
  load_start "$rate"
  for i in 1 2 3 4 5 6; do sleep 2; for dc in "${DCS[@]}"; do echo "before $dc $(stale_of "$dc")" >> "$out/stale.log"; done; done
  log "before the cut: stale in $(grep -c '^before [a-z-]* true' "$out/stale.log" || true) of 12 samples"
  lab cut > /dev/null
  t0=$(date +%s)
  while [ $(( $(date +%s) - t0 )) -lt "$secs" ]; do
    sleep 2
    now=$(( $(date +%s) - t0 ))
    for dc in "${DCS[@]}"; do
      s=$(stale_of "$dc"); samples=$((samples + 1))
      if [ "${s%% *}" = true ]; then stale=$((stale + 1)); [ -n "$first_stale" ] || first_stale=$now; fi
      echo "$now $dc $s" >> "$out/stale.log"
    done
  done
  touch "$out/stop"  # the load ends with the cut: "identical totals" is measured from the heal
  lab heal > /dev/null
  healed=$(date +%s.%N)
  log "healed; stale in $stale of $samples samples during the cut (first at ${first_stale:-never} s)"
  load_stop
  every_hit_200 && r200=0 || r200=1
  SETTLE_FROM="$healed" SETTLE_FROM_WHAT="the heal" check_counts && rc=0 || rc=1
  [ "$r200" = 0 ] && [ "$rc" = 0 ]
}

server_loss() {
  local rate="${1:-300}" dc leader victims=()
  log "kill -9 of each datacenter's Consul leader under $rate hits/s"
  load_start "$rate"
  sleep 15
  for dc in "${DCS[@]}"; do
    leader=$(lab exec "$dc-h1" curl -fsS -m 2 http://127.0.0.1:8500/v1/status/leader | tr -d '"' | cut -d: -f1)
    name=$(awk -v a="$leader" '$2 == a {print $1}' "$LAB/hosts-$dc")
    kill -KILL "$(cat "$LAB/pids/$name-consul")"
    victims+=("$name")
    log "killed $name ($leader), the leader of $dc"
  done
  sleep 30
  load_stop
  every_hit_200 && r200=0 || r200=1
  for name in "${victims[@]}"; do
    lab restart-consul "$name" > /dev/null
    log "restarted $name"
  done
  check_counts && rc=0 || rc=1
  [ "$r200" = 0 ] && [ "$rc" = 0 ]
}

case "${1:-}" in
  wan-cut) shift; wan_cut "$@" ;;
  server-loss) shift; server_loss "$@" ;;
  *) die "usage: ops/lab-faults.sh wan-cut [SECONDS [RATE]] | server-loss [RATE]" ;;
esac
