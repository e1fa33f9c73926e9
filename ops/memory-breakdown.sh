#!/usr/bin/env bash
# Where a node's memory goes with 1,000,000 URL paths counted in each of the two datacenters,
# analytics on (issue 28): starts a fresh local system (run/ wiped; refused while one runs) (2 nodes per datacenter, Native Memory
# Tracking on), counts every path of PageIds' walk once in us-west and once in eu-west
# (LoadGen, open loop), waits until us-west-0's table holds them, then reads us-west-0: live
# heap after a full GC and its largest classes (jcmd GC.class_histogram), Native Memory
# Tracking's summary, RSS, and the table's own byte count (/api/audit). Writes
# target/memory-breakdown.txt and stops what it started. About 20 minutes; loopback only.
# Usage: ops/memory-breakdown.sh [PAGES] [RATE per datacenter] (default 1000000 1400); the
# nodes' JVM settings are ops/start-node.sh's unless HC_JAVA_OPTS says others (3M pages need
# HC_JAVA_OPTS with a larger -Xmx: docs/benchmarks.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pages="${1:-1000000}"
rate="${2:-1400}"
export HC_EXTRA_JAVA_OPTS="-XX:NativeMemoryTracking=summary"
fresh_local_system
out="$HC_ROOT/target/memory-breakdown.txt"
mkdir -p "$HC_ROOT/target"
secs=$(( pages / rate + 1 ))
load() { # URLS
  timeout $(( secs * 3 + 120 )) java -Xmx512m -cp "$HC_JAR" hitcounter.tools.LoadGen --urls "$1" --rate "$rate" --seconds "$secs" \
    --pages "walk:$pages:7" --kind path --conns 64 --max-seconds $(( secs * 3 ))
}
load http://127.0.0.1:8080,http://127.0.0.1:8081 > "$HC_RUN/memory-load-us.txt" &
us=$!
load http://127.0.0.1:8180,http://127.0.0.1:8181 > "$HC_RUN/memory-load-eu.txt" &
eu=$!
wait "$us" "$eu"
pid=$(cat "$HC_RUN/nodes/us-west-0/node.pid")
audit() { curl -fsS -m 10 http://127.0.0.1:8080/api/audit; }
for i in $(seq 1 120); do
  # Settled: both datacenters' sums hold every path, and nothing accepted is still uncounted
  # (counted may pass accepted by hits answered 504 that were queued after all: .totals.unknown).
  t=$(audit | jq '[.table.byDatacenter["us-west"], .table.byDatacenter["eu-west"], .totals.gap, .totals.unknown]' -c 2>/dev/null || echo '[0,0,1,0]')
  echo "settling: sums us-west, eu-west, gap and unknown $t"
  [ "$(jq '.[0] >= '"$pages"' and .[1] >= '"$pages"' and .[2] <= 0 and -.[2] <= .[3]' <<< "$t")" = true ] && break
  sleep 5
done
{
  echo "# ops/memory-breakdown.sh $pages $rate, $(date -u +%FT%TZ), us-west-0 (pid $pid)"
  echo "## JVM"; jcmd "$pid" VM.command_line | grep -E '^jvm_args'
  echo "## load"; cat "$HC_RUN/memory-load-us.txt" "$HC_RUN/memory-load-eu.txt"
  echo "## table"; audit | jq -c '.table'
  jcmd "$pid" GC.run > /dev/null; sleep 2
  echo "## heap after a full GC"; jcmd "$pid" GC.heap_info
  jcmd "$pid" GC.class_histogram > "$HC_ROOT/target/memory-histogram.txt"
  echo "## largest classes (the whole histogram: target/memory-histogram.txt)"; head -30 "$HC_ROOT/target/memory-histogram.txt"
  echo "## live objects in all"; tail -1 "$HC_ROOT/target/memory-histogram.txt"
  echo "## native memory"; jcmd "$pid" VM.native_memory summary
  echo "## RSS"; grep -E 'VmRSS|VmHWM' "/proc/$pid/status"
  echo "## metrics"; curl -fsS http://127.0.0.1:8080/metrics | grep -E '^jvm_gc_(live|max)_data_size_bytes|^jvm_memory_used_bytes'
} > "$out" 2>&1
echo "memory-breakdown: $out"
