#!/usr/bin/env bash
# Measures distributed-configuration propagation on the running local system: CHANGES (default
# 100) writes of the colour setting, alternating between a us-west and an eu-west node; after
# each, the time until every node of every datacenter serves the new value in GET /api/config
# (polled every 5 ms). Prints p50, p99 and max. Loopback only, bounded (10 s per change).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
changes="${1:-100}"
token=$(cat "$HC_RUN/admin-token")
python3 - "$changes" "$token" <<'PY'
import json, sys, time, urllib.request
changes, token = int(sys.argv[1]), sys.argv[2]
writers = ["http://127.0.0.1:8080", "http://127.0.0.1:8180"]
readers = ["http://127.0.0.1:8080", "http://127.0.0.1:8081", "http://127.0.0.1:8180", "http://127.0.0.1:8181"]
def colour(u):
    with urllib.request.urlopen(f"{u}/api/config", timeout=2) as r:
        return json.load(r)["settings"]["colour"]["value"]
took = []
for i in range(changes):
    value = "#%06x" % (0x100000 + i * 7919 % 0xeffff)
    req = urllib.request.Request(f"{writers[i % 2]}/api/config/colour", data=json.dumps(value).encode(), method="PUT",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    t0 = time.perf_counter()
    urllib.request.urlopen(req, timeout=5).read()
    pending = set(readers)
    while pending and time.perf_counter() - t0 < 10:
        pending = {u for u in pending if colour(u) != value}
        if pending:
            time.sleep(0.005)
    took.append(time.perf_counter() - t0 if not pending else float("inf"))
took.sort()
p = lambda q: took[min(len(took) - 1, int(q * len(took)))]
print(f"config-bench: {changes} changes of colour, written alternately in us-west and eu-west, seen by all 4 nodes of both: "
      f"p50 {p(0.5)*1000:.0f} ms, p99 {p(0.99)*1000:.0f} ms, max {took[-1]*1000:.0f} ms")
PY
