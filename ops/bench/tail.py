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
from driver import NODES, RUN, cpu_ticks, get, loadgen, log, msum, pid_of  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
BEANSTALKS = {"us-west-0": 11300, "us-west-1": 11301, "eu-west-0": 11400, "eu-west-1": 11401}


def beanstalk_stats(port):
    """beanstalkd's own `stats`, as a dict of numbers (strings where not a number)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"stats\r\n")
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
    return {
        "records": sum(x.get("binlog-records-written", 0) for x in s),
        "puts": sum(x.get("cmd-put", 0) for x in s),
        "deletes": sum(x.get("cmd-delete", 0) for x in s),
        "open": sum(x.get("current-jobs-ready", 0) + x.get("current-jobs-reserved", 0) + x.get("current-jobs-delayed", 0) for x in s),
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
    b0, c0 = binlog(), {n: cpu_ticks(p) for n, p in pids.items()}
    line, lh = loadgen("--urls", url, "--pages", f"fixed:{page}", "--rate", str(rate), "--seconds", str(secs), "--conns", "64", "--warmup", "3")
    took = drained()
    b1, c1 = binlog(), {n: cpu_ticks(p) for n, p in pids.items()}
    acked = max(1, lh["ok"])
    cpu = {n: (c1[n] - c0[n]) / TICKS for n in pids}
    return {
        "line": line, "ping": lp, "hits": lh, "acked": lh["ok"], "drained": took,
        "records_per_hit": (b1["records"] - b0["records"]) / acked,
        "hits_per_put": acked / max(1, b1["puts"] - b0["puts"]),
        "deletes": b1["deletes"] - b0["deletes"],
        "cpu_us_per_hit": 1e6 * sum(cpu.values()) / acked,
        "cpu_by_kind": {k: 1e6 * sum(v for n, v in cpu.items() if k in n) / acked for k in ("node.pid", "beanstalkd", "consul")},
    }


def soak(rate, secs):
    """RATE hits/s over the four nodes for SECS (10,000 pages, 64 connections)."""
    urls = ",".join(f"http://127.0.0.1:{p}" for p in NODES.values())
    b0 = binlog()
    line, l = loadgen("--urls", urls, "--pages", "uniform:10000", "--rate", str(rate), "--seconds", str(secs), "--conns", "64", "--warmup", "10")
    drained()
    b1 = binlog()
    return {"line": line, "lg": l, "records_per_hit": (b1["records"] - b0["records"]) / max(1, l["ok"])}


def idle(over=60):
    """Each node's CPU (share of a core) over OVER seconds, and the threads that use it."""
    import threads
    out = {}
    for n in NODES:
        g = threads.by_group(int(pid_of(n)), over / len(NODES))
        total = sum(c for _, c in g.values())
        top = sorted(g.items(), key=lambda x: -x[1][1])[:4]
        out[n] = {"cpu": total, "top": [(k, c) for k, (_, c) in top if c > 0]}
        log(f"idle {n}: {total:.2f}% of a core; " + ", ".join(f"{k} {c:.2f}%" for k, c in out[n]["top"]))
    return out


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "flushes"
    if what == "flushes":
        r = flushes(int(sys.argv[2]), int(sys.argv[3]))
        print({k: v for k, v in r.items()})
    elif what == "soak":
        print(soak(2000, int(sys.argv[2])))
    else:
        print(idle())
