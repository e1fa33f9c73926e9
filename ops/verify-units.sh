#!/usr/bin/env bash
# Checks deploy/systemd/*.service with systemd-analyze verify, in a scratch root that holds
# the binaries and files at the paths the units name (copies of this machine's java and
# beanstalkd, the Consul of tools/, the environment files of deploy/etc, the jar). Prints
# systemd-analyze's findings; exits non-zero on any. What it cannot check: docs/deploy.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v systemd-analyze > /dev/null || die "no systemd-analyze here"
root=$(mktemp -d /tmp/hc-units.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/systemd/system" "$root/usr/bin" "$root/bin" "$root/opt/hitcounter" "$root/etc/hitcounter" "$root/etc/consul.d" \
  "$root/var/lib/consul" "$root/var/lib/beanstalkd" "$root/var/log/hitcounter"
mkdir -p "$root/usr/lib/systemd"
cp -a /lib/systemd/system "$root/usr/lib/systemd/"   # the standard targets the units hang on
cp "$HC_ROOT"/deploy/systemd/*.service "$root/etc/systemd/system/"
cp "$(readlink -f "$(command -v java)")" "$root/usr/bin/java"
cp "$(command -v beanstalkd)" "$root/usr/bin/beanstalkd"
cp "$(consul_bin)" "$root/usr/bin/consul"
cp /bin/kill "$root/bin/kill"
[ -f "$HC_JAR" ] && cp "$HC_JAR" "$root/opt/hitcounter/hitcounter.jar" || touch "$root/opt/hitcounter/hitcounter.jar"
cp "$HC_ROOT/deploy/etc/hitcounter.env" "$HC_ROOT/deploy/etc/beanstalkd.env" "$HC_ROOT/deploy/etc/consul-wan-rejoin.env" "$root/etc/hitcounter/"
mkdir -p "$root/opt/hitcounter/deploy/consul"
cp "$HC_ROOT/deploy/consul/wan-rejoin.sh" "$root/opt/hitcounter/deploy/consul/"
cp "$HC_ROOT/deploy/consul/client.hcl" "$root/etc/consul.d/consul.hcl"
out=$(cd "$root" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --root="$root" \
  "$root"/etc/systemd/system/hitcounter.service "$root"/etc/systemd/system/beanstalkd.service "$root"/etc/systemd/system/consul.service \
  "$root"/etc/systemd/system/consul-wan-rejoin.service 2>&1 || true)
if [ -n "$out" ]; then echo "$out"; echo "verify-units: findings above"; exit 1; fi
echo "verify-units: hitcounter.service, beanstalkd.service, consul.service, consul-wan-rejoin.service pass systemd-analyze verify (systemd $(systemd-analyze --version | head -n1 | awk '{print $2}'))"
