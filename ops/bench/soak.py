"""The two-hour soak of issue 28, run by `ops/soak.sh [SECONDS]` on a fresh local system (two
datacenters, two nodes each, the nodes trusting 127.0.0.1 as a proxy):
- 2,000 hits/s over the four nodes (LoadGen, open loop, 256 connections), URL paths of a walk
  over 100,000 paths (PageIds.path) from a fixed set of 10,000 visitors: request j hits path
  walk(j mod 100,000) as visitor j mod 10,000, so every path keeps one visitor and the sketches
  stop growing once each path has been hit;
- a 5-minute warm-up, then 10-minute windows (one LoadGen run each, its first 10 s not timed):
  p99 from the intended send time per window, and the nodes' own hit-route p99 per window;
- every minute, each node's live heap after a full collection (`jcmd GC.run`, then
  jvm_gc_live_data_size_bytes) and RSS, and each Consul's data directory size and key count;
- at the end, every acknowledged hit counted exactly once on every node, page by page.
Writes the summary and the samples into docs/reliability.md between the SOAK markers (and into
run/soak.md). Python standard library only."""
import json, os, re, subprocess, sys, threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from driver import CONSUL, NODES, ROOT, RUN, jget, loadgen, log, metrics, pid_of, rss_mb, settle, store_keys  # noqa: E402
from tail import quantile, route_histogram  # noqa: E402

