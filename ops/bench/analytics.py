"""The analytics benchmark of ops/analytics-bench.sh (issue "What site owners expect of a
counter"), on a fresh local system whose nodes trust 127.0.0.1 as a proxy. Measured: the
cross-datacenter error of unique visitors at 300 and 10,000 visitors over HTTP (5 seeds, 60%
of the visitors in each datacenter) and at 1,000,000 through the same code offline; the hit
route with analytics on against off (wrk, a real User-Agent mix with 5% bots); node RSS under
that load; Consul bytes per hit on and off; what 100,000 pages a day hold in Consul; keys.
The table goes to docs/benchmarks.md between the ANALYTICS markers."""
import json, os, re, statistics, subprocess, sys, threading, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from driver import ROOT, RUN, JAR, NODES, SECS, jget, log, pid_of, publish, rss_mb, row, settle, store_keys, wrk, write_bytes, yes  # noqa: E402

TOKEN = open(f"{RUN}/admin-token").read().strip()
DATA = f"{ROOT}/ops/bench-data"
MIX = f"{RUN}/ua-mix.txt"
US = "http://127.0.0.1:8080,http://127.0.0.1:8081"
EU = "http://127.0.0.1:8180,http://127.0.0.1:8181"


def put_setting(name, value):
    req = urllib.request.Request(f"http://127.0.0.1:8080/api/config/{name}", method="PUT", data=json.dumps(value).encode())
    req.add_header("Authorization", f"Bearer {TOKEN}")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200
    # Every node applies it (distributed configuration, about a second).
    time.sleep(3)


def loadgen(*args):
    out = subprocess.run(["java", "-Xmx256m", "-cp", JAR, "hitcounter.tools.LoadGen", *args], capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("answered")][-1]
    m = re.search(r"answered (\d+).*200 (\d+), unknown (\d+)", line)
    return line, {"answered": int(m.group(1)), "ok": int(m.group(2)), "unknown": int(m.group(3))}


