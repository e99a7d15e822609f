#!/usr/bin/python3
"""nicflowctl without nicflowd (issue 4): usage errors (exit 2, exact
stderr), and each command against a fake daemon that records the JSON-RPC
request (exact method and params) and answers a canned result or error
(exit 1, the daemon's message as is).

Usage: test_nicflowctl.py <nicflowctl binary>
Prints one "ok"/"FAIL" line per case and "N passed, N failed".
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

CTL = sys.argv[1]
HINT = " (try 'nicflowctl help')"

USAGE_ERRORS = [
    ([], "missing command" + HINT),
    (["frob"], "unknown command 'frob'" + HINT),
    (["-x", "stats"], "unknown option '-x'" + HINT),
    (["network"], "'network' needs a command (add, del, list)" + HINT),
    (["network", "grow"], "unknown 'network' command 'grow'" + HINT),
    (["network", "add"], "network add: missing NAME" + HINT),
    (["network", "add", "blue"], "network add: missing 'vni'" + HINT),
    (["network", "add", "blue", "vni"], "vni: missing value" + HINT),
    (["network", "add", "blue", "vni", "x"],
     "vni: 'x' is not an integer" + HINT),
    (["network", "add", "blue", "color", "red"],
     "network add: unexpected 'color'" + HINT),
    (["port", "add", "vm1", "rep", "0", "mac", "02:00:00:00:00:01",
      "ipv4", "10.0.0.1"], "port add: missing 'network'" + HINT),
    (["dump-flows", "all"], "dump-flows: unexpected 'all'" + HINT),
    (["-s"], "-s: missing PATH" + HINT),
]

# args, method, params, canned answer, exit code, stdout / stderr wanted
CALLS = [
    (["network", "add", "blue", "vni", "100"], "network_add",
     {"name": "blue", "vni": 100}, {"result": None}, 0, ""),
    (["port", "add", "vm1", "rep", "0", "mac", "02:00:00:00:00:01", "ipv4",
      "10.0.0.1", "network", "blue"], "port_add",
     {"name": "vm1", "rep": "0", "mac": "02:00:00:00:00:01",
      "ipv4": "10.0.0.1", "network": "blue"}, {"result": None}, 0, ""),
    (["port", "del", "vm1"], "port_del", {"name": "vm1"},
     {"error": {"code": -32602, "message": "port 'vm1' does not exist"}},
     1, "nicflowctl: port 'vm1' does not exist\n"),
    (["network", "list"], "network_list", {},
     {"result": [{"name": "blue", "vni": 100}]}, 0,
     "NETWORK          VNI\nblue             100\n"),
    (["vport", "list"], "vport_list", {},
     {"result": [{"type": "vhost", "path": "/run/vm1.sock", "client": 0,
                  "vdev": "net_vhost0", "representor": "net_snic0_rep_1",
                  "link": "up"},
                 {"type": "vhost", "path": "/run/vm2.sock", "client": 1,
                  "vdev": "net_vhost1", "representor": "net_snic0_rep_2",
                  "link": "down"},
                 {"type": "tap", "iface": "ctr1", "vdev": "net_tap0",
                  "representor": "net_snic0_rep_3", "link": "up"}]}, 0,
     "VDEV         TYPE         REPRESENTOR                  LINK  "
     "SOCKET/IFACE\n"
     "net_vhost0   vhost        net_snic0_rep_1              up    "
     "/run/vm1.sock\n"
     "net_vhost1   vhost-client net_snic0_rep_2              down  "
     "/run/vm2.sock\n"
     "net_tap0     tap          net_snic0_rep_3              up    ctr1\n"),
    (["dump-nic"], "nic_dump", {},
     {"result": {"net_snic0": "port 3 (net_snic0): 0 rules\n"}}, 0,
     "== net_snic0\nport 3 (net_snic0): 0 rules\n"),
    (["dump-flows"], "flow_dump", {},
     {"result": [{"id": 3, "match": {"in_port": 4, "eth_src": "a",
                  "eth_dst": "b", "eth_type": "0x0800", "vlan_tci": 0,
                  "ip_dst": "10.0.0.2", "ip_proto": 17},
                  "actions": {"count": True, "port_id": 5}, "where": "nic",
                  "reason": "", "counters": {"sw_packets": 1,
                  "sw_bytes": 2, "nic_packets": 3, "nic_bytes": 4}}]}, 0,
     "id=3 in_port=4 eth_src=a eth_dst=b eth_type=0x0800 ip_dst=10.0.0.2 "
     "ip_proto=17 actions=count,port_id:5 where=nic sw_packets=1 "
     "sw_bytes=2 nic_packets=3 nic_bytes=4\n"),
]


class FakeDaemon(threading.Thread):
    def __init__(self, path):
        super().__init__(daemon=True)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.bind(path)
        self.s.listen(4)
        self.answer, self.got = None, None

    def run(self):
        while True:
            c, _ = self.s.accept()
            line = c.makefile().readline()
            self.got = json.loads(line)
            c.sendall((json.dumps(dict(jsonrpc="2.0", id=self.got["id"],
                                       **self.answer)) + "\n").encode())
            c.close()


def run(args, sock="/nonexistent/nfd.sock"):
    return subprocess.run([CTL, "-s", sock] + args, text=True,
                          capture_output=True)


def main():
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        passed, failed = passed + ok, failed + (not ok)

    for args, msg in USAGE_ERRORS:
        r = run(args)
        check(r.returncode == 2 and r.stderr == f"nicflowctl: {msg}\n",
              f"usage {args}: rc {r.returncode} {r.stderr.strip()!r}")
    r = run(["stats"])
    check(r.returncode == 1 and "cannot connect to nicflowd at "
          "/nonexistent/nfd.sock" in r.stderr, "no daemon: exit 1")
    r = subprocess.run([CTL, "--help"], text=True, capture_output=True)
    check(r.returncode == 0 and r.stdout.startswith("Usage: nicflowctl"),
          "--help")
    tmp = tempfile.mkdtemp(prefix="nfctl")
    sock = os.path.join(tmp, "fake.sock")
    fake = FakeDaemon(sock)
    fake.start()
    for args, method, params, answer, rc, want in CALLS:
        fake.answer = answer
        r = run(args, sock)
        out = r.stdout if rc == 0 else r.stderr
        check(r.returncode == rc and out == want and fake.got is not None
              and fake.got["method"] == method and
              fake.got["params"] == params,
              f"{' '.join(args)}: rc {r.returncode}, sent {fake.got}")
    os.unlink(sock)
    os.rmdir(tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
