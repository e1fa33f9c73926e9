#!/usr/bin/env bash
# Installs what the local system and the tests need, idempotently:
#  - beanstalkd, jq and curl from the machine's Debian sources (apt-get install),
#  - Consul 1.8.7 from Debian *bullseye*'s `consul` package, fetched with
#    `apt-get download` through a private sources list (the machine's own apt
#    sources are never changed) and unpacked into tools/ (git-ignored),
#  - Chromium and python3-prometheus-client (Debian's packages) for the browser and metrics
#    tests when asked (`--test`),
#  - Prometheus and promtool (Debian's `prometheus` package, 2.42) when asked (`--test`): fetched
#    with `apt-get download` and unpacked into tools/ (no service is installed or started),
#  - wrk when asked (`--bench`).
# Prints nothing but progress; exits non-zero when something cannot be had.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$here/tools"
mkdir -p "$tools/bin"

want_bench=0; want_test=0
for arg in "$@"; do
  case "$arg" in
    --bench) want_bench=1 ;;
    --test) want_test=1 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
}

apt_install() { # name of the command, package
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "install-deps: installing $2 from Debian"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}

apt_install beanstalkd beanstalkd
apt_install jq jq     # the ops scripts build Consul ACL requests with it
apt_install curl curl
if [ "$want_test" = 1 ]; then
  apt_install chromium chromium
  # The reference Prometheus text parser, for the metrics test (Debian's python3 sees it).
  if ! /usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1; then
    echo "install-deps: installing python3-prometheus-client from Debian"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-prometheus-client >/dev/null
  fi
fi
if [ "$want_bench" = 1 ]; then apt_install wrk wrk; fi

# The Debian mirror URI of this machine, read from its own apt sources.
mirror_uri() {
  local uri=""
  if [ -d /etc/apt/sources.list.d ]; then
    uri=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
      | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(grep -hE '^\s*deb\s' /etc/apt/sources.list | grep -v security \
      | sed -E 's/\[[^]]*\]//' | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  fi
  [ -n "$uri" ] || { echo "install-deps: no Debian mirror found in the apt sources" >&2; return 1; }
  echo "${uri%/}"
}

# The version is read whole before it is matched: `consul version | grep -q` under pipefail
# failed now and then (grep quits at the first line, consul then dies of SIGPIPE writing the next).
consul_ok() { [ -x "$tools/bin/consul" ] && [[ "$("$tools/bin/consul" version 2>/dev/null)" == *'Consul v1.8.7'* ]]; }

if ! consul_ok; then
  echo "install-deps: fetching Consul 1.8.7 from Debian bullseye"
  work="$tools/apt-bullseye"
  rm -rf "$work"; mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/deb"
  uri=$(mirror_uri)
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bullseye main" > "$work/sources.list"
  : > "$work/empty.parts" ; mkdir -p "$work/sources.list.d"
  opts=(-o "Dir::Etc::SourceList=$work/sources.list"
        -o "Dir::Etc::SourceParts=$work/sources.list.d"
        -o "Dir::State::Lists=$work/lists"
        -o "Dir::Cache::Archives=$work/archives"
        -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
        -o "APT::Get::List-Cleanup=0")
  apt-get "${opts[@]}" update -qq >/dev/null
  ver=$(apt-cache "${opts[@]}" madison consul | awk -F'|' '$2 ~ /1\.8\.7/ {gsub(/ /,"",$2); print $2; exit}')
  [ -n "$ver" ] || { echo "install-deps: consul 1.8.7 not found in bullseye" >&2; exit 1; }
  (cd "$work/deb" && apt-get "${opts[@]}" download -qq "consul=$ver" >/dev/null)
  deb=$(ls "$work"/deb/consul_*.deb | head -n1)
  rm -rf "$work/x"; mkdir -p "$work/x"
  dpkg-deb -x "$deb" "$work/x"
  install -m 0755 "$work/x/usr/bin/consul" "$tools/bin/consul"
  rm -rf "$work"
  consul_ok || { echo "install-deps: unpacked consul does not run" >&2; exit 1; }
fi

# Prometheus and promtool, unpacked from Debian's package of this machine's release: the package's
# own install would start a server on every address, so it is only downloaded.
prometheus_ok() { [ -x "$tools/bin/promtool" ] && [ -x "$tools/bin/prometheus" ] && "$tools/bin/promtool" --version >/dev/null 2>&1; }
if [ "$want_test" = 1 ] && ! prometheus_ok; then
  echo "install-deps: fetching Prometheus and promtool from Debian"
  apt_update_once
  work="$tools/apt-prometheus"
  rm -rf "$work"; mkdir -p "$work/deb" "$work/x"
  (cd "$work/deb" && apt-get download -qq prometheus >/dev/null)
  dpkg-deb -x "$(ls "$work"/deb/prometheus_*.deb | head -n1)" "$work/x"
  install -m 0755 "$work/x/usr/bin/prometheus" "$tools/bin/prometheus"
  install -m 0755 "$work/x/usr/bin/promtool" "$tools/bin/promtool"
  rm -rf "$work"
  prometheus_ok || { echo "install-deps: unpacked promtool does not run" >&2; exit 1; }
fi

echo "install-deps: beanstalkd $(command -v beanstalkd), consul $tools/bin/consul ($("$tools/bin/consul" version | head -n1))"
