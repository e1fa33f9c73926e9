#!/usr/bin/env bash
# fsync on every beanstalkd write against at most every 50 ms: for each setting, a fresh local
# system (2 nodes per datacenter), a warm-up, then RUNS runs of wrk (2 threads, 64 connections,
# SECONDS each) posting hits on 4 pages to node us-west-0 while the other three nodes run.
# Prints one line per run and the median of each setting. Usage: ops/fsync-bench.sh [RUNS] [SECONDS] (5, 10).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs="${1:-5}"; secs="${2:-10}"
bash "$HC_ROOT/ops/install-deps.sh" --bench >/dev/null
export HC_BENCH_LUA="$HC_ROOT/ops/bench"
trap 'bash "$HC_ROOT/ops/stop-local.sh" >/dev/null 2>&1 || true' EXIT
for fsync in 0 50; do
  bash "$HC_ROOT/ops/stop-local.sh" --wipe >/dev/null 2>&1 || true
  HC_FSYNC_MS=$fsync bash "$HC_ROOT/ops/start-local.sh" 2 >/dev/null
  # Warm-up: the JIT and a freshly started system settle for 30 s before anything counts.
  wrk -t2 -c64 -d30s -s "$HC_BENCH_LUA/post-few.lua" http://127.0.0.1:8080 >/dev/null
  rates=()
  for i in $(seq 1 "$runs"); do
    r=$(wrk -t2 -c64 -d"${secs}s" -s "$HC_BENCH_LUA/post-few.lua" http://127.0.0.1:8080 | awk '/Requests\/sec/ {printf "%.0f", $2}')
    echo "fsync-bench: -f $fsync run $i: $r hits/s"
    rates+=("$r")
  done
  median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "fsync-bench: -f $fsync: runs ${rates[*]}; median $median hits/s"
done
