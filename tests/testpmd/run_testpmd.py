#!/usr/bin/python3
"""Drive Debian's dpdk-testpmd with net_snic loaded from our build (-d).

A script is a list of steps:
    > <testpmd command>
    < <text that must appear in that command's output>
    ! <text that must NOT appear in that command's output>
Lines starting with '#' are comments. testpmd runs interactively with its
commands on stdin; the output is split at each "testpmd> " prompt, so step k
is checked against the output of command k only.

Usage: run_testpmd.py <librte_net_snic.so> <script> [name]
Prints one "ok"/"FAIL" line per expectation and "N passed, N failed".
"""
import os
import pty
import select
import subprocess
import sys
import time

PROMPT = "testpmd> "


def read_until_prompt(fd, timeout=60):
    """Read from the pty until testpmd's prompt; return what came before."""
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        if buf.endswith(PROMPT.encode()):
            return buf[:-len(PROMPT)].decode(errors="replace"), True
    return buf.decode(errors="replace"), False


def parse(path):
    steps = []
    for raw in open(path):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, text = line[0], line[2:]
        if kind == ">":
            steps.append({"cmd": text, "want": [], "reject": []})
        elif kind == "<":
            steps[-1]["want"].append(text)
        elif kind == "!":
            steps[-1]["reject"].append(text)
        else:
            raise SystemExit(f"{path}: bad line: {line}")
    return steps


def main():
    so, script = sys.argv[1], sys.argv[2]
    name = sys.argv[3] if len(sys.argv) > 3 else "tp"
    steps = parse(script)
    eal = ["dpdk-testpmd", "--no-huge", "-m", "512", "--no-pci",
           "-l", "0-1", "--file-prefix", f"nf_{name}_{os.getpid()}",
           "-d", os.path.abspath(so),
           "--log-level", "pmd.net.snic:info",
           "--vdev=net_ring0", "--vdev=net_ring1", "--vdev=net_ring2",
           "--vdev=net_snic0,uplink=net_ring0,vf=net_ring1,vf=net_ring2",
           "--", "-i", "--total-num-mbufs=4096", "--nb-cores=1"]
    # A pty keeps testpmd's stdout and stderr in order, line by line.
    master, slave = pty.openpty()
    proc = subprocess.Popen(eal, stdin=slave, stdout=slave, stderr=slave,
                            close_fds=True)
    os.close(slave)
    start, ok = read_until_prompt(master)
    passed = failed = 0
    if not ok:
        print(start)
        print("testpmd did not start")
        proc.kill()
        print("0 passed, 1 failed")
        return 1
    outputs = []
    for s in steps:
        os.write(master, (s["cmd"] + "\n").encode())
        out, _ = read_until_prompt(master)
        # drop the echoed command line
        outputs.append(out.split("\n", 1)[1] if "\n" in out else "")
    os.write(master, b"quit\n")
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    for k, s in enumerate(steps):
        seg = outputs[k]
        for w in s["want"]:
            ok = w in seg
            print(("ok   " if ok else "FAIL ") + f"{s['cmd']!r} shows {w!r}")
            if not ok:
                print("     output was: " + seg.strip().replace("\n", "\n     "))
            passed, failed = passed + ok, failed + (not ok)
        for r in s["reject"]:
            ok = r not in seg
            print(("ok   " if ok else "FAIL ") +
                  f"{s['cmd']!r} does not show {r!r}")
            if not ok:
                print("     output was: " + seg.strip().replace("\n", "\n     "))
            passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