def mix():
    """1,900 real browser User-Agents and 100 real bot ones (5%), interleaved."""
    browsers = [l for l in open(f"{DATA}/browser-user-agents.txt").read().splitlines() if l]
    bots = [l for l in open(f"{DATA}/bot-user-agents.txt").read().splitlines() if l.strip()]
    out = []
    for i in range(2000):
        out.append(bots[(i // 20) * 21 % len(bots)] if i % 20 == 19 else browsers[i - i // 20])
    open(MIX, "w").write("\n".join(out) + "\n")
    return len(set(out)), sum(1 for i in range(2000) if i % 20 == 19)


def accuracy(n, seed):
    page = f"uniq-{n}-{seed}"
    cut = int(n * 0.6)
    rate = min(3000, cut)
    secs = cut / rate
    common = ["--pages", f"fixed:{page}", "--rate", str(rate), "--seconds", str(secs), "--conns", "32", "--seed", str(seed),
              "--user-agents", f"{DATA}/browser-user-agents.txt", "--visitors", str(cut)]
    results = []
    threads = [threading.Thread(target=lambda u, f: results.append(loadgen("--urls", u, "--visitor-from", str(f), *common)), args=(u, f))
               for u, f in ((US, 0), (EU, n - cut))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    ok = sum(r[1]["ok"] for r in results)
    settle(0, 0, 120)
    r = jget(f"http://127.0.0.1:8181/api/hits/{page}")
    return ok, r["uniques"]["total"], r["uniques"]["datacenters"], r["uniques"]["united"], r["total"]


def main():
    distinct, bots = mix()
    for port in NODES.values():
        t0 = time.time()
        while not jget(f"http://127.0.0.1:{port}/api/hits/warm-up")["uniques"]["united"]:
            if time.time() - t0 > 90:
                raise SystemExit("the datacenters did not agree on a visitor salt")
            time.sleep(0.5)

    log("uniques over HTTP")
    for n in (300, 10_000):
        errs, detail = [], []
        for seed in range(1, 6):
            ok, est, per_dc, united, total = accuracy(n, seed)
            errs.append(abs(est - n) / n)
            detail.append(f"{est}")
            log(f"n={n} seed={seed}: {ok} hits answered 200, total {total}, uniques {est} {per_dc} united={united}")
        med = statistics.median(errs)
        row(f"U{n}", f"unique visitors across both datacenters over HTTP: {n:,} visitors, 60% of them hitting us-west and 60% eu-west (LoadGen, X-Forwarded-For and a User-Agent each), 5 seeds",
            f"estimates {', '.join(detail)}; median error {100 * med:.2f}%", "≤ 2%", yes(med <= 0.02))
    out = subprocess.run(["java", "-Xmx1g", "-cp", JAR, "hitcounter.tools.UniquesAccuracy", "--visitors", "1000000", "--user-agents", f"{DATA}/browser-user-agents.txt"],
                         capture_output=True, text=True).stdout.strip()
    med = float(re.search(r"median ([\d.]+)%", out).group(1))
    row("U1M", "the same at 1,000,000 visitors, offline through the same code (VisitorHash, entry codec, sketch union: hitcounter.tools.UniquesAccuracy)", out.replace("|", "/"), "≤ 2%", yes(med <= 2))

    log("hit route with analytics on and off")
    os.environ["HC_BENCH_UAS"] = MIX
    rss_samples = []
    stop = threading.Event()

    def sample():
        pid = pid_of("us-west-0")
        while not stop.is_set():
            rss_samples.append(rss_mb(pid))
            time.sleep(1)
    # Warm both paths, then alternate on and off three times (this box is noisy): medians.
    put_setting("analytics", 0)
    wrk("post-mix.lua", "http://127.0.0.1:8080", 10)
    settle(0, 0, 120)
    put_setting("analytics", 1)
    wrk("post-mix.lua", "http://127.0.0.1:8080", 10)
    settle(0, 0, 120)
    sampler = threading.Thread(target=sample)
    sampler.start()
    runs = {0: [], 1: []}
    p99 = {0: [], 1: []}
    for mode in (1, 0, 1, 0, 1, 0):
        put_setting("analytics", mode)
        rps, pct = wrk("post-mix.lua", "http://127.0.0.1:8080")
        runs[mode].append(rps)
        p99[mode].append(float(pct["p99"]))
        log(f"analytics={mode}: {rps:.0f} hits/s, p99 {pct['p99']} ms")
        settle(0, 0, 120)
    stop.set()
    sampler.join()
    put_setting("analytics", 1)
    on, off = statistics.median(runs[1]), statistics.median(runs[0])
    row("A1", f"POST /api/hits on us-west-0 (wrk {SECS} s runs, 10,000 pages, {distinct:,} distinct real User-Agents of which {bots} bots (5%), 65,536 client addresses), analytics on against off (live setting analytics), alternated three times",
        f"on {', '.join(f'{x:.0f}' for x in runs[1])} hits/s, off {', '.join(f'{x:.0f}' for x in runs[0])}: medians {on:.0f} against {off:.0f} = {100 * on / off:.0f}%; p99 medians on {statistics.median(p99[1])} ms, off {statistics.median(p99[0])} ms",
        "≥ 85%", yes(on >= 0.85 * off))
    row("A2", "RSS of us-west-0 during those runs (sampled every second)", f"max {max(rss_samples)} MB", "≤ 400 MB", yes(max(rss_samples) <= 400))

    log("Consul bytes per hit, analytics on and off")
    res = {}
    for mode in (0, 1):
        put_setting("analytics", mode)
        b0 = write_bytes()
        line, lg = loadgen("--urls", US + "," + EU, "--pages", f"walk:100000:{11 + mode}", "--rate", "3000", "--seconds", "30", "--conns", "256",
                           "--user-agents", MIX, "--visitors", "50000", "--seed", str(3 + mode))
        settle(0, 0, 120)
        res[mode] = (write_bytes() - b0) / max(1, lg["ok"])
        log(f"analytics={mode}:", line)
    row("A3", "Consul request bytes per hit (writes of all nodes: commits, folds, copies), 90,000 hits over 100,000 pages at 3,000/s, 50,000 visitors, the User-Agent mix",
        f"analytics on {res[1]:.0f} B/hit, off {res[0]:.0f} B/hit ({100 * res[1] / res[0]:.0f}%)",
        "≤ the count store's budget (300 B/hit) + 20% = 360 B/hit", yes(res[1] <= 360))

    for visits in (1_000_000, 10_000_000):
        out = subprocess.run(["java", "-Xmx2g", "-cp", JAR, "hitcounter.tools.AnalyticsFootprint", "--pages", "100000", "--visits", str(visits)],
                             capture_output=True, text=True).stdout.strip()
        per_consul = float(re.search(r"([\d.]+) MB per Consul", out).group(1))
        row(f"A4-{visits // 1_000_000}M", f"steady state with 100,000 pages hit every day, {visits:,} page visits a day (Zipf), 90 days kept (hitcounter.tools.AnalyticsFootprint)",
            out, "≤ 200 MB per datacenter", yes(per_consul <= 200))
    keys = {dc: store_keys(dc) for dc in ("us-west", "eu-west")}
    row("A5", "keys under hitcounter/ per datacenter after the run", ", ".join(f"{dc} {k}" for dc, k in keys.items()), "≤ 100,000", yes(max(keys.values()) <= 100_000))

    publish("ANALYTICS", f"bash ops/analytics-bench.sh {SECS}", "analytics-bench.txt",
            "load generators on the same machine as the four nodes, four beanstalkds and both Consul servers", "Analytics (unique visitors, series, bots)")


if __name__ == "__main__":
    main()
