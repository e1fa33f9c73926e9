#!/usr/bin/env bash
# The lab: hitcounter run the way it runs across machines, on this one machine, in network
# namespaces this script creates and removes itself (docs/operations.md, "The lab").
#
#   ops/lab.sh up [HOSTS_PER_DC]   build and start (default 2 hitcounter hosts per datacenter)
#   ops/lab.sh down                stop everything by pid, remove every namespace
#   ops/lab.sh cut | heal          take the WAN link between the datacenters down | up
#   ops/lab.sh status              hosts, addresses, health
#   ops/lab.sh exec HOST CMD...    run a command on a host (e.g. us-west-h1, us-west-client)
#   ops/lab.sh restart-consul HOST start a host's Consul agent again (after a kill)
#
# Per datacenter d (us-west = 10.77.1.0/24, eu-west = 10.77.2.0/24; a private range used only
# inside these namespaces): a switch namespace with one bridge; 3 Consul servers (.11-.13), each
# its own namespace; N hitcounter hosts (.21...), each with a Consul client agent, a beanstalkd and
# a node; a client host (.50) for load. A router namespace (hcl-wan, .1 in each subnet) is the
# WAN link between datacenters. Consul: ACLs default deny with token replication, gossip
# encryption, TLS on RPC with auto_encrypt; the HTTP API listens on each host's loopback only.
# Everything lives in run/lab/; nothing outside the namespaces is ever a target.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LAB="$HC_ROOT/run/lab"
export HC_RUN="$LAB"
HC_SECRETS="$LAB/secrets"
DCS=(us-west eu-west)
P=hcl  # namespace prefix
JAVA_OPTS=${HC_JAVA_OPTS:-"-Xms128m -Xmx320m -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:+UseSerialGC -XX:-UsePerfData"}

log() { echo "lab: $(date +%T) $*"; }
subnet() { echo "10.77.$(($1 + 1))"; }
ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }
hosts_of() { cat "$LAB/hosts-$1" 2>/dev/null || true; }  # "name address" lines of a datacenter

# start_in NS NAME EXPECTED CMD...: start CMD in NS in the background, pid in run/lab/pids/NAME.
start_in() {
  local ns="$1" name="$2" expected="$3"; shift 3
  mkdir -p "$LAB/pids" "$LAB/logs"
  ip netns exec "$ns" nohup "$@" >> "$LAB/logs/$name.log" 2>&1 &
  echo $! > "$LAB/pids/$name"
  echo "$expected" > "$LAB/pids/$name.expect"
}

stop_named() { # NAME: stop what start_in started under NAME, by pid
  [ -f "$LAB/pids/$1" ] || return 0
  stop_pid "$LAB/pids/$1" "$(cat "$LAB/pids/$1.expect")"
  rm -f "$LAB/pids/$1.expect"
}

# --- network -------------------------------------------------------------------------------
add_host() { # DC_INDEX NAME ADDRESS: a namespace on the datacenter's bridge
  local d="$1" name="$2" addr="$3" sw="$P-${DCS[$1]}-sw" ns="$P-$2" port="p-${2##*-}"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$sw" link add "$port" type veth peer name eth0 netns "$ns"
  ip -n "$sw" link set "$port" master br0 up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$(subnet "$d").1"
  echo "$name $addr" >> "$LAB/hosts-${DCS[$d]}"
}

