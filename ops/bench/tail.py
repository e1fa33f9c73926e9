"""The rows of issue 24 ("Few disk flushes per hit, and a latency tail that stays flat at steady
rates"), run by `ops/bench.sh tail` on a fresh local system:
- open-loop rows at 1,000, 2,000 and 4,000 hits/s on node us-west-0, each run three times,
  against ping at the same rate, with beanstalkd's binlog records (puts + deletes, from its own
  `stats`) per acknowledged hit, counted until no job of the run is ready or reserved;
- the CPU of every process of the system (nodes, beanstalkds, Consul servers) per acknowledged
  hit at 4,000/s;
- a 10-minute row at 2,000/s over the four nodes;
- an idle node, 60 s measured after 10 minutes up, with its CPU by thread.
Python standard library only; imported by driver.py, or run alone against a running system:
/usr/bin/python3 ops/bench/tail.py [flushes RATE SECONDS | soak SECONDS | idle]."""
import glob, os, socket, sys, time

sys.path.insert(0, os.path.dirname(__file__))
from driver import NODES, RUN, cpu_ticks, get, loadgen, log, metrics, pid_of  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
BEANSTALKS = {"us-west-0": 11300, "us-west-1": 11301, "eu-west-0": 11400, "eu-west-1": 11401}


def beanstalk_stats(port, command=b"stats"):
    """beanstalkd's own `stats` (or `stats-tube …`), as a dict of numbers (strings where not a number)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(command + b"\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            head, _, rest = data.partition(b"\r\n")
            if head.startswith(b"OK ") and len(rest) >= int(head.split()[1]) + 2:
                break
    out = {}
    for line in data.decode().splitlines()[1:]:
        if ": " in line:
            k, v = line.split(": ", 1)
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def binlog(nodes=BEANSTALKS):
    """Binlog records written, puts and deletes, and jobs not done yet, summed over the nodes."""
    s = [beanstalk_stats(p) for n, p in BEANSTALKS.items() if n in nodes]
    # Jobs not done: the hit jobs' tube only (a format-1 system's run marker, decision 0017,
    # waits in tube hitcounter-run for good).
    t = [beanstalk_stats(p, b"stats-tube default") for n, p in BEANSTALKS.items() if n in nodes]
    return {
        "records": sum(x.get("binlog-records-written", 0) for x in s),
        "puts": sum(x.get("cmd-put", 0) for x in s),
        "deletes": sum(x.get("cmd-delete", 0) for x in s),
        "open": sum(x.get("current-jobs-ready", 0) + x.get("current-jobs-reserved", 0) + x.get("current-jobs-delayed", 0) for x in t),
    }


def system_pids():
    """Every process of the local system: the nodes, their beanstalkds, the Consul servers."""
    pids = {}
    for f in glob.glob(f"{RUN}/nodes/*/node.pid") + glob.glob(f"{RUN}/nodes/*/beanstalkd.pid") + glob.glob(f"{RUN}/consul-*/consul.pid"):
        name = os.path.relpath(f, RUN).replace("/", ":")
        pids[name] = open(f).read().strip()
    return pids


def drained(limit=120):
    """Waits until no job is ready, reserved or delayed on any beanstalkd; seconds taken or None."""
    t0 = time.time()
    while time.time() - t0 < limit:
        if binlog()["open"] == 0:
            return time.time() - t0
        time.sleep(0.2)
    return None


def flushes(rate, secs, node="us-west-0", page="bench-tail"):
    """One open-loop row: ping at RATE, then hits at RATE on one page, on NODE. Returns the
    latencies of both, binlog records per acknowledged hit (counted until the run's jobs are
    all deleted) and the CPU of the whole system per acknowledged hit (the generator apart)."""
    url = f"http://127.0.0.1:{NODES[node]}"
    _, lp = loadgen("--urls", url, "--method", "GET", "--path", "/api/ping", "--pages", "fixed:", "--rate", str(rate), "--seconds", str(secs), "--conns", "64", "--warmup", "3")
    drained()
    pids = system_pids()
    b0, c0, f0 = binlog(), {n: cpu_ticks(p) for n, p in pids.items()}, profile_before(NODES[node])
    t0 = time.time()
    line, lh = loadgen("--urls", url, "--pages", f"fixed:{page}", "--rate", str(rate), "--seconds", str(secs), "--conns", "64", "--warmup", "3")
    prof = profile_after(NODES[node], f0, time.time() - t0)
    took = drained()
    b1, c1 = binlog(), {n: cpu_ticks(p) for n, p in pids.items()}
    acked = max(1, lh["ok"])
    cpu = {n: (c1[n] - c0[n]) / TICKS for n in pids}
    return {
        "line": line, "ping": lp, "hits": lh, "acked": lh["ok"], "drained": took, "profile": prof,
        "records_per_hit": (b1["records"] - b0["records"]) / acked,
        "hits_per_put": acked / max(1, b1["puts"] - b0["puts"]),
        "deletes": b1["deletes"] - b0["deletes"],
        "cpu_us_per_hit": 1e6 * sum(cpu.values()) / acked,
        "cpu_by_kind": {k: 1e6 * sum(v for n, v in cpu.items() if k in n) / acked for k in ("node.pid", "beanstalkd", "consul")},
    }


def tcp_counters():
    """The kernel's counters of dropped connection attempts and retransmitted segments (a full
    accept queue shows as ListenOverflows and SYN retransmits: a client waits 1 s, then 3 s)."""
    out = {}
    for path in ("/proc/net/netstat", "/proc/net/snmp"):
        lines = open(path).read().splitlines()
        for head, vals in zip(lines[::2], lines[1::2]):
            for k, v in zip(head.split()[1:], vals.split()[1:]):
                out[head.split()[0] + k] = int(v)
    keys = ("TcpExt:ListenOverflows", "TcpExt:ListenDrops", "TcpExt:TCPSynRetrans", "Tcp:RetransSegs")
    return {k: out.get(k, 0) for k in keys}


def box_ticks():
    """The machine's CPU ticks from /proc/stat: (user + nice, system + irq + softirq, idle + iowait, steal)."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return f[0] + f[1], f[2] + f[5] + f[6], f[3] + f[4], f[7]


