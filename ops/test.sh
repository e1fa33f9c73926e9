#!/usr/bin/env bash
# The test command: installs what the tests need (beanstalkd, Consul 1.8.7, Chromium, Prometheus), checks
# and tests the Prometheus rules with promtool, then runs unit
# tests (surefire) and integration tests against real beanstalkd and Consul processes that the
# tests start on free loopback ports and stop (failsafe). .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash ops/install-deps.sh --test
# The alert and recording rules operators load (deploy/prometheus): valid, and each alert fires on
# its fault, stays quiet without it and carries its labels.
tools/bin/promtool check rules deploy/prometheus/hitcounter.rules.yml
(cd deploy/prometheus && ../../tools/bin/promtool test rules hitcounter.rules.test.yml)
exec mvn -B -ntp verify "$@"
