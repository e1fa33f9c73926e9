#!/usr/bin/env bash
# Rejoins this Consul server to the WAN members it sees as failed, every INTERVAL seconds.
#
# Why: after a WAN cut heals, Consul 1.8's Serf tries a failed WAN member again only every
# 30 s (not configurable), so requests to the other datacenter ("?dc=", our replication) keep
# failing for up to half a minute after the network is back. A join of a member that is alive
# is a no-op; a join of one still unreachable fails quietly and is tried again.
#
# usage: wan-rejoin.sh [INTERVAL_SECONDS]   (default 2)
# env:   CONSUL_HTTP_ADDR (default http://127.0.0.1:8500), CONSUL_HTTP_TOKEN_FILE (a token with
#        agent:write on this server and node:read), CONSUL_BIN (default: consul on PATH).
set -u
interval="${1:-2}"
consul="${CONSUL_BIN:-consul}"
while true; do
  failed=$("$consul" members -wan -status=failed 2>/dev/null | awk 'NR > 1 {print $2}')
  if [ -n "$failed" ]; then
    # shellcheck disable=SC2086
    "$consul" join -wan $failed > /dev/null 2>&1 && echo "wan-rejoin: $(date -u +%T) rejoined $(echo $failed)"
  fi
  sleep "$interval"
done
