#!/usr/bin/env bash
# The test command: installs what the tests need (beanstalkd, Consul 1.8.7, Chromium), then runs unit
# tests (surefire) and integration tests against real beanstalkd and Consul processes that the
# tests start on free loopback ports and stop (failsafe). .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash ops/install-deps.sh --test
exec mvn -B -ntp verify "$@"
