"""What an idle node costs (issue "A hit costs little more than a ping, and an idle node costs
nothing"): on a running local system left alone for `--after` seconds (default 120), measures
over `--over` seconds (default 60) each node's CPU (share of one core, from /proc) and the
Consul requests it makes per second, by kind (blocking watches apart: they wait, they do not
poll). Prints one line per node and returns the figures (imported by the benchmarks)."""
import argparse, os, re, sys, time

sys.path.insert(0, os.path.dirname(__file__))
from driver import NODES, cpu_ticks, log, metrics, pid_of  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def consul_counts(port):
    out = {}
    for k, v in metrics(port).items():
        m = re.match(r'hitcounter_consul_requests_seconds_count\{(.*)\}', k)
        if m:
            kind = re.search(r'kind="([^"]*)"', m.group(1)).group(1)
            out[kind] = out.get(kind, 0) + v
    return out


def measure(after=120, over=60):
    time.sleep(after)
    pids = {n: pid_of(n) for n in NODES}
    c0 = {n: cpu_ticks(p) for n, p in pids.items()}
    r0 = {n: consul_counts(p) for n, p in NODES.items()}
    t0 = time.time()
    time.sleep(over)
    secs = time.time() - t0
    result = {}
    for n, port in NODES.items():
        r1 = consul_counts(port)
        rates = {k: (r1[k] - r0[n].get(k, 0)) / secs for k in r1 if r1[k] - r0[n].get(k, 0) > 0}
        cpu = 100.0 * (cpu_ticks(pids[n]) - c0[n]) / TICKS / secs
        polling = sum(v for k, v in rates.items() if k != "blocking_read")
        result[n] = {"cpu": cpu, "rates": rates, "non_blocking": polling}
        log(f"idle {n}: CPU {cpu:.2f}% of a core; Consul requests/s {', '.join(f'{k} {v:.2f}' for k, v in sorted(rates.items()))}; non-blocking {polling:.2f}/s")
    return result


if __name__ == "__main__":
    a = argparse.ArgumentParser()
    a.add_argument("--after", type=int, default=120)
    a.add_argument("--over", type=int, default=60)
    x = a.parse_args()
    measure(x.after, x.over)
