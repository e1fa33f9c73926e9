"""Checks a chaos (or partition) run: every page the load generator saw acknowledged (200) is counted exactly
that many times on every node of every datacenter, give or take hits whose outcome the
generator could not know (broken connections, timeouts, 504). Reads each node's whole ranking
for the run's prefix through /api/pages (1,000 rows a request), not page by page.
Usage: chaos-check.py TRACK.json[,TRACK.json...] PREFIX URL... (several tracks: load generators
that ran side by side; their hits per page add up); exits non-zero on any loss, duplicate or
disagreement. Waits up to 180 s for the system to settle, and says how long it took.
With ALLOW_REPORTED_LOSS=1 (recovery runs), hits may be missing exactly as many as the first
node's /api/audit reports lost (taken by a rollback, held by no copy) since LOSS_BEFORE (its
figure before the event); that is reported, and anything else missing is a loss."""
import json, os, sys, time, urllib.request, urllib.parse

track = {"acked": 0, "unknown": 0, "pages": {}}
for f in sys.argv[1].split(","):
    t = json.load(open(f))
    track["acked"] += t["acked"]
    track["unknown"] += t["unknown"]
    for p, (a, un) in t["pages"].items():
        old = track["pages"].get(p, [0, 0])
        track["pages"][p] = [old[0] + a, old[1] + un]
prefix = sys.argv[2]
urls = sys.argv[3:]
pages = track["pages"]  # page -> [acked, unknown]
began = float(os.environ.get("SETTLE_FROM") or time.time())  # e.g. the moment of a heal


def ranking(url):
    out = {}
    cursor = None
    while True:
        q = f"{url}/api/pages?limit=1000&prefix={urllib.parse.quote(prefix)}" + (f"&cursor={cursor}" if cursor else "")
        with urllib.request.urlopen(q, timeout=60) as r:
            body = json.load(r)
        for row in body["pages"]:
            out[row["page"]] = row["total"]
        cursor = body["next"]
        if not cursor:
            return out


def sums():
    out = []
    for u in urls:
        q = f"{u}/api/pages?limit=1&prefix={urllib.parse.quote(prefix)}"
        with urllib.request.urlopen(q, timeout=10) as r:
            out.append(json.load(r)["matchingHits"])
    return out


def reported_loss():
    if not os.environ.get("ALLOW_REPORTED_LOSS"):
        return 0
    with urllib.request.urlopen(f"{urls[0]}/api/audit", timeout=10) as r:
        return sum(json.load(r).get("lost", {}).get("byDatacenter", {}).values())


loss_before = int(os.environ["LOSS_BEFORE"]) if os.environ.get("LOSS_BEFORE") else reported_loss()
acked_total = sum(a for a, un in pages.values())
unknown_total = sum(un for a, un in pages.values())
deadline = time.time() + 180
# First the cheap probe (one request per node): every node's sum over the run's pages agrees and
# covers every acknowledged hit. That moment is when it settled; the page-by-page comparison
# below (seconds per sweep over 100,000 pages) then checks it.
agreed = None
while time.time() < deadline:
    try:
        s = sums()
        allowed = reported_loss() - loss_before
        if len(set(s)) == 1 and acked_total - allowed <= s[0] <= acked_total + unknown_total:
            agreed = time.time()
            break
    except Exception:
        pass
    time.sleep(0.2)
while True:
    try:
        seen = {u: ranking(u) for u in urls}
    except Exception as e:
        seen = None
    allowed = reported_loss() - loss_before
    ok = seen is not None and all(
        sum(max(0, a - seen[u].get(p, 0)) for p, (a, un) in pages.items()) <= allowed for u in urls) and all(seen[u] == seen[urls[0]] for u in urls)
    settled = agreed if (ok and agreed) else time.time()
    if ok or settled > deadline:
        break
    time.sleep(0.5)

lost = dup = disagree = 0
counted = 0
for p, (a, un) in pages.items():
    totals = {seen[u].get(p, 0) for u in urls} if seen else {0}
    t = min(totals)
    disagree += len(totals) > 1
    lost += max(0, a - t)
    dup += max(0, t - a - un)
    counted += t
extra = set(seen[urls[0]]) - set(pages) if seen else set()
reported = reported_loss() - loss_before
print(f"chaos: acknowledged {track['acked']} over {len(pages)} distinct pages, counted {counted}, unknown-outcome {track['unknown']}, "
      f"missing {lost} (reported lost by the audit {reported}), duplicated {dup}, nodes disagreeing on {disagree} pages, "
      f"pages counted but never sent {len(extra)}; "
      f"settled {settled - began:.1f} s after {os.environ.get('SETTLE_FROM_WHAT') or 'the check began'}")
sys.exit(0 if lost == reported and dup == 0 and disagree == 0 and not extra else 1)
