#!/usr/bin/env bash
# Starts the local multi-datacenter system: one Consul server per datacenter (WAN-federated),
# NODES_PER_DC nodes per datacenter, each with its own beanstalkd. Installs what is missing and
# builds the jar first. Usage: ops/start-local.sh [NODES_PER_DC] [DC ...]
# (default: 2 us-west eu-west). Logs, data and pids live in run/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nodes="${1:-2}"
[[ "$nodes" =~ ^[0-9]+$ ]] && [ "$nodes" -ge 1 ] || die "NODES_PER_DC must be a positive number"
shift || true
dcs=("$@")
[ ${#dcs[@]} -gt 0 ] || dcs=(us-west eu-west)

for f in "$HC_RUN"/consul-*/consul.pid "$HC_RUN"/nodes/*/node.pid; do
  [ -f "$f" ] || continue
  if pid_alive "$f" "consul agent" || pid_alive "$f" "hitcounter.jar"; then
    die "a local system is already running (pid $(cat "$f") from $f); stop it with ops/stop-local.sh"
  fi
done

bash "$HC_ROOT/ops/install-deps.sh"
if [ ! -f "$HC_JAR" ] || [ -n "$(find "$HC_ROOT/src/main" "$HC_ROOT/pom.xml" -newer "$HC_JAR" -print -quit)" ]; then
  echo "start-local: building target/hitcounter.jar"
  (cd "$HC_ROOT" && mvn -B -q -DskipTests package)
fi

mkdir -p "$HC_RUN"
printf '%s\n' "${dcs[@]}" > "$HC_RUN/datacenters"
# The admin token for PUT /api/config/{name}: made once, kept in run/ (git-ignored).
[ -s "$HC_RUN/admin-token" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$HC_RUN/admin-token")
bash "$HC_ROOT/ops/consul-secrets.sh"
for dc in "${dcs[@]}"; do bash "$HC_ROOT/ops/start-consul.sh" "$dc" --no-wait; done

for i in "${!dcs[@]}"; do
  port=$((8500 + 10 * i))
  for t in $(seq 1 300); do
    leader=$(curl -fsS -m 2 "http://127.0.0.1:$port/v1/status/leader" 2>/dev/null || true)
    [ ${#leader} -gt 4 ] && break
    sleep 0.1
  done
  [ ${#leader} -gt 4 ] || die "Consul of ${dcs[$i]} has no leader after 30 s (see $HC_RUN/consul-${dcs[$i]}/consul.log)"
  for t in $(seq 1 600); do
    known=$(curl -fsS -m 2 "http://127.0.0.1:$port/v1/catalog/datacenters" 2>/dev/null || true)
    all=1
    for dc in "${dcs[@]}"; do [[ "$known" == *"\"$dc\""* ]] || all=0; done
    [ "$all" = 1 ] && break
    sleep 0.1
  done
  [ "$all" = 1 ] || die "Consul of ${dcs[$i]} sees only $known after 60 s"
  if [ "$i" = 0 ]; then bash "$HC_ROOT/ops/consul-acl.sh" "http://127.0.0.1:$port"; fi
done
# Secondary datacenters resolve tokens on their own (also while the WAN is down) once they
# replicate them.
for i in "${!dcs[@]}"; do
  [ "$i" = 0 ] && continue
  port=$((8500 + 10 * i))
  for t in $(seq 1 300); do
    consul_api "http://127.0.0.1:$port" /v1/acl/replication 2>/dev/null | jq -e '.Running and .ReplicatedTokenIndex > 0' > /dev/null && break
    sleep 0.1
  done
done
echo "start-local: Consul up, federated, ACLs on (default deny), gossip encrypted: ${dcs[*]}"

for dc in "${dcs[@]}"; do
  for n in $(seq 0 $((nodes - 1))); do
    bash "$HC_ROOT/ops/start-node.sh" "$dc" "$n"
  done
done

echo
echo "hitcounter is running (${dcs[*]}, $nodes node(s) each). Try:"
echo "  curl -A 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' -X POST http://127.0.0.1:8080/api/hits/home   (curl's own User-Agent counts as a bot)"
echo "  curl http://127.0.0.1:8180/api/hits/home"
echo "  curl -X PUT -H \"Authorization: Bearer \$(cat run/admin-token)\" -d '\"#1e90ff\"' http://127.0.0.1:8080/api/config/colour"
for i in "${!dcs[@]}"; do echo "  Consul UI of ${dcs[$i]}: http://127.0.0.1:$((8500 + 10 * i))/ui/"; done
echo "  (Consul ACLs deny by default: log in to the UI with the token in run/secrets/consul-master.token)"
echo "Logs: $HC_RUN/nodes/*/node.log, $HC_RUN/consul-*/consul.log. Stop: ops/stop-local.sh"