def box_busy(before, after):
    """Share of the machine's cores busy between two box_ticks(), in user and in the kernel (%)."""
    d = [b - a for a, b in zip(before, after)]
    total = max(1, sum(d))
    return 100.0 * d[0] / total, 100.0 * d[1] / total


def route_histogram(ports=None, family="http_server_requests_seconds", match="hits/{page}"):
    """Latency buckets (seconds -> count) of a timer, summed over the nodes: by default the hit
    route's; with family hitcounter_beanstalk_commands_seconds and match command="put", the puts'."""
    import re
    out = {}
    for port in ports or NODES.values():
        for line in get(f"http://127.0.0.1:{port}/metrics").decode().splitlines():
            m = re.match(family + r'_bucket\{(.*)\} (\S+)', line)
            if m and match in m.group(1):
                le = re.search(r'le="([^"]+)"', m.group(1)).group(1)
                key = float("inf") if le == "+Inf" else float(le)
                out[key] = out.get(key, 0) + float(m.group(2))
    return out


def young_gcs(port):
    """(count, seconds) of the node's young collections so far."""
    n = t = 0.0
    for k, v in metrics(port).items():
        if k.startswith("jvm_gc_pause_seconds_count") and "minor" in k:
            n += v
        elif k.startswith("jvm_gc_pause_seconds_sum") and "minor" in k:
            t += v
    return n, t


def profile_before(port):
    return route_histogram([port]), route_histogram([port], "hitcounter_beanstalk_commands_seconds", 'command="put"'), young_gcs(port)


