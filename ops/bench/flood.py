"""The flood benchmark of ops/flood-bench.sh (issue "Who may create pages"): on a fresh local
system, one client (127.0.0.1) posts fresh page ids of site "blog" to us-west-0 at 5,000
requests/s for 60 s, while a legitimate client (127.0.0.2) posts 100 hits/s to existing pages
of the same site on the same node. Measured: the answers of each (only 200, 403 and 429 for
the flood), the legitimate client's p99 against the same client alone (quiet), the site's
pages against its cap, the keys under hitcounter/ and the bytes the nodes sent to Consul. The
table goes to docs/benchmarks.md between the FLOOD markers."""
import json, os, re, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from driver import ROOT, RUN, JAR, NODES, jget, msum, store_keys, log  # noqa: E402

SECS = int(os.environ.get("FLOOD_SECS", "60"))
RATE = int(os.environ.get("FLOOD_RATE", "5000"))
CAP = 2000
SITE = {"maxPages": CAP, "perClient": {"rate": 200, "burst": 400}, "perSite": {"rate": 4000, "burst": 8000}}
TOKEN = open(f"{RUN}/admin-token").read().strip()
US0 = "http://127.0.0.1:8080"


def send(method, url, body=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Authorization", f"Bearer {TOKEN}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read()


def loadgen(*args):
    out = subprocess.run(["java", "-Xmx256m", "-cp", JAR, "hitcounter.tools.LoadGen", *args], capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("answered")][-1]
    m = re.search(r"answered (\d+).*200 (\d+), unknown (\d+), other codes \{([^}]*)\}.*p50 ([\d.]+) p90 ([\d.]+) p99 ([\d.]+) p99.9 ([\d.]+) max ([\d.]+) ms; load generator CPU (\d+)%", line)
    codes = {int(k): int(v) for k, v in (kv.split("=") for kv in m.group(4).split(", ") if kv)}
    codes[200] = int(m.group(2))
    return line, {"answered": int(m.group(1)), "unknown": int(m.group(3)), "codes": codes, "p50": float(m.group(5)),
                  "p99": float(m.group(7)), "cpu": int(m.group(10))}


def legit(secs):
    return subprocess.Popen(["java", "-Xmx256m", "-cp", JAR, "hitcounter.tools.LoadGen", "--urls", US0, "--bind", "127.0.0.2", "--rate", "100",
                             "--seconds", str(secs), "--conns", "8", "--path", "/api/hits/blog/", "--pages", "uniform:50", "--prefix", "legit-"],
                            stdout=subprocess.PIPE, text=True)


def parse(out):
    line = [l for l in out.splitlines() if l.startswith("answered")][-1]
    m = re.search(r"answered (\d+).*200 (\d+), unknown (\d+), other codes \{([^}]*)\}.*p50 ([\d.]+) p90 ([\d.]+) p99 ([\d.]+)", line)
    return line, {"answered": int(m.group(1)), "ok": int(m.group(2)), "other": m.group(4), "p50": float(m.group(5)), "p99": float(m.group(7))}


def main():
    status, body = send("PUT", f"{US0}/api/sites/blog", SITE)
    log("site blog:", status, body.decode())
    deadline = time.time() + 30
    while time.time() < deadline:
        if all(jget(f"http://127.0.0.1:{p}/api/sites")["sites"].get("blog", {}).get("live") for p in NODES.values()):
            break
        time.sleep(0.2)
    # Warm-up and the legitimate pages: the quiet run creates them.
    quiet_out = legit(30).communicate()[0]
    quiet_line, quiet = parse(quiet_out)
    log("quiet:", quiet_line)
    keys_before = {dc: store_keys(dc) for dc in ("us-west", "eu-west")}
    bytes_before = msum(r'hitcounter_consul_request_bytes_total\{')
    pages_before = jget(f"{US0}/api/sites")["sites"]["blog"]["pages"]
    lg = legit(SECS + 5)
    time.sleep(2)
    flood_line, flood = loadgen("--urls", US0, "--rate", str(RATE), "--seconds", str(SECS), "--conns", "64", "--path", "/api/hits/blog/",
                                "--pages", "walk:1000000:7", "--prefix", "junk-")
    log("flood:", flood_line)
    legit_line, during = parse(lg.communicate()[0])
    log("legit during the flood:", legit_line)
    time.sleep(5)
    keys_after = {dc: store_keys(dc) for dc in ("us-west", "eu-west")}
    bytes_after = msum(r'hitcounter_consul_request_bytes_total\{')
    sites = {n: jget(f"http://127.0.0.1:{p}/api/sites")["sites"]["blog"]["pages"] for n, p in NODES.items()}
    refused = msum(r'hitcounter_hits_refused_total\{[^}]*site="blog"')
    by_reason = {r: msum(r'hitcounter_hits_refused_total\{[^}]*reason="' + r + '"[^}]*site="blog"') for r in ("rate-client", "rate-site", "page-cap")}
    codes = flood["codes"]
    only = set(codes) <= {200, 403, 429}
    admitted = codes.get(200, 0)
    rows = [
        f"| flood: {RATE}/s of fresh page ids of site blog for {SECS} s, one client (127.0.0.1), node us-west-0 (LoadGen) | "
        f"{flood['answered']} answered: 200 {admitted}, 429 {codes.get(429, 0)}, 403 {codes.get(403, 0)}, other {sum(v for k, v in codes.items() if k not in (200, 403, 429))}, unknown {flood['unknown']}; "
        f"refusals in /metrics: rate-client {by_reason['rate-client']:.0f}, rate-site {by_reason['rate-site']:.0f}, page-cap {by_reason['page-cap']:.0f} | "
        f"every request over the limits 429 or 403 | {'yes' if only and flood['unknown'] == 0 else 'no'} |",
        f"| pages of site blog (cap {CAP}) per node after the flood | {', '.join(f'{n} {v}' for n, v in sites.items())} (before: {pages_before}) | "
        f"≤ cap (soft: nodes × a second of admissions) | {'yes' if max(sites.values()) <= CAP * 1.05 else 'no'} |",
        f"| keys under hitcounter/ per datacenter, before → after | " + ", ".join(f"{dc} {keys_before[dc]} → {keys_after[dc]}" for dc in keys_before) +
        " | bounded by the cap, not the flood |  |",
        f"| bytes the four nodes sent to Consul during the flood | {(bytes_after - bytes_before) / 1e6:.1f} MB ({(bytes_after - bytes_before) / max(1, admitted):.0f} B per admitted hit) | follows admitted hits |  |",
        f"| legitimate client (127.0.0.2, 100 hits/s to 50 existing pages of blog, same node): quiet vs during the flood | "
        f"quiet: 200 {quiet['ok']}/{quiet['answered']}, p50 {quiet['p50']:.2f} ms, p99 {quiet['p99']:.2f} ms; flood: 200 {during['ok']}/{during['answered']} "
        f"(other codes {{{during['other']}}}), p50 {during['p50']:.2f} ms, p99 {during['p99']:.2f} ms | all 200, p99 ≤ 2× quiet | "
        f"{'yes' if during['ok'] == during['answered'] and during['p99'] <= 2 * quiet['p99'] else 'no'} |",
    ]
    out = (f"Measured {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())} by `bash ops/flood-bench.sh` on this 2-core box (load generators, four nodes, "
           f"four beanstalkds and both Consul servers on one machine). Site blog: {json.dumps(SITE)}.\n\n"
           "| what | result | target | met |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
    doc = f"{ROOT}/docs/benchmarks.md"
    text = open(doc).read()
    if "<!-- FLOOD -->" not in text:
        text += "\n## A flood of fresh page ids (sites, limits, caps)\n<!-- FLOOD -->\n<!-- /FLOOD -->\n"
    text = re.sub(r"<!-- FLOOD -->.*<!-- /FLOOD -->", "<!-- FLOOD -->\n" + out.replace("\\", "\\\\") + "<!-- /FLOOD -->", text, flags=re.S)
    open(doc, "w").write(text)
    print(out)


if __name__ == "__main__":
    main()
