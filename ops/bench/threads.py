"""CPU of a process by thread (issue "A hit costs little more than a ping, and an idle node
costs nothing"): samples /proc/PID/task/*/stat twice, SECONDS apart, and prints each thread
group's share of one core (thread names with their numbers folded: "hitcounter-pekko.actor.
default-dispatcher-7" counts as "hitcounter-pekko.actor.default-dispatcher-#").
Usage: /usr/bin/python3 ops/bench/threads.py PID [SECONDS]"""
import os, re, sys, time

TICKS = os.sysconf("SC_CLK_TCK")


def sample(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index("(") + 1:s.rindex(")")]
        fields = s[s.rindex(")") + 2:].split()
        out[tid] = (name, int(fields[11]) + int(fields[12]))
    return out


def java_names(pid):
    """Thread id -> Java thread name (the kernel keeps only 15 characters), from jcmd Thread.print."""
    import subprocess
    try:
        out = subprocess.run(["jcmd", str(pid), "Thread.print"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    names = {}
    for m in re.finditer(r'^"(.*?)".*? nid=(0x[0-9a-f]+)', out, re.M):
        names[str(int(m.group(2), 16))] = m.group(1)
    return names


def by_group(pid, seconds):
    names = java_names(pid)
    a = sample(pid)
    time.sleep(seconds)
    b = sample(pid)
    groups = {}
    for tid, (name, ticks) in b.items():
        used = ticks - a.get(tid, (name, 0))[1]
        key = re.sub(r"\d+", "#", names.get(tid, name))
        n, t = groups.get(key, (0, 0))
        groups[key] = (n + 1, t + used)
    return {k: (n, 100.0 * t / TICKS / seconds) for k, (n, t) in groups.items()}


if __name__ == "__main__":
    pid, secs = int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 30
    g = by_group(pid, secs)
    total = sum(c for _, c in g.values())
    print(f"pid {pid}, {secs:.0f} s: {total:.2f}% of a core")
    for k, (n, c) in sorted(g.items(), key=lambda x: -x[1][1]):
        if c > 0:
            print(f"{c:6.2f}%  {n:3d} thread(s)  {k}")
