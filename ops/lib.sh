# Shared helpers of the ops scripts. Sourced, not run.
# Port plan (docs/operations.md): datacenter d (0-based position in run/datacenters),
# node n: HTTP 8080+100d+n, management 8558+100d+n, remoting 25520+100d+n, beanstalkd 11300+100d+n;
# Consul of d: HTTP 8500+10d, serf LAN 8301+10d, serf WAN 8302+10d, server RPC 8300+10d.
# Hits sent by these scripts come from a browser (curl's own User-Agent is a bot: counted in bots, never in total).
HC_BROWSER_UA=${HC_BROWSER_UA:-"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}

HC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HC_RUN="${HC_RUN:-$HC_ROOT/run}"
HC_JAR="$HC_ROOT/target/hitcounter.jar"

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

consul_bin() {
  if [ -x "$HC_ROOT/tools/bin/consul" ]; then echo "$HC_ROOT/tools/bin/consul"; else command -v consul || die "consul not installed (ops/install-deps.sh)"; fi
}

dc_index() { # name -> index in run/datacenters
  local i=0 dc
  [ -f "$HC_RUN/datacenters" ] || die "no system here (run ops/start-local.sh first)"
  while read -r dc; do
    [ "$dc" = "$1" ] && { echo "$i"; return 0; }
    i=$((i + 1))
  done < "$HC_RUN/datacenters"
  die "unknown datacenter $1 (known: $(tr '\n' ' ' < "$HC_RUN/datacenters"))"
}

consul_http_port() { echo $((8500 + 10 * $1)); }
consul_wan_port() { echo $((8302 + 10 * $1)); }

# pid_alive FILE EXPECTED: the pid in FILE runs and its command line holds EXPECTED
# (a recycled pid of somebody else's process is never taken for ours).
pid_alive() {
  local file="$1" expected="$2" pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$expected"
}

# stop_pid FILE EXPECTED: TERM, wait up to 20 s, then KILL; by pid only.
stop_pid() {
  local file="$1" expected="$2" pid i
  if pid_alive "$file" "$expected"; then
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 200); do
      pid_alive "$file" "$expected" || break
      sleep 0.1
    done
    if pid_alive "$file" "$expected"; then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  fi
  rm -f "$file"
}

wait_http() { # URL SECONDS
  local url="$1" limit="$2" i
  for i in $(seq 1 $((limit * 10))); do
    curl -fsS -m 2 -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Secrets of the local system (Consul ACL tokens, gossip key): run/secrets, mode 700, files 600.
# ops/consul-secrets.sh makes them once; nothing here ever puts a token on a command line.
HC_SECRETS="$HC_RUN/secrets"

# consul_api URL PATH [CURL ARGS...]: a call to Consul's HTTP API with the operator (management)
# token, sent as a header read from a file.
consul_api() {
  local url="$1" path="$2"; shift 2
  curl -fsS -m 10 -H @"$HC_SECRETS/consul-master.header" "$@" "$url$path"
}

# primary_dc: the ACL primary datacenter (the first of run/datacenters).
primary_dc() { head -n1 "$HC_RUN/datacenters"; }

# fresh_local_system [INSTALL-DEPS ARGS]: for a benchmark. Refuses when a local system runs;
# installs what is missing, builds the jar if there is none, starts a fresh local system (run/
# wiped, 2 nodes per datacenter) and stops it when the calling script exits.
fresh_local_system() {
  local f
  for f in "$HC_RUN"/consul-*/consul.pid "$HC_RUN"/nodes/*/node.pid; do
    [ -f "$f" ] || continue
    if pid_alive "$f" "consul agent" || pid_alive "$f" "hitcounter.jar"; then die "a local system runs; stop it first"; fi
  done
  bash "$HC_ROOT/ops/install-deps.sh" "$@" >/dev/null
  [ -f "$HC_JAR" ] || (cd "$HC_ROOT" && mvn -B -q -ntp -DskipTests package)
  rm -rf "$HC_RUN"
  trap 'bash "$HC_ROOT/ops/stop-local.sh" >/dev/null 2>&1 || true' EXIT
  bash "$HC_ROOT/ops/start-local.sh" 2 >/dev/null
  export HC_ROOT HC_RUN HC_JAR
}
