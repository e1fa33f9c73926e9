#!/usr/bin/env bash
# Creates (or brings up to date) the ACL policies and tokens in the primary datacenter's Consul:
# ops/consul-acl.sh URL. Policies come from deploy/consul/*.hcl; tokens get the secrets of
# run/secrets (ops/consul-secrets.sh). Tokens are global: every datacenter replicates them, and
# a node's token also writes into the other datacenters (?dc=). Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -eq 1 ] || die "usage: ops/consul-acl.sh PRIMARY_CONSUL_URL"
url="$1"
# A new leader makes the ACL system (and the master token) a moment after it is elected.
for i in $(seq 1 300); do
  consul_api "$url" /v1/acl/token/self > /dev/null 2>&1 && break
  sleep 0.2
done

policy() { # NAME FILE: create, or update the rules of the existing one
  local name="$1" file="$HC_ROOT/deploy/consul/$2" id body
  body=$(jq -n --arg n "$name" --rawfile r "$file" '{Name: $n, Rules: $r}')
  id=$(consul_api "$url" "/v1/acl/policy/name/$name" 2>/dev/null | jq -r '.ID // empty' || true)
  if [ -n "$id" ]; then
    consul_api "$url" "/v1/acl/policy/$id" -X PUT --data-binary @- <<< "$body" > /dev/null
  else
    consul_api "$url" "/v1/acl/policy" -X PUT --data-binary @- <<< "$body" > /dev/null
  fi
}

token() { # SECRET_FILE POLICY DESCRIPTION: create unless a token with that secret exists
  local file="$HC_SECRETS/$1" policy="$2" description="$3"
  if curl -fsS -m 10 -o /dev/null -H @<(printf 'X-Consul-Token: %s\n' "$(cat "$file")") "$url/v1/acl/token/self" 2>/dev/null; then
    return 0
  fi
  jq -n --rawfile s "$file" --arg p "$policy" --arg d "$description" \
      '{SecretID: ($s | rtrimstr("\n")), Description: $d, Policies: [{Name: $p}]}' \
    | consul_api "$url" "/v1/acl/token" -X PUT --data-binary @- > /dev/null
}

policy agent agent-policy.hcl
policy replication replication-policy.hcl
policy hitcounter-node hitcounter-node-policy.hcl
policy prometheus prometheus-policy.hcl
token consul-agent.token agent "Consul agents of the local system"
token consul-replication.token replication "ACL replication of the secondary datacenters"
token consul-prometheus.token prometheus "Prometheus scraping the Consul agents' metrics"
while read -r dc; do
  token "node-$dc.token" hitcounter-node "hitcounter nodes of $dc"
done < "$HC_RUN/datacenters"
echo "consul-acl: policies and tokens in place ($(tr '\n' ' ' < "$HC_RUN/datacenters"))"