def profile_after(port, before, secs):
    """Where a hit's time went on the node, from its own timers: the route's p50/p99 (upper bucket
    bounds), the put's p99 (beanstalkd's answer, its fsync included), young collections."""
    r0, p0, g0 = before
    r1, p1, g1 = route_histogram([port]), route_histogram([port], "hitcounter_beanstalk_commands_seconds", 'command="put"'), young_gcs(port)
    n = g1[0] - g0[0]
    return {"route_p50": quantile(r0, r1, 0.5), "route_p99": quantile(r0, r1, 0.99), "put_p99": quantile(p0, p1, 0.99),
            "gcs_per_s": n / secs, "gc_mean_ms": 1000 * (g1[1] - g0[1]) / max(1, n)}


def quantile(before, after, q):
    """The upper bound (ms) of the bucket holding quantile Q of the counts added between two histograms."""
    d = sorted((k, after[k] - before.get(k, 0)) for k in after)
    total = d[-1][1] if d else 0
    return next((1000 * k for k, c in d if c >= q * total), None)


def soak(rate, secs):
    """RATE hits/s over the four nodes for SECS (10,000 pages, 64 connections), with the nodes'
    own timing of the hit route and the kernel's TCP counters beside the generator's figures."""
    from driver import settle
    urls = ",".join(f"http://127.0.0.1:{p}" for p in NODES.values())
    b0, h0, t0, x0 = binlog(), route_histogram(), tcp_counters(), box_ticks()
    line, l = loadgen("--urls", urls, "--pages", "uniform:10000", "--rate", str(rate), "--seconds", str(secs), "--conns", "64", "--warmup", "10")
    h1, t1, x1 = route_histogram(), tcp_counters(), box_ticks()
    took, audit = settle(0, 0, 120)
    b1 = binlog()
    tables = {str(sorted(a["table"]["byDatacenter"].items())) for a in audit.values()}
    return {"line": line, "lg": l, "records_per_hit": (b1["records"] - b0["records"]) / max(1, l["ok"]),
            "route_p99": quantile(h0, h1, 0.99), "route_p999": quantile(h0, h1, 0.999),
            "tcp": {k: t1[k] - t0[k] for k in t0}, "box": box_busy(x0, x1), "settled": took, "identical": len(tables) == 1}


def idle(over=60):
    """Each node's CPU (share of a core) over the same OVER seconds, and the threads that use it."""
    import re
    import threads
    pids = {n: int(pid_of(n)) for n in NODES}
    names = {n: threads.java_names(p) for n, p in pids.items()}
    a = {n: threads.sample(p) for n, p in pids.items()}
    time.sleep(over)
    b = {n: threads.sample(p) for n, p in pids.items()}
    out = {}
    for n in NODES:
        groups = {}
        for tid, (name, ticks) in b[n].items():
            key = re.sub(r"\d+", "#", names[n].get(tid, name))
            groups[key] = groups.get(key, 0) + 100.0 * (ticks - a[n].get(tid, (name, 0))[1]) / TICKS / over
        total = sum(groups.values())
        top = [(k, c) for k, c in sorted(groups.items(), key=lambda x: -x[1])[:5] if c > 0]
        out[n] = {"cpu": total, "top": top}
        log(f"idle {n}: {total:.2f}% of a core; " + ", ".join(f"{k} {c:.2f}%" for k, c in top))
    return out


def restart_us_west_0(env):
    """Restarts node us-west-0 (not its beanstalkd) with ENV added, and waits until it answers."""
    import subprocess
    root = os.environ["HC_ROOT"]
    subprocess.run(["bash", "-c", f'source "{root}/ops/lib.sh"; stop_pid "$HC_RUN/nodes/us-west-0/node.pid" hitcounter.jar; bash "{root}/ops/start-node.sh" us-west 0'],
                   check=True, env=dict(os.environ, **env), capture_output=True)


