"""The benchmark run of ops/bench.sh, on a fresh local system (us-west and eu-west, two nodes
each), load generators on the same 2-core machine. Each phase prints what it measured; the
table goes to docs/benchmarks.md between the BENCH markers. Python standard library only."""
import json, os, re, subprocess, sys, time, urllib.request

ROOT = os.environ["HC_ROOT"]
RUN = os.environ["HC_RUN"]
JAR = os.environ["HC_JAR"]
SECS = int(os.environ.get("BENCH_SECS", "15"))
NODES = {"us-west-0": 8080, "us-west-1": 8081, "eu-west-0": 8180, "eu-west-1": 8181}
CONSUL = {"us-west": 8500, "eu-west": 8510}
URLS = ",".join(f"http://127.0.0.1:{p}" for p in NODES.values())
rows = []
notes = []


def log(*a):
    print("bench:", time.strftime("%H:%M:%S"), *a, flush=True)


def consul_token():
    """The operator token of the local Consul (ACLs deny by default), from run/secrets."""
    try:
        with open(os.path.join(RUN, "secrets", "consul-master.token")) as f:
            return f.read().strip()
    except OSError:
        return None


def get(url, timeout=10):
    req = urllib.request.Request(url)
    if "/v1/" in url and consul_token():
        req.add_header("X-Consul-Token", consul_token())
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def jget(url, timeout=10):
    return json.loads(get(url, timeout))


def metrics(port):
    out = {}
    for line in get(f"http://127.0.0.1:{port}/metrics").decode().splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def msum(regex, ports=NODES.values()):
    r = re.compile(regex)
    return sum(v for p in ports for k, v in metrics(p).items() if r.match(k))


def write_bytes():
    """Request bytes the nodes sent to Consul for writes (transactions with a write, puts)."""
    return msum(r'hitcounter_consul_request_bytes_total\{[^}]*kind="(txn|put)"')


def raft_index(dc):
    s = jget(f"http://127.0.0.1:{CONSUL[dc]}/v1/agent/self")
    return int(s["Stats"]["raft"]["last_log_index"])


def consul_disk(dc):
    pid = open(f"{RUN}/consul-{dc}/consul.pid").read().strip()
    for line in open(f"/proc/{pid}/io"):
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def pid_of(node):
    return open(f"{RUN}/nodes/{node}/node.pid").read().strip()


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
    return 0