SECS = int(sys.argv[1]) if len(sys.argv) > 1 else 7200
RATE, PATHS, VISITORS, CONNS = 2000, 100_000, 10_000, 256
WARMUP, WINDOW = (300, 600) if SECS >= 1500 else (60, 120)
WINDOWS = max(2, (SECS - WARMUP) // WINDOW)
URLS = ",".join(f"http://127.0.0.1:{p}" for p in NODES.values())
ROUTE = 'uri="/api/hits?path"'  # a substring of the labels (tail.route_histogram)
samples = []
stop = threading.Event()


def live_mb(node):
    subprocess.run(["jcmd", pid_of(node), "GC.run"], capture_output=True, timeout=60)
    m = metrics(NODES[node])
    return next(v for k, v in m.items() if k.startswith("jvm_gc_live_data_size_bytes")) / 1e6


def consul_bytes(dc):
    out = subprocess.run(["du", "-sb", f"{RUN}/consul-{dc}/data"], capture_output=True, text=True).stdout
    return int(out.split()[0])


def sample(t0):
    s = {"min": round((time.time() - t0) / 60, 1), "live": {}, "rss": {}, "consul_mb": {}, "keys": {}}
    for n in NODES:
        s["live"][n] = round(live_mb(n), 1)
        s["rss"][n] = rss_mb(pid_of(n))
    for dc in CONSUL:
        s["consul_mb"][dc] = round(consul_bytes(dc) / 1e6, 1)
        s["keys"][dc] = store_keys(dc)
    samples.append(s)
    log("sample", json.dumps(s))


def sampler(t0):
    while not stop.is_set():
        try:
            sample(t0)
        except Exception as e:  # a sample that fails is said, and the next minute tries again
            log("sample failed:", e)
        stop.wait(60 - (time.time() - t0) % 60)


def run(secs, track):
    h0 = route_histogram(match=ROUTE)
    line, lg = loadgen("--urls", URLS, "--rate", str(RATE), "--seconds", str(secs), "--pages", f"walk:{PATHS}:7", "--kind", "path",
                       "--visitors", str(VISITORS), "--conns", str(CONNS), "--warmup", "10", "--track", track)
    h1 = route_histogram(match=ROUTE)
    lg["route_p99"] = quantile(h0, h1, 0.99)
    log(line)
    return lg


def page_of(sent):
    """The page a node counts for what LoadGen sent (percent-encoded path, maybe ?utm_source, maybe &ref): the
    referrer and tracking parameters go, and the trailing slash (the default site's rules)."""
    p = urllib.parse.unquote(sent.split("&", 1)[0]).split("?", 1)[0]
    return p[:-1] if len(p) > 1 and p.endswith("/") else p


def ranking(port):
    out, cursor = {}, None
    while True:
        q = f"http://127.0.0.1:{port}/api/pages?limit=1000&prefix=/" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        body = jget(q, 60)
        for row in body["pages"]:
            out[row["page"]] = row["total"]
        cursor = body.get("next")
        if not cursor:
            return out


def check(tracks):
    acked, unknown = {}, {}
    for f in tracks:
        t = json.load(open(f))
        for p, (a, u) in t["pages"].items():
            k = page_of(p)
            acked[k] = acked.get(k, 0) + a
            unknown[k] = unknown.get(k, 0) + u
    out = {}
    for n, port in NODES.items():
        got = ranking(port)
        lost = sum(max(0, acked[k] - got.get(k, 0)) for k in acked)
        extra = sum(max(0, got.get(k, 0) - acked[k] - unknown[k]) for k in acked) + sum(v for k, v in got.items() if k not in acked)
        out[n] = {"pages": len(got), "counted": sum(got.values()), "lost": lost, "extra": extra}
    return sum(acked.values()), sum(unknown.values()), out


def slope(points):
    """Least-squares slope of (minute, MB) points, in MB per hour."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return 60 * sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def main():
    os.makedirs(f"{RUN}/soak", exist_ok=True)
    t0 = time.time()
    threading.Thread(target=sampler, args=(t0,), daemon=True).start()
    log(f"soak: {SECS} s: warm-up {WARMUP} s, then {WINDOWS} windows of {WINDOW} s at {RATE}/s")
    tracks = [f"{RUN}/soak/track-warmup.json"]
    warm = run(WARMUP, tracks[0])
    windows = []
    for i in range(WINDOWS):
        tracks.append(f"{RUN}/soak/track-{i}.json")
        windows.append(run(WINDOW, tracks[-1]))
    stop.set()
    took, _ = settle(0, 0, 300)
    sample(t0)
    total, unknown, counted = check(tracks)
    steady = [s for s in samples if s["min"] >= 20] or samples
    growth = {n: slope([(s["min"], s["live"][n]) for s in steady]) for n in NODES}
    first, last = windows[0], windows[-1]
    p99_ok = last["p99"] <= 1.5 * first["p99"]
    once = all(c["lost"] == 0 and c["extra"] == 0 for c in counted.values())
    a, b = steady[0], samples[-1]
    lines = [
        f"Measured {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime(t0))} to {time.strftime('%H:%MZ', time.gmtime())} by "
        f"`bash ops/soak.sh {SECS}` on this 2-core box (four nodes, four beanstalkds, two Consul servers and the generator on two cores; "
        f"heaps as ops/start-node.sh sets them).", "",
        "| what | result | target | met |", "| --- | --- | --- | --- |",
        f"| load | {RATE}/s over the four nodes for {WARMUP + WINDOWS * WINDOW} s (warm-up {WARMUP} s, then {WINDOWS} windows of {WINDOW} s), "
        f"walk over {PATHS:,} URL paths, {VISITORS:,} visitors; {total:,} acknowledged, {unknown:,} of unknown outcome | | |",
        f"| live heap growth after minute 20 (least squares over {len(steady)} samples, MB/hour) | "
        + ", ".join(f"{n} {g:+.1f}" for n, g in growth.items()) + " | < 5 MB/hour | " + ("yes" if all(g < 5 for g in growth.values()) else "no") + " |",
        f"| p99 from the intended send time: first window after warm-up, last window (route p99 on the nodes) | "
        f"{first['p99']} ms ({first['route_p99']} ms), {last['p99']} ms ({last['route_p99']} ms); every window: "
        + ", ".join(str(w["p99"]) for w in windows) + " | last ≤ 1.5 × first | " + ("yes" if p99_ok else "no") + " |",
        "| every acknowledged hit counted once on every node, page by page | "
        + "; ".join(f"{n}: {c['pages']:,} pages, {c['counted']:,} counted, {c['lost']} lost, {c['extra']} extra" for n, c in counted.items())
        + (f"; settled {took:.1f} s after the load" if took is not None else "; did not settle in 300 s") + " | none lost, none twice | " + ("yes" if once else "no") + " |",
        f"| Consul data directory (MB) and keys under hitcounter/, minute {a['min']} → end | "
        + ", ".join(f"{dc} {a['consul_mb'][dc]} → {b['consul_mb'][dc]} MB, {a['keys'][dc]} → {b['keys'][dc]} keys" for dc in CONSUL) + " | flat | |",
        "", "Samples (live heap after a full collection and RSS in MB per node, Consul data MB and keys per datacenter):", "",
        "| minute | " + " | ".join(f"{n} live / RSS" for n in NODES) + " | " + " | ".join(f"{dc} Consul MB / keys" for dc in CONSUL) + " |",
        "|" + " --- |" * (1 + len(NODES) + len(CONSUL)),
    ]
    for s in samples:
        lines.append(f"| {s['min']} | " + " | ".join(f"{s['live'][n]} / {s['rss'][n]}" for n in NODES) + " | "
                     + " | ".join(f"{s['consul_mb'][dc]} / {s['keys'][dc]}" for dc in CONSUL) + " |")
    out = "\n".join(lines) + "\n"
    open(f"{RUN}/soak.md", "w").write(out)
    doc = f"{ROOT}/docs/reliability.md"
    text = open(doc).read()
    block = "<!-- SOAK -->\n" + out + "<!-- /SOAK -->"
    if "<!-- SOAK -->" in text:
        text = re.sub(r"<!-- SOAK -->.*<!-- /SOAK -->", block.replace("\\", "\\\\"), text, flags=re.S)
    else:
        text += "\n## Two-hour soak (issue 28)\n\n" + block + "\n"
    open(doc, "w").write(text)
    print(out)


if __name__ == "__main__":
    main()
