#!/usr/bin/env bash
# The cost of a fold at a million pages (docs/benchmarks.md "A fold at a million pages"): the
# keeper's table holds 1M pages of its own datacenter and 1M of another; two folds that rewrite
# every shard, on a fake Consul that counts reads and writes, in a JVM with the heap the nodes
# get (-Xmx400m, serial GC, as ops/start-node.sh). Prints the figures (also in target/fold-cost.txt).
# Bounded: about a minute here; stops at 15 minutes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$HC_ROOT"
timeout 900 mvn -B -ntp -q test -Dtest=FoldCost -Dsurefire.failIfNoSpecifiedTests=false -DargLine="-Xmx400m -XX:+UseSerialGC" > /dev/null
cat target/fold-cost.txt