network_up() {
  local hosts="$1" d dc k
  ip netns add "$P-wan"
  ip -n "$P-wan" link set lo up
  in_ns "$P-wan" sysctl -qw net.ipv4.ip_forward=1
  for d in "${!DCS[@]}"; do
    dc="${DCS[$d]}"
    : > "$LAB/hosts-$dc"
    ip netns add "$P-$dc-sw"
    ip -n "$P-$dc-sw" link set lo up
    ip -n "$P-$dc-sw" link add br0 type bridge
    ip -n "$P-$dc-sw" link set br0 up
    ip -n "$P-wan" link add "wan$d" type veth peer name uplink netns "$P-$dc-sw"
    ip -n "$P-$dc-sw" link set uplink master br0 up
    ip -n "$P-wan" addr add "$(subnet "$d").1/24" dev "wan$d"
    ip -n "$P-wan" link set "wan$d" up
    for k in 1 2 3; do add_host "$d" "$dc-c$k" "$(subnet "$d").1$k"; done
    for k in $(seq 1 "$hosts"); do add_host "$d" "$dc-h$k" "$(subnet "$d").$((20 + k))"; done
    add_host "$d" "$dc-client" "$(subnet "$d").50"
  done
}

# --- Consul ---------------------------------------------------------------------------------
servers_of() { hosts_of "$1" | awk '$1 ~ /-c[0-9]+$/ {print $2}'; }

tls_up() {
  local dc k
  mkdir -p "$LAB/tls"
  (cd "$LAB/tls" && umask 077 && "$(consul_bin)" tls ca create > /dev/null
   for dc in "${DCS[@]}"; do for k in 1 2 3; do "$(consul_bin)" tls cert create -server -dc "$dc" > /dev/null; done; done)
}

consul_up() { # DC NAME ADDRESS server|client [CERT]
  local dc="$1" name="$2" addr="$3" role="$4" cert="${5:-}" dir="$LAB/hosts/$2" joins=() a other
  mkdir -p "$dir/consul-data"
  (umask 077; bash "$HC_ROOT/ops/consul-config.sh" "$dc" "$role" "$LAB/tls" "$cert" > "$dir/consul.hcl")
  for a in $(servers_of "$dc"); do [ "$a" = "$addr" ] || joins+=("-retry-join=$a"); done
  local args=(agent -config-file="$dir/consul.hcl" -datacenter="$dc" -node="$name" -bind="$addr" -client=127.0.0.1
    -data-dir="$dir/consul-data" -dns-port=-1 -grpc-port=-1 -retry-interval=1s "${joins[@]}" -hcl 'performance { raft_multiplier = 1 }')
  if [ "$role" = server ]; then
    args+=(-server -bootstrap-expect=3 -retry-interval-wan=1s)
    for other in "${DCS[@]}"; do
      [ "$other" = "$dc" ] && continue
      for a in $(servers_of "$other"); do args+=("-retry-join-wan=$a"); done
    done
  fi
  start_in "$P-$name" "$name-consul" "consul agent" "$(consul_bin)" "${args[@]}"
  if [ "$role" = server ] && ! pid_alive "$LAB/pids/$name-rejoin" "wan-rejoin.sh"; then
    # As deploy/systemd/consul-wan-rejoin.service does on a real server (Serf alone retries a
    # failed WAN member only every 30 s).
    start_in "$P-$name" "$name-rejoin" "wan-rejoin.sh" env CONSUL_HTTP_ADDR=http://127.0.0.1:8500 \
      CONSUL_HTTP_TOKEN_FILE="$HC_SECRETS/consul-master.token" CONSUL_BIN="$(consul_bin)" bash "$HC_ROOT/deploy/consul/wan-rejoin.sh" 2
  fi
}

consul_call() { # HOST PATH: the HTTP API of HOST's agent, with the operator token
  in_ns "$P-$1" curl -fsS -m 5 -H @"$HC_SECRETS/consul-master.header" "http://127.0.0.1:8500$2"
}

await() { # SECONDS WHAT CMD...
  local limit="$1" what="$2" i; shift 2
  for i in $(seq 1 $((limit * 5))); do "$@" > /dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what: not after $limit s"
}