def cpu_ticks(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


def wrk(script, url, secs=SECS, conns=64):
    env = dict(os.environ, HC_BENCH_LUA=f"{ROOT}/ops/bench")
    out = subprocess.run(["wrk", f"-t{min(2, conns)}", f"-c{conns}", f"-d{secs}s", "-s", f"{ROOT}/ops/bench/{script}", url],
                         capture_output=True, text=True, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = dict(re.findall(r"(p50|p99|p999|errors|non2xx)=([\d.]+)", out))
    return rps, pct


def loadgen(*args):
    out = subprocess.run(["java", "-Xmx512m", "-cp", JAR, "hitcounter.tools.LoadGen", *args], capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("answered")][-1]
    m = re.search(r"answered (\d+) \(([\d.]+)/s over ([\d.]+) s.*200 (\d+), unknown (\d+).*p50 ([\d.]+) p90 ([\d.]+) p99 ([\d.]+) p99.9 ([\d.]+) max ([\d.]+) ms; load generator CPU (\d+)%", line)
    keys = ["answered", "rate", "elapsed", "ok", "unknown", "p50", "p90", "p99", "p999", "max", "cpu"]
    out = dict(zip(keys, [float(x) for x in m.groups()]))
    # The same requests timed from when they went out (the generator's own queue left out).
    s = re.search(r"from send p50 ([\d.]+) p99 ([\d.]+) p99.9 ([\d.]+) max ([\d.]+) ms", line)
    if s:
        out.update(zip(["send_p50", "send_p99", "send_p999", "send_max"], [float(x) for x in s.groups()]))
    return line, out


def audits():
    return {n: jget(f"http://127.0.0.1:{p}/api/audit", 60) for n, p in NODES.items()}


def settle(acked_before, acked_now, limit=300):
    """Seconds from now until every queue is empty, every node's audit shows as many hits
    counted as accepted, and the four tables agree (or None)."""
    t0 = time.time()
    while time.time() - t0 < limit:
        try:
            ready = msum(r'hitcounter_queue_jobs\{[^}]*state="(ready|reserved)"')
            a = audits()
            tables = {json.dumps(x["table"]["byDatacenter"], sort_keys=True) for x in a.values()}
            totals = [x["totals"] for x in a.values()]
            if ready == 0 and len(tables) == 1 and all(t["counted"] >= t["accepted"] for t in totals):
                return time.time() - t0, a
        except Exception as e:
            pass
        time.sleep(0.25)
    return None, audits()


def store_keys(dc):
    keys = jget(f"http://127.0.0.1:{CONSUL[dc]}/v1/kv/hitcounter/?keys", 30)
    return len(keys)


def row(n, what, result, target="", met=""):
    rows.append(f"| {n} | {what} | {result} | {target} | {met} |")
    log(f"{n} {what}: {result} {('[' + met + ']') if met else ''}")


def yes(b):
    return "yes" if b else "no"


def heavy_load(name, pages, hits, rate):
    """Offers `hits` hits over `pages` to the four nodes at `rate`/s (open loop), then lets the
    system settle; returns the measurements of the phase."""
    b0, r0, d0 = write_bytes(), {dc: raft_index(dc) for dc in CONSUL}, {dc: consul_disk(dc) for dc in CONSUL}
    t0 = time.time()
    # URL paths as count.js sends them (hitcounter.tools.PageIds.path: mean ~60 bytes, 10% with
    # non-ASCII words, 1% up to 1 KiB; a fifth with a referrer, one in twenty with utm_source).
    line, lg = loadgen("--urls", URLS, "--rate", str(rate), "--seconds", str(hits / rate), "--pages", pages, "--conns", "128", "--kind", "path")
    t1 = time.time()
    r1 = {dc: raft_index(dc) for dc in CONSUL}
    log(name, line)
    drained, a = settle(0, 0)
    b1, r2, d1 = write_bytes(), {dc: raft_index(dc) for dc in CONSUL}, {dc: consul_disk(dc) for dc in CONSUL}
    acked = lg["ok"]
    return {
        "line": line, "lg": lg, "acked": acked, "load_secs": t1 - t0, "drained": drained, "audit": a,
        "bytes_per_hit": (b1 - b0) / max(1, acked), "request_bytes": b1 - b0,
        "writes_per_s": {dc: (r1[dc] - r0[dc]) / (t1 - t0) for dc in CONSUL},
        "writes_total": {dc: r2[dc] - r0[dc] for dc in CONSUL},
        "disk": {dc: d1[dc] - d0[dc] for dc in CONSUL},
    }


def main():
    pids = {n: pid_of(n) for n in NODES}
    log("at rest: 60 s measured after 2 minutes up")
    import idle
    rest_rss = {n: rss_mb(p) for n, p in pids.items()}
    boot_up = float(open("/proc/uptime").read().split()[0])
    up = min(boot_up - int(open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK") for p in pids.values())
    quiet = idle.measure(max(0, int(120 - up)), 60)
    row("11", "an idle node, 60 s measured after 2 minutes up: CPU of a core; Consul requests per second that do not wait (blocking watches apart), by kind",
        "; ".join(f"{n} {q['cpu']:.1f}%, {q['non_blocking']:.2f}/s ({', '.join(f'{k} {v:.2f}' for k, v in sorted(q['rates'].items()) if k != 'blocking_read')}; blocking {q['rates'].get('blocking_read', 0):.1f}/s)" for n, q in quiet.items()),
        "≤ 1% of a core, ≤ 3/s per node", yes(all(q["cpu"] <= 1 and q["non_blocking"] <= 3 for q in quiet.values())))
    rest = {n: q["cpu"] for n, q in quiet.items()}

    log("warm-up")
    wrk("ping.lua", "http://127.0.0.1:8080/api/ping", 10)
    # JIT: the hit route's code is compiled after about half a minute of hits, not ten seconds.
    wrk("post-few.lua", "http://127.0.0.1:8080", 30)
    settle(0, 0, 120)
    ping, ping_p = wrk("ping.lua", "http://127.0.0.1:8080/api/ping")
    row(1, "ceiling: wrk GET /api/ping, node us-west-0", f"{ping:.0f} req/s; p50 {ping_p['p50']} ms, p99 {ping_p['p99']} ms")
    few, few_p = wrk("post-few.lua", "http://127.0.0.1:8080")
    row("2a", "POST /api/hits, 4 pages, node us-west-0 (wrk), the other three nodes running", f"{few:.0f} hits/s ({100 * few / ping:.0f}% of ping); p50 {few_p['p50']} ms, p99 {few_p['p99']} ms; errors {few_p['errors']}, non-2xx {few_p['non2xx']}",
        "≥ 60% of ping", yes(few >= 0.6 * ping))
    settle(0, 0, 120)
    # Latency at half the maximum, on the system the maximum was measured on (before the
    # million-page phases fill the tables and the heap).
    half = int(few / 2)
    _, lp = loadgen("--urls", "http://127.0.0.1:8080", "--method", "GET", "--path", "/api/ping", "--pages", "fixed:", "--rate", str(half), "--seconds", str(SECS), "--conns", "64", "--warmup", "3")
    line, lh = loadgen("--urls", "http://127.0.0.1:8080", "--pages", "fixed:bench-rate", "--rate", str(half), "--seconds", str(SECS), "--conns", "64", "--warmup", "3")
    row("3", f"open loop at half the 4-page maximum ({half}/s, LoadGen: one event loop, latency from the intended send time), node us-west-0",
        f"hits p50 {lh['p50']} ms, p99 {lh['p99']} ms, p99.9 {lh['p999']} ms; ping at the same rate p50 {lp['p50']} ms, p99 {lp['p99']} ms; generator CPU {lh['cpu']:.0f}% of a core",
        "p99 ≤ 2× ping's p99 and ≤ 10 ms", yes(lh["p99"] <= 10 and lh["p99"] <= 2 * lp["p99"]))
    # The generator checked against wrk at a rate both sustain: wrk with one connection on ping
    # (closed loop: one request at a time, a rate well below the route's ceiling), then LoadGen
    # open loop at 90% of that rate.
    wr, wp = wrk("ping.lua", "http://127.0.0.1:8080/api/ping", 10, conns=1)
    _, lw = loadgen("--urls", "http://127.0.0.1:8080", "--method", "GET", "--path", "/api/ping", "--pages", "fixed:", "--rate", str(int(wr * 0.9)), "--seconds", "10", "--conns", "16", "--warmup", "3")
    row("12", "LoadGen against wrk: GET /api/ping, wrk with 1 connection (closed loop), then LoadGen open loop at 90% of the rate wrk reached",
        f"wrk {wr:.0f}/s p50 {wp['p50']} ms p99 {wp['p99']} ms; LoadGen {lw['rate']:.0f}/s p50 {lw['p50']} ms p99 {lw['p99']} ms, its own CPU {lw['cpu']:.0f}% of a core")
    settle(0, 0, 120)

    log("1M distinct pages, uniform: every hit a new page")
    u = heavy_load("uniform", "walk:1000000:7", 1_000_000, 4000)
    t = next(iter(u["audit"].values()))["table"]
    row("5", f"1,000,000 distinct URL paths (POST /api/hits?path=…: mean ~60 bytes of UTF-8, 10% non-ASCII, 1% up to 1 KiB; a fifth with a referrer), uniform, offered over 4 nodes at 4,000/s (LoadGen, open loop)",
        f"{u['acked']:.0f} acknowledged in {u['load_secs']:.0f} s ({u['acked'] / u['load_secs']:.0f}/s); {t['pages']} pages in every table; "
        f"all 4 nodes identical {json.dumps(t['byDatacenter'])}; backlog drained {u['drained']:.1f} s after the load" if u["drained"] is not None else "did not settle",
        "every hit counted in both DCs, identical, drained ≤ 5 s", yes(u["drained"] is not None and u["drained"] <= 5))
    row("5b", "Consul request bytes per hit, uniform (writes: commits, folds, copies, heartbeats, audit; all nodes)",
        f"{u['bytes_per_hit']:.0f} B/hit ({u['request_bytes'] / 1e6:.1f} MB for {u['acked']:.0f} hits)", "≤ 360 B (analytics and referrers on)", yes(u["bytes_per_hit"] <= 360))
    row("5c", "Consul write requests per datacenter during the uniform load (Raft log entries: local commits, folds, incoming copies)",
        ", ".join(f"{dc} {v:.0f}/s" for dc, v in u["writes_per_s"].items()), "≤ 150/s", yes(max(u["writes_per_s"].values()) <= 150))
    row("5d", "Consul's own disk writes against the bytes sent to it, uniform phase",
        ", ".join(f"{dc} {u['disk'][dc] / 1e6:.0f} MB written" for dc in CONSUL) + f" for {u['request_bytes'] / 1e6:.0f} MB of write requests from all nodes")

    rss = {n: rss_mb(p) for n, p in pids.items()}
    tops = []
    for i in range(20):
        s = time.time()
        get("http://127.0.0.1:8081/api/pages?limit=100", 30)
        tops.append((time.time() - s) * 1000)
    tops.sort()
    row("8", "node RSS with 1M pages × 2 datacenters in its view, analytics on (heap -Xmx400m, serial GC); GET /api/pages top 100",
        f"RSS MB {', '.join(f'{n} {v}' for n, v in rss.items())}; table {t['bytes'] / 1e6:.0f} MB; /api/pages p50 {tops[10]:.0f} ms, max {tops[-1]:.0f} ms",
        "RSS ≤ 512 MB; top 100 ≤ 50 ms", yes(max(rss.values()) <= 512 and tops[10] <= 50))

    onem, onem_p = wrk("post-1m.lua", "http://127.0.0.1:8080")
    few2, few2_p = wrk("post-few.lua", "http://127.0.0.1:8080")
    row("2b", "POST /api/hits over 1M pages, node us-west-0 (wrk), the tables holding 1M pages",
        f"{onem:.0f} hits/s against {few2:.0f}/s for 4 pages right after: {100 * onem / few2:.0f}%; p99 {onem_p['p99']} ms", "≥ 80% of the 4-page rate",
        yes(onem >= 0.8 * few2))
    settle(0, 0, 120)

    log("Zipf over 1M pages")
    z = heavy_load("zipf", "zipf:1000000:1.0", 600_000, 4000)
    tz = next(iter(z["audit"].values()))["table"]
    row("6", "Zipf (s = 1.0) over 1,000,000 URL paths, 600,000 hits offered over 4 nodes at 4,000/s",
        f"{z['acked']:.0f} acknowledged in {z['load_secs']:.0f} s; all 4 nodes identical; backlog drained {z['drained']:.1f} s after" if z["drained"] is not None else "did not settle",
        "drained ≤ 5 s", yes(z["drained"] is not None and z["drained"] <= 5))
    row("6b", "Consul request bytes per hit, Zipf", f"{z['bytes_per_hit']:.0f} B/hit", "≤ 100 B", yes(z["bytes_per_hit"] <= 100))

    log("write rate at X and 2X")
    x = heavy_load("1x", "uniform:1000000", 45_000, 1500)
    xx = heavy_load("2x", "uniform:1000000", 90_000, 3000)
    w1 = max(x["writes_per_s"].values())
    w2 = max(xx["writes_per_s"].values())
    row("7", "Consul writes per datacenter at 1,500 hits/s and at 3,000 hits/s offered (30 s each, uniform over 1M URL paths)",
        f"{w1:.0f}/s and {w2:.0f}/s ({w2 / max(1, w1):.2f}×)", "≤ 150/s, ≤ 1.5× when the rate doubles", yes(w2 <= 150 and w2 <= 1.5 * w1))


    log("end to end, 100,000 hits")
    page = f"bench-e2e-{int(time.time())}"
    line, le = loadgen("--urls", "http://127.0.0.1:8080", "--pages", f"fixed:{page}", "--rate", str(min(20000, int(few))), "--seconds", str(100000 / min(20000, int(few))), "--conns", "128")
    acked_at = time.time()
    seen = {}
    while len(seen) < 2 and time.time() - acked_at < 60:
        for dc, port in (("us-west", 8081), ("eu-west", 8181)):
            if dc not in seen and jget(f"http://127.0.0.1:{port}/api/hits/{page}")["total"] >= le["ok"]:
                seen[dc] = time.time() - acked_at
        time.sleep(0.05)
    row(4, f"end to end: {le['ok']:.0f} hits acknowledged on us-west-0 at {le['rate']:.0f}/s",
        f"us-west shows all {seen.get('us-west', -1):.2f} s and eu-west {seen.get('eu-west', -1):.2f} s after the last acknowledgement",
        "within 5 s", yes(len(seen) == 2 and max(seen.values()) <= 5))

    keys = {dc: store_keys(dc) for dc in CONSUL}
    row("9", "keys under hitcounter/ per datacenter after the run (1M pages from both datacenters)", ", ".join(f"{dc} {k}" for dc, k in keys.items()), "≤ 100,000", yes(max(keys.values()) <= 100_000))
    row("10", "nodes at rest (before the load): CPU of a core, RSS", ", ".join(f"{n} {rest[n]:.1f}% {rest_rss[n]} MB" for n in NODES))

    publish("BENCH", f"bash ops/bench.sh {SECS}", "bench.txt",
            "load generators (wrk, LoadGen) on the same machine as the four nodes, four beanstalkds and both Consul servers")


def publish(marker, command, name, setting, section=None):
    """Writes the rows measured into run/NAME and into docs/benchmarks.md between the MARKER
    comments (appended under SECTION when the doc has none yet), and prints them."""
    table = "\n".join(["| # | what | result | target | met |", "| --- | --- | --- | --- | --- |"] + rows)
    head = f"Measured {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())} by `{command}` on this 2-core box: {setting}."
    out = head + "\n\n" + table + "\n"
    open(f"{RUN}/{name}", "w").write(out)
    doc = f"{ROOT}/docs/benchmarks.md"
    text = open(doc).read()
    block = f"<!-- {marker} -->\n" + out + f"<!-- /{marker} -->"
    if f"<!-- {marker} -->" in text:
        text = re.sub(f"<!-- {marker} -->.*<!-- /{marker} -->", block.replace("\\", "\\\\"), text, flags=re.S)
    else:
        text += f"\n## {section}\n\n" + block + "\n"
    open(doc, "w").write(text)
    print(out)


if __name__ == "__main__":
    if os.environ.get("BENCH_MODE") == "tail":
        import tail
        tail.main(SECS, publish, row, yes, wrk)
    else:
        main()
