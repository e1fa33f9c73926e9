#!/usr/bin/env bash
# Prints the secure part of a Consul agent's configuration (HCL) for datacenter DC of the system
# in HC_RUN: ACLs (default deny, token replication, tokens from HC_RUN/secrets) and gossip
# encryption; with a TLS folder, TLS on RPC (servers verify incoming RPC; clients get their
# certificates by auto_encrypt). The file holds tokens: write it with mode 600.
# Usage: ops/consul-config.sh DC server|client [TLS_DIR SERVER_CERT_PREFIX]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -ge 2 ] || die "usage: ops/consul-config.sh DC server|client [TLS_DIR SERVER_CERT_PREFIX]"
dc="$1"; role="$2"; tls="${3:-}"; cert="${4:-}"
primary=$(primary_dc)
s() { tr -d '\n' < "$HC_SECRETS/$1"; }
echo "primary_datacenter = \"$primary\""
echo "encrypt = \"$(s consul-gossip.key)\""
echo "acl {"
echo "  enabled = true"
echo "  default_policy = \"deny\""
echo "  down_policy = \"extend-cache\""
echo "  enable_token_persistence = true"
[ "$role" = server ] && echo "  enable_token_replication = true"
echo "  tokens {"
if [ "$role" = server ] && [ "$dc" = "$primary" ]; then echo "    master = \"$(s consul-master.token)\""; fi
if [ "$role" = server ] && [ "$dc" != "$primary" ]; then echo "    replication = \"$(s consul-replication.token)\""; fi
echo "    agent = \"$(s consul-agent.token)\""
echo "  }"
echo "}"
if [ -n "$tls" ]; then
  echo "ca_file = \"$tls/consul-agent-ca.pem\""
  echo "verify_outgoing = true"
  echo "verify_server_hostname = true"
  if [ "$role" = server ]; then
    echo "cert_file = \"$tls/$cert.pem\""
    echo "key_file = \"$tls/$cert-key.pem\""
    echo "verify_incoming_rpc = true"
    echo "auto_encrypt { allow_tls = true }"
  else
    echo "auto_encrypt { tls = true }"
  fi
fi