has_leader() { [ "$(in_ns "$P-$1" curl -fsS -m 2 http://127.0.0.1:8500/v1/status/leader | tr -d '"')" != "" ]; }
replicating() { consul_call "$1" /v1/acl/replication | jq -e '.Running and .ReplicatedTokenIndex > 0'; }
federated() { local dcs; dcs=$(in_ns "$P-$1" curl -fsS -m 2 http://127.0.0.1:8500/v1/catalog/datacenters); [[ "$dcs" == *us-west* && "$dcs" == *eu-west* ]]; }

# --- hitcounter hosts -------------------------------------------------------------------------
host_up() { # DC NAME ADDRESS
  local dc="$1" name="$2" addr="$3" dir="$LAB/hosts/$2"
  mkdir -p "$dir/binlog"
  # The host's environment file, as an install writes it once (deploy/systemd): the role token of
  # the datacenter goes to a file of its own that only the service reads.
  (umask 077
   tr -d '\n' < "$HC_SECRETS/node-$dc.token" > "$dir/consul-token"
   cat > "$dir/env" <<ENV
HC_DC=$dc
HC_NODE=$name
HC_HOST=$addr
HC_HTTP_PORT=8080
HC_MANAGEMENT_PORT=8558
HC_REMOTE_PORT=25520
HC_BEANSTALK_HOST=$addr
HC_BEANSTALK_PORT=11300
HC_CONSUL_URL=http://127.0.0.1:8500
HC_CONSUL_TOKEN_FILE=$dir/consul-token
HC_ADMIN_TOKEN=$(cat "$LAB/admin-token")
ENV
  )
  start_in "$P-$name" "$name-beanstalkd" beanstalkd beanstalkd -l "$addr" -p 11300 -b "$dir/binlog" -f 0
  # shellcheck disable=SC2086
  (set -a; source "$dir/env"; set +a; start_in "$P-$name" "$name-node" hitcounter.jar java $JAVA_OPTS -Dhitcounter.node="$name" -jar "$HC_JAR")
}

servers_up() { # DC: its 3 Consul servers
  local dc="$1" k=0 name addr
  while read -r name addr; do
    [[ "$name" == *-c[0-9] ]] || continue
    consul_up "$dc" "$name" "$addr" server "$dc-server-consul-$k"; k=$((k + 1))
  done < "$LAB/hosts-$dc"
}

cmd_up() {
  local hosts="${1:-2}" start d dc k name addr
  [[ "$hosts" =~ ^[1-9]$ ]] || die "HOSTS_PER_DC must be 1..9"
  ns_exists "$P-wan" && die "a lab runs (ops/lab.sh down first)"
  start=$(date +%s)
  bash "$HC_ROOT/ops/install-deps.sh"
  if [ ! -f "$HC_JAR" ] || [ -n "$(find "$HC_ROOT/src/main" "$HC_ROOT/pom.xml" -newer "$HC_JAR" -print -quit)" ]; then
    (cd "$HC_ROOT" && mvn -B -q -DskipTests package)
  fi
  rm -rf "$LAB"; mkdir -p "$LAB"
  printf '%s\n' "${DCS[@]}" > "$LAB/datacenters"
  (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$LAB/admin-token")
  bash "$HC_ROOT/ops/consul-secrets.sh"
  tls_up
  network_up "$hosts"
  log "network: $(ip netns list | grep -c "^$P-") namespaces"
  # The primary first, with its ACLs in place, before any other datacenter starts: a
  # secondary's leader asks the primary at once to sign its Connect CA (which auto_encrypt
  # needs) with the replication token, and does not ask again if that token did not exist yet.
  servers_up us-west
  await 60 "leader in us-west" has_leader us-west-c1
  in_ns "$P-us-west-c1" bash "$HC_ROOT/ops/consul-acl.sh" "http://127.0.0.1:8500"
  for dc in "${DCS[@]:1}"; do servers_up "$dc"; done
  for dc in "${DCS[@]:1}"; do
    await 60 "leader in $dc" has_leader "$dc-c1"
    await 60 "federation of $dc" federated "$dc-c1"
    await 60 "token replication in $dc" replicating "$dc-c1"
  done
  log "Consul: 3 servers per datacenter, federated, ACLs on"
  for dc in "${DCS[@]}"; do
    while read -r name addr; do
      [[ "$name" == *-h[0-9] ]] || continue
      consul_up "$dc" "$name" "$addr" client
      host_up "$dc" "$name" "$addr"
    done < "$LAB/hosts-$dc"
  done
  for dc in "${DCS[@]}"; do
    while read -r name addr; do
      [[ "$name" == *-h[0-9] ]] || continue
      await 90 "$name ready" in_ns "$P-$dc-client" curl -fsS -m 2 "http://$addr:8558/health/ready"
    done < "$LAB/hosts-$dc"
  done
  log "up in $(($(date +%s) - start)) s"
  cmd_status
}

cmd_down() {
  local f kind ns pids left
  # Load first, then nodes (they finish their batches), beanstalkds, Consul clients, servers.
  for kind in load node beanstalkd rejoin consul; do
    for f in "$LAB"/pids/*-"$kind"; do [ -f "$f" ] && stop_named "$(basename "$f")"; done
  done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] || die "namespace $ns still has processes ($pids): not ours to kill; stop them first"
    ip netns del "$ns"
  done
  left=$(ip netns list | grep -c "^$P-" || true)
  [ "$left" = 0 ] || die "$left namespaces left"
  log "down: no namespace, link, bridge or process of the lab left"
}

cmd_cut() {
  local d; for d in "${!DCS[@]}"; do ip -n "$P-wan" link set "wan$d" down; done
  log "WAN cut: ${DCS[*]} cannot reach each other"
}

cmd_heal() {
  local d; for d in "${!DCS[@]}"; do ip -n "$P-wan" link set "wan$d" up; done
  log "WAN healed"
}

cmd_status() {
  ns_exists "$P-wan" || { echo "lab: not running"; return 0; }
  local dc name addr wan
  wan=$(ip -n "$P-wan" -br link show wan0 | awk '{print $2}')
  echo "WAN link: $wan"
  for dc in "${DCS[@]}"; do
    echo "$dc ($(subnet "$(dc_index "$dc")").0/24):"
    while read -r name addr; do
      case "$name" in
        *-c[0-9]) state=$(consul_call "$name" /v1/status/leader 2>/dev/null | tr -d '"'); echo "  $name  $addr  consul server  leader=${state:-none}" ;;
        *-h[0-9])
          ready=$(in_ns "$P-$name" curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$addr:8558/health/ready" || true)
          members=$(consul_call "$name" /v1/agent/members 2>/dev/null | jq 'map(select(.Status == 1)) | length' || echo "?")
          echo "  $name  $addr  consul client + beanstalkd + node  ready=$ready  consul-members-alive=$members" ;;
        *) echo "  $name  $addr  load client" ;;
      esac
    done < "$LAB/hosts-$dc"
  done
}

cmd_restart_consul() { # NAME: start the Consul agent of host NAME again (same data, same config)
  local name="$1" dc="${1%-*}" addr
  addr=$(awk -v n="$name" '$1 == n {print $2}' "$LAB/hosts-$dc")
  [ -n "$addr" ] || die "no host $name"
  pid_alive "$LAB/pids/$name-consul" "consul agent" && { echo "$name: Consul runs"; return 0; }
  case "$name" in
    *-c[0-9]) consul_up "$dc" "$name" "$addr" server "$dc-server-consul-$(( ${name##*-c} - 1 ))" ;;
    *) consul_up "$dc" "$name" "$addr" client ;;
  esac
  await 60 "$name's agent" in_ns "$P-$name" curl -fsS -m 2 http://127.0.0.1:8500/v1/status/leader
  log "$name: Consul restarted"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  cut) cmd_cut ;;
  heal) cmd_heal ;;
  status) cmd_status ;;
  exec) shift; h="$1"; shift; in_ns "$P-$h" "$@" ;;
  restart-consul) shift; cmd_restart_consul "$@" ;;
  *) die "usage: ops/lab.sh up [HOSTS_PER_DC] | down | cut | heal | status | exec HOST CMD..." ;;
esac