def linger():
    """The nodes' put-linger: HC_PUT_LINGER, or the default in application.conf."""
    import re
    if os.environ.get("HC_PUT_LINGER"):
        return os.environ["HC_PUT_LINGER"]
    conf = open(os.path.join(os.environ["HC_ROOT"], "src/main/resources/application.conf")).read()
    m = re.search(r"^\s*put-linger = (\S+)$", conf, re.M)
    return m.group(1) if m else "?"


def median(xs):
    return sorted(xs)[len(xs) // 2]


def main(secs, publish, row, yes, wrk):
    """The rows of `ops/bench.sh tail`, in the order that keeps each honest: the steady-rate rows
    on a warm system, the 10-minute row, the idle node (by then up well over 10 minutes), and last
    the same rates with puts that do not linger (node us-west-0 restarted with put-linger 0)."""
    log("warm-up")
    wrk("ping.lua", "http://127.0.0.1:8080/api/ping", 10)
    wrk("post-few.lua", "http://127.0.0.1:8080", 30)
    drained()
    runs = {}
    for rate in (1000, 2000, 4000):
        runs[rate] = []
        for i in range(3):
            r = flushes(rate, secs)
            log(f"{rate}/s run {i + 1}: hits p50 {r['hits']['p50']} p99 {r['hits']['p99']} ms, ping p99 {r['ping']['p99']} ms; "
                f"{r['records_per_hit']:.3f} binlog records per hit, {r['hits_per_put']:.1f} hits per put; {r['cpu_us_per_hit']:.0f} µs CPU per hit")
            runs[rate].append(r)
    for rate, rs in runs.items():
        p50 = [r["hits"]["p50"] for r in rs]
        p99 = [r["hits"]["p99"] for r in rs]
        ping = [r["ping"]["p99"] for r in rs]
        rec = [r["records_per_hit"] for r in rs]
        ok = median(p99) <= min(25, 2 * median(ping)) and max(p99) <= min(25, 2 * max(ping))
        target = "p99 ≤ 2× ping's and ≤ 25 ms, median and worst"
        if rate == 1000:
            ok = ok and median(p50) <= 3 and max(p50) <= 3
            target += "; p50 ≤ 3 ms"
        row(f"t{rate // 1000}", f"open loop at {rate:,} hits/s on us-west-0, 3 runs of {secs} s (LoadGen, 64 connections, latency from the intended send time); ping at the same rate before each",
            f"hits p50 {median(p50)} / {max(p50)} ms, p99 {median(p99)} / {max(p99)} ms (median / worst); ping p99 {median(ping)} / {max(ping)} ms; "
            f"binlog records per acknowledged hit {median(rec):.2f} (worst {max(rec):.2f}; {median([r['hits_per_put'] for r in rs]):.1f} hits per put); "
            f"the node's own timers, median run: route p50 ≤ {median([r['profile']['route_p50'] for r in rs]):.1f} ms, p99 ≤ {median([r['profile']['route_p99'] for r in rs]):.1f} ms, "
            f"put p99 ≤ {median([r['profile']['put_p99'] for r in rs]):.1f} ms, {median([r['profile']['gcs_per_s'] for r in rs]):.1f} young GCs/s of {median([r['profile']['gc_mean_ms'] for r in rs]):.1f} ms",
            target, yes(ok))
    rec_ok = median([r["records_per_hit"] for r in runs[1000]]) <= 0.5 and median([r["records_per_hit"] for r in runs[4000]]) <= 0.2

    log("10 minutes at 2,000/s over four nodes")
    s = soak(2000, 600)
    l = s["lg"]
    row("t5", "10 minutes at 2,000 hits/s over the four nodes (LoadGen, 10,000 pages, 64 connections); the nodes' own timing of the hit route; the kernel's TCP drop counters",
        f"{l['ok']:.0f} acknowledged; p50 {l['p50']} ms, p90 {l['p90']} ms, p99 {l['p99']} ms, p99.9 {l['p999']} ms, max {l['max']} ms; "
        f"timed from the send (the generator's queue left out) p99 {l.get('send_p99')} ms, max {l.get('send_max')} ms; route p99 ≤ {s['route_p99']:.1f} ms, p99.9 ≤ {s['route_p999']:.1f} ms; "
        f"the machine's cores busy {s['box'][0]:.0f}% user + {s['box'][1]:.0f}% kernel; TCP " + ", ".join(f"{k.split(':')[1]} {v}" for k, v in s["tcp"].items()) + f"; {s['records_per_hit']:.2f} binlog records per hit; "
        + (f"counted and identical on all 4 nodes {s['settled']:.1f} s after" if s["settled"] is not None and s["identical"] else "did not settle"),
        "p99 ≤ 50 ms; every hit counted", yes(l["p99"] <= 50 and s["settled"] is not None))

    log("idle: 2 minutes after the load, 60 s measured")
    time.sleep(120)
    q = idle(60)
    row("t6", "an idle node, 60 s measured 2 minutes after the 10-minute row (each node up over 20 minutes): CPU of a core, the threads that use most",
        "; ".join(f"{n} {v['cpu']:.1f}% ({', '.join(f'{k} {c:.2f}' for k, c in v['top'][:3])})" for n, v in q.items()),
        "≤ 2% of a core per node", yes(all(v["cpu"] <= 2 for v in q.values())))

    log("before: the same rates with puts that do not linger (us-west-0 restarted, put-linger 0)")
    restart_us_west_0({"HC_PUT_LINGER": "0ms"})
    wrk("post-few.lua", "http://127.0.0.1:8080", 30)
    drained()
    before = {rate: flushes(rate, secs) for rate in (1000, 2000, 4000)}
    restart_us_west_0({})
    row("t7", f"binlog records (puts + deletes, beanstalkd's stats) per acknowledged hit, counted until no job of the run is ready or reserved: puts that linger (put-linger {linger()}, median of the rows above) against puts that do not (one run each, after)",
        "; ".join(f"{rate:,}/s {median([r['records_per_hit'] for r in runs[rate]]):.2f} against {before[rate]['records_per_hit']:.2f}" for rate in (1000, 2000, 4000)),
        "≤ 0.5 at 1,000/s, ≤ 0.2 at 4,000/s", yes(rec_ok))
    cpu = median([r["cpu_us_per_hit"] for r in runs[4000]])
    kinds = runs[4000][1]["cpu_by_kind"]
    row("t8", "CPU of the whole system (four nodes, four beanstalkds, two Consul servers; the generator apart) per acknowledged hit at 4,000/s: puts that linger against puts that do not",
        f"{cpu:.0f} µs (nodes {kinds['node.pid']:.0f}, beanstalkds {kinds['beanstalkd']:.0f}, Consul {kinds['consul']:.0f}) against {before[4000]['cpu_us_per_hit']:.0f} µs "
        f"(nodes {before[4000]['cpu_by_kind']['node.pid']:.0f}, beanstalkds {before[4000]['cpu_by_kind']['beanstalkd']:.0f}, Consul {before[4000]['cpu_by_kind']['consul']:.0f}); "
        "hits p99 without the linger " + ", ".join(f"{rate:,}/s {before[rate]['hits']['p99']} ms" for rate in (1000, 2000, 4000)),
        "lower than before", yes(cpu < before[4000]["cpu_us_per_hit"]))
    publish("BENCH-TAIL", f"bash ops/bench.sh tail {secs}", "bench-tail.txt",
            "load generator (LoadGen) on the same machine as the four nodes, four beanstalkds and both Consul servers",
            "Steady rates, disk flushes and the tail (issue 24)")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "flushes"
    if what == "flushes":
        r = flushes(int(sys.argv[2]), int(sys.argv[3]))
        print({k: v for k, v in r.items()})
    elif what == "soak":
        print(soak(2000, int(sys.argv[2])))
    else:
        print(idle())
