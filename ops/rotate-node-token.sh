#!/usr/bin/env bash
# Rotates the node token of datacenter DC of the local system with no restart:
# ops/rotate-node-token.sh DC. A new token with the same policy is created in the primary, the
# token file the nodes read (HC_CONSUL_TOKEN_FILE) is replaced atomically, and the old token is
# deleted once every node had time to read the new one (they check the file every second).
# On real hosts the same three steps run against /etc/hitcounter/consul-token (docs/deploy.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -eq 1 ] || die "usage: ops/rotate-node-token.sh DC"
dc="$1"; dc_index "$dc" > /dev/null
file="$HC_SECRETS/node-$dc.token"
primary="http://127.0.0.1:$(consul_http_port 0)"
old_accessor=$(curl -fsS -m 10 -H @<(printf 'X-Consul-Token: %s\n' "$(cat "$file")") "$primary/v1/acl/token/self" | jq -r .AccessorID)
(umask 077; cat /proc/sys/kernel/random/uuid > "$file.new")
jq -n --rawfile s "$file.new" --arg d "hitcounter nodes of $dc (rotated $(date -u +%FT%TZ))" \
    '{SecretID: ($s | rtrimstr("\n")), Description: $d, Policies: [{Name: "hitcounter-node"}]}' \
  | consul_api "$primary" /v1/acl/token -X PUT --data-binary @- > /dev/null
mv "$file.new" "$file"
sleep 5
consul_api "$primary" "/v1/acl/token/$old_accessor" -X DELETE > /dev/null
echo "rotate-node-token: $dc's nodes use a new token; the old one ($old_accessor) is deleted"
