"""The key-count row of ops/key-bench.sh (issue 23), on a fresh local system (us-west and
eu-west, two nodes each): 200 node restarts (us-west-1 and eu-west-1, side by side), 10,000 page
resets (1,000 pages, written from all four nodes in turn) and 100 site create/delete cycles
(each site hit, one of its pages reset, then deleted), in 10 rounds. After each round, once
the folds of audit runs and reset records had their time (fold-after shortened by the script),
the keys under hitcounter/ per datacenter, by kind. The table goes to docs/benchmarks.md
between the KEYS markers. Python standard library only."""
import json, os, re, subprocess, sys, time, urllib.error, urllib.request

ROOT = os.environ["HC_ROOT"]
RUN = os.environ["HC_RUN"]
NODES = {"us-west-0": 8080, "us-west-1": 8081, "eu-west-0": 8180, "eu-west-1": 8181}
CONSUL = {"us-west": 8500, "eu-west": 8510}
ROUNDS, RESTARTS, RESETS, SITES, PAGES = 10, 200, 10_000, 100, 1_000
SETTLE = float(os.environ.get("KEYS_SETTLE", "25"))


def log(*a):
    print("keys:", time.strftime("%H:%M:%S"), *a, flush=True)


def secret(name):
    with open(os.path.join(RUN, name if name == "admin-token" else os.path.join("secrets", name))) as f:
        return f.read().strip()


CONSUL_TOKEN = secret("consul-master.token")
ADMIN = secret("admin-token")


def call(url, method="GET", body=None, admin=False, timeout=10):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    if "/v1/" in url:
        req.add_header("X-Consul-Token", CONSUL_TOKEN)
    if admin:
        req.add_header("Authorization", f"Bearer {ADMIN}")
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def attempt(url, method, admin=False):
    """A call whose refusal is logged, not fatal (a node that has not applied the new site yet)."""
    try:
        return call(url, method, admin=admin)[0]
    except urllib.error.HTTPError as e:
        log(f"{method} {url}: {e.code}")
        return e.code


def keys_by_kind(dc):
    _, body = call(f"http://127.0.0.1:{CONSUL[dc]}/v1/kv/hitcounter/?keys", timeout=30)
    out = {}
    for k in json.loads(body):
        kind = k.split("/")[1]
        if kind == "resets":
            kind = "resets (shards)" if "/~s/" in k else "resets (records)"
        out[kind] = out.get(kind, 0) + 1
    return out


def restart(names):
    """Stops each node (SIGTERM, by its pid) and starts it again, the nodes side by side."""
    script = "; ".join(f'stop_pid "{RUN}/nodes/{n}/node.pid" hitcounter.jar' for n in names)
    subprocess.run(["bash", "-c", f'source "{ROOT}/ops/lib.sh"; {script}'], check=True)
    starts = [subprocess.Popen(["bash", f"{ROOT}/ops/start-node.sh", *n.rsplit("-", 1)], stdout=subprocess.DEVNULL) for n in names]
    for p in starts:
        assert p.wait() == 0, "a node did not start"


def main():
    urls = list(NODES.values())
    log(f"hitting {PAGES} pages once")
    for p in range(PAGES):
        call(f"http://127.0.0.1:{urls[p % 4]}/api/hits/kb-{p}", "POST")
    time.sleep(SETTLE)
    start = {dc: keys_by_kind(dc) for dc in CONSUL}
    log("at the start", start)
    rows = []
    restarts = resets = sites = 0
    t0 = time.time()
    for r in range(ROUNDS):
        for i in range(RESTARTS // ROUNDS // 2):
            restart(["us-west-1", "eu-west-1"])
            restarts += 2
            for j in range(2 * RESETS // RESTARTS):
                port = urls[resets % 4]
                status, _ = call(f"http://127.0.0.1:{port}/api/pages/default/kb-{resets % PAGES}/reset", "POST", admin=True)
                assert status == 200, status
                resets += 1
            if restarts % (RESTARTS // SITES) == 0:  # every iteration
                port = urls[sites % 4]
                site = f"kb-site-{sites}"
                call(f"http://127.0.0.1:{port}/api/sites/{site}", "PUT", {}, admin=True)
                time.sleep(1.2)  # the setting reaches the node that counts
                attempt(f"http://127.0.0.1:{port}/api/hits/{site}/home", "POST")
                time.sleep(0.5)
                attempt(f"http://127.0.0.1:{port}/api/pages/{site}/home/reset", "POST", admin=True)
                call(f"http://127.0.0.1:{port}/api/sites/{site}", "DELETE", admin=True)
                sites += 1
        time.sleep(SETTLE)
        counts = {dc: keys_by_kind(dc) for dc in CONSUL}
        rows.append((restarts, resets, sites, counts))
        log(f"round {r + 1}: {restarts} restarts, {resets} resets, {sites} site cycles:", counts)
    log(f"done in {time.time() - t0:.0f} s")
    kinds = sorted({k for _, _, _, c in rows for dc in c for k in c[dc]} | {k for dc in start for k in start[dc]})
    head = "| after | " + " | ".join(f"{dc} total" for dc in CONSUL) + " | " + " | ".join(f"us-west {k}" for k in kinds) + " |"
    out = [head, "|" + "---|" * (1 + len(CONSUL) + len(kinds))]
    def line(label, c):
        return f"| {label} | " + " | ".join(str(sum(c[dc].values())) for dc in CONSUL) + " | " + " | ".join(str(c["us-west"].get(k, 0)) for k in kinds) + " |"
    out.append(line("1,000 pages hit, nothing else", start))
    for restarts, resets, sites, c in rows:
        out.append(line(f"{restarts} restarts, {resets:,} resets, {sites} site cycles", c))
    totals = [sum(c[dc].values()) for _, _, _, c in rows for dc in CONSUL]
    firsts = [sum(rows[0][3][dc].values()) for dc in CONSUL]
    lasts = [sum(rows[-1][3][dc].values()) for dc in CONSUL]
    verdict = "flat" if all(l <= f * 1.1 + 10 for f, l in zip(firsts, lasts)) else "GROWS"
    out.append("")
    out.append(f"Keys per datacenter from the first round to the last: {firsts} -> {lasts} ({verdict}); max {max(totals)} (budget 100,000).")
    table = "\n".join(out) + "\n"
    print(table)
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    with open(path) as f:
        text = f.read()
    block = "<!-- KEYS -->\n" + table + "<!-- /KEYS -->"
    if "<!-- KEYS -->" in text:
        text = re.sub("<!-- KEYS -->.*<!-- /KEYS -->", block.replace("\\", "\\\\"), text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)
    return 0 if verdict == "flat" else 1


if __name__ == "__main__":
    sys.exit(main())
