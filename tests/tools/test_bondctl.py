#!/usr/bin/python3
"""bondctl without a NIC (N-19): argument errors, and every command against
a fake agent that records the JSON-RPC requests and answers canned results.

Checks, for each case, the exit code, the exact stderr line and the exact
stdout, and for agent calls the exact method and params sent.

Usage: test_bondctl.py <bondctl binary>
Prints one "ok"/"FAIL" line per case and "N passed, N failed".
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

BONDCTL = sys.argv[1]
MODES = "(expected active-backup, balance-xor, 802.3ad)"
POLICIES = "(expected layer2, layer2+3, layer3+4)"
SET_KW = "(expected mode, master, nomaster, primary or xmit_hash_policy)"

# ---------------------------------------------------------------- usage

USAGE_ERRORS = [
    ([], "missing command (try 'bondctl help')"),
    (["frob"], "unknown command 'frob' (try 'bondctl help')"),
    (["-x", "show"], "unknown option '-x' (expected -d[etails], "
     "-s[tatistics], -h[uman-readable])"),
    (["-detailsx", "show"], "unknown option '-detailsx' (expected "
     "-d[etails], -s[tatistics], -h[uman-readable])"),
    (["add"], "add: missing BOND_DEV"),
    (["add", "bond0", "mode"], "add: 'mode' needs a BONDMODE"),
    (["add", "bond0", "mode", "foo"], f"unknown mode 'foo' {MODES}"),
    (["add", "bond0", "type", "bond"],
     "add: unexpected 'type' (expected 'mode')"),
    (["add", "bond0", "mode", "802.3ad", "x"], "add: unexpected 'x'"),
    (["add", "a" * 32], "invalid device name '" + "a" * 32 +
     "' (1 to 31 characters, not starting with '-')"),
    (["add", "bo nd"], "invalid device name 'bo nd' (no spaces, control "
     "characters or '/')"),
    (["delete"], "delete: missing BOND_DEV"),
    (["delete", "bond0", "bond1"], "delete: unexpected 'bond1'"),
    (["set"], "set: missing device"),
    (["set", "bond0"], f"set: missing keyword after 'bond0' {SET_KW}"),
    (["set", "bond0", "type"], f"set: unknown keyword 'type' {SET_KW}"),
    (["set", "bond0", "mode"], "set: 'mode' needs a BONDMODE"),
    (["set", "bond0", "mode", "balance-rr"],
     f"unknown mode 'balance-rr' {MODES}"),
    (["set", "eth0", "master"], "set: 'master' needs a BOND_DEV"),
    (["set", "eth0", "nomaster", "bond0"], "set: unexpected 'bond0'"),
    (["set", "bond0", "primary"], "set: 'primary' needs a SLAVE_DEV"),
    (["set", "bond0", "xmit_hash_policy", "layer2+4"],
     f"unknown xmit_hash_policy 'layer2+4' {POLICIES}"),
    (["set", "bond0", "xmit_hash_policy"],
     "set: 'xmit_hash_policy' needs a XMIT_HASH_POLICY"),
    (["show", "bond0"], "show: unexpected 'bond0' (expected 'bond_slave' "
     "or 'dev BOND_DEV')"),
    (["show", "dev"], "show: 'dev' needs a BOND_DEV"),
    (["show", "bond_slave", "eth0"],
     "show: unexpected 'eth0' (expected 'dev SLAVE_DEV')"),
    (["show", "dev", "bond0", "extra"], "show: unexpected 'extra'"),
    (["xstats", "bond_slave", "dev"], "xstats: 'dev' needs a SLAVE_DEV"),
    (["xstats", "nope"], "xstats: unexpected 'nope' (expected "
     "'bond_slave' or 'dev BOND_DEV')"),
]

# ---------------------------------------------------------------- agent

STATS = {"rx_packets": 12345, "rx_bytes": 9876543, "rx_errors": 0,
         "rx_missed": 2, "tx_packets": 999, "tx_bytes": 1500,
         "tx_errors": 1}
BONDS = [
    {"name": "bond0", "port_id": 3, "mode": "802.3ad",
     "xmit_hash_policy": "layer3+4", "primary": None, "active_slave": None,
     "slaves": ["eth0", "eth1"], "active_slaves": ["eth0", "eth1"],
     "link": "up", "mac": "02:00:00:00:00:01", "mtu": 1500,
     "uplink_of": "net_snic_bond0", "stats": STATS},
    {"name": "bond1", "port_id": 4, "mode": "active-backup",
     "xmit_hash_policy": "layer2", "primary": "eth2",
     "active_slave": None, "slaves": [], "active_slaves": [],
     "link": "down", "mac": "02:00:00:00:00:02", "mtu": 9000,
     "uplink_of": None, "stats": dict.fromkeys(STATS, 0)},
]
SLAVES = [
    {"name": "eth0", "port_id": 1, "devargs": "net_af_packet0,iface=v0",
     "master": "bond0", "state": "active", "link": "up",
     "mac": "aa:bb:cc:00:00:01", "mtu": 1500, "stats": STATS},
    {"name": "eth2", "port_id": None, "devargs": "net_null_e2",
     "master": None, "state": "inactive", "link": "down", "mac": None,
     "mtu": None, "stats": None},
]
SIDE = {"system": "02:00:00:00:00:01", "system_priority": 65535,
        "key": 33, "port_priority": 255, "port_number": 1,
        "state": ["activity", "aggregation", "synchronization",
                  "collecting", "distributing"]}
LACP = {"name": "eth0", "master": "bond0", "selected": "selected",
        "aggregator_port": "eth0", "actor": SIDE,
        "partner": dict(SIDE, system="02:00:00:00:00:99", key=7,
                        state=["activity", "timeout"]),
        "xstats": {"lacpdu_rx": 10, "lacpdu_tx": 11}}
NOLACP = {"name": "eth2", "master": "bond1", "selected": None,
          "aggregator_port": None, "actor": None, "partner": None,
          "xstats": {}}

RESULTS = {
    "bond_show": BONDS, "bond_slave_show": SLAVES,
    "bond_xstats": [{"name": "bond0", "mode": "802.3ad", "slaves": [LACP]},
                    {"name": "bond1", "mode": "active-backup",
                     "slaves": [NOLACP]}],
    "bond_slave_xstats": [LACP],
}


class FakeAgent:
    """Answers each request line; bond_delete of 'bad' gets an error."""

    def __init__(self, path):
        self.path = path
        self.requests = []
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(4)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            conn, _ = self.srv.accept()
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if not data:
                    continue
                req = json.loads(data)
                self.requests.append(req)
                m = req["method"]
                if req["params"].get("bond") == "bad":
                    resp = {"jsonrpc": "2.0", "id": req["id"], "error": {
                        "code": -32602,
                        "message": "unknown bond device 'bad'"}}
                elif m == "bond_nonexistent" or m not in RESULTS and \
                        not m.startswith("bond_"):
                    resp = {"jsonrpc": "2.0", "id": req["id"], "error": {
                        "code": -32601, "message": "Method not found"}}
                else:
                    resp = {"jsonrpc": "2.0", "id": req["id"],
                            "result": RESULTS.get(m)}
                conn.sendall(json.dumps(resp).encode() + b"\n")


AGENT_CASES = [
    (["add", "bond0"], "bond_add", {"bond": "bond0"}, ""),
    (["add", "bond0", "mode", "active-backup"], "bond_add",
     {"bond": "bond0", "mode": "active-backup"}, ""),
    (["delete", "bond0"], "bond_delete", {"bond": "bond0"}, ""),
    (["set", "bond0", "mode", "balance-xor"], "bond_set_mode",
     {"bond": "bond0", "mode": "balance-xor"}, ""),
    (["set", "eth0", "master", "bond0"], "bond_set_master",
     {"slave": "eth0", "bond": "bond0"}, ""),
    (["set", "eth0", "nomaster"], "bond_set_nomaster", {"slave": "eth0"},
     ""),
    (["set", "bond0", "primary", "eth1"], "bond_set_primary",
     {"bond": "bond0", "slave": "eth1"}, ""),
    (["set", "bond0", "xmit_hash_policy", "layer2+3"],
     "bond_set_xmit_hash_policy", {"bond": "bond0", "policy": "layer2+3"},
     ""),
    (["show"], "bond_show", {},
     "3: bond0: <MASTER,UP,LOWER_UP> mtu 1500 state UP uplink_of "
     "net_snic_bond0\n"
     "    link/ether 02:00:00:00:00:01\n"
     "4: bond1: <MASTER> mtu 9000 state DOWN\n"
     "    link/ether 02:00:00:00:00:02\n"),
    (["-d", "show", "dev", "bond0"], "bond_show", {"bond": "bond0"},
     "3: bond0: <MASTER,UP,LOWER_UP> mtu 1500 state UP uplink_of "
     "net_snic_bond0\n"
     "    link/ether 02:00:00:00:00:01\n"
     "    bond mode 802.3ad xmit_hash_policy layer3+4\n"
     "    slaves eth0 eth1\n"
     "    active_slaves eth0 eth1\n"
     "4: bond1: <MASTER> mtu 9000 state DOWN\n"
     "    link/ether 02:00:00:00:00:02\n"
     "    bond mode active-backup xmit_hash_policy layer2 primary eth2\n"
     "    slaves -\n"
     "    active_slaves -\n"),
    (["-s", "show"], "bond_show", {},
     "3: bond0: <MASTER,UP,LOWER_UP> mtu 1500 state UP uplink_of "
     "net_snic_bond0\n"
     "    link/ether 02:00:00:00:00:01\n"
     "    RX:       bytes    packets     errors     missed\n"
     "            9876543      12345          0          2\n"
     "    TX:       bytes    packets     errors\n"
     "               1500        999          1\n"
     "4: bond1: <MASTER> mtu 9000 state DOWN\n"
     "    link/ether 02:00:00:00:00:02\n"
     "    RX:       bytes    packets     errors     missed\n"
     "                  0          0          0          0\n"
     "    TX:       bytes    packets     errors\n"
     "                  0          0          0\n"),
    (["-statistics", "--human-readable", "show", "dev", "bond0"],
     "bond_show", {"bond": "bond0"},
     "3: bond0: <MASTER,UP,LOWER_UP> mtu 1500 state UP uplink_of "
     "net_snic_bond0\n"
     "    link/ether 02:00:00:00:00:01\n"
     "    RX:       bytes    packets     errors     missed\n"
     "              9.88M      12.3K          0          2\n"
     "    TX:       bytes    packets     errors\n"
     "              1.50K        999          1\n"
     "4: bond1: <MASTER> mtu 9000 state DOWN\n"
     "    link/ether 02:00:00:00:00:02\n"
     "    RX:       bytes    packets     errors     missed\n"
     "                  0          0          0          0\n"
     "    TX:       bytes    packets     errors\n"
     "                  0          0          0\n"),
    (["-details", "-stats", "-h", "show", "bond_slave"], "bond_slave_show",
     {},
     "1: eth0: <SLAVE,UP,LOWER_UP> mtu 1500 master bond0 state UP\n"
     "    link/ether aa:bb:cc:00:00:01\n"
     "    bond_slave state ACTIVE devargs net_af_packet0,iface=v0\n"
     "    RX:       bytes    packets     errors     missed\n"
     "              9.88M      12.3K          0          2\n"
     "    TX:       bytes    packets     errors\n"
     "              1.50K        999          1\n"
     "-: eth2: <> mtu - state DOWN\n"
     "    link/ether -\n"
     "    bond_slave state INACTIVE devargs net_null_e2\n"
     "    statistics unavailable (no port)\n"),
    (["show", "bond_slave", "dev", "eth0"], "bond_slave_show",
     {"slave": "eth0"},
     "1: eth0: <SLAVE,UP,LOWER_UP> mtu 1500 master bond0 state UP\n"
     "    link/ether aa:bb:cc:00:00:01\n"
     "-: eth2: <> mtu - state DOWN\n"
     "    link/ether -\n"),
    (["xstats"], "bond_xstats", {},
     "bond0: mode 802.3ad\n"
     "  eth0: master bond0 selected selected aggregator_port eth0\n"
     "    actor    system 02:00:00:00:00:01 system_priority 65535 key 33 "
     "port_priority 255 port_number 1\n"
     "             state <ACTIVITY,AGGREGATION,SYNCHRONIZATION,COLLECTING,"
     "DISTRIBUTING>\n"
     "    partner  system 02:00:00:00:00:99 system_priority 65535 key 7 "
     "port_priority 255 port_number 1\n"
     "             state <ACTIVITY,TIMEOUT>\n"
     "    counters\n"
     "      lacpdu_rx                        10\n"
     "      lacpdu_tx                        11\n"
     "bond1: mode active-backup\n"
     "  eth2: master bond1 lacp off\n"),
    (["xstats", "dev", "bond0"], "bond_xstats", {"bond": "bond0"}, None),
    (["xstats", "bond_slave", "dev", "eth0"], "bond_slave_xstats",
     {"slave": "eth0"},
     "eth0: master bond0 selected selected aggregator_port eth0\n"
     "    actor    system 02:00:00:00:00:01 system_priority 65535 key 33 "
     "port_priority 255 port_number 1\n"
     "             state <ACTIVITY,AGGREGATION,SYNCHRONIZATION,COLLECTING,"
     "DISTRIBUTING>\n"
     "    partner  system 02:00:00:00:00:99 system_priority 65535 key 7 "
     "port_priority 255 port_number 1\n"
     "             state <ACTIVITY,TIMEOUT>\n"
     "    counters\n"
     "      lacpdu_rx                        10\n"
     "      lacpdu_tx                        11\n"),
    (["xstats", "bond_slave"], "bond_slave_xstats", {}, None),
]


def run(args, env_sock):
    env = dict(os.environ, BONDCTL_SOCK=env_sock)
    return subprocess.run([BONDCTL] + args, capture_output=True, text=True,
                          env=env, timeout=30)


def main():
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}\n{detail}")

    tmp = tempfile.mkdtemp(prefix="bondctl_")
    nosock = os.path.join(tmp, "none.sock")
    for args, msg in USAGE_ERRORS:
        r = run(args, nosock)
        want = f"bondctl: {msg}\n"
        check(f"usage {' '.join(args)!r}", r.returncode == 2 and
              r.stderr == want and r.stdout == "",
              f"  exit {r.returncode}\n  stderr {r.stderr!r}\n"
              f"  want   {want!r}\n  stdout {r.stdout!r}")

    for args in (["help"], ["--help"], ["-help"]):
        r = run(args, nosock)
        check(f"help {args}", r.returncode == 0 and r.stderr == "" and
              r.stdout.startswith("Usage: bondctl add BOND_DEV [mode "
                                  "BONDMODE]\n") and
              "OPTIONS := { -d[etails] | -s[tatistics] | -h[uman-readable]"
              " }" in r.stdout, f"  {r}")

    r = run(["show"], nosock)
    want = (f"bondctl: cannot connect to the NIC agent at {nosock}: "
            "No such file or directory\n")
    check("agent unreachable", r.returncode == 1 and r.stderr == want and
          r.stdout == "", f"  {r.returncode} {r.stderr!r}\n  want {want!r}")

    path = os.path.join(tmp, "agent.sock")
    agent = FakeAgent(path)
    for args, method, params, out in AGENT_CASES:
        n = len(agent.requests)
        r = run(args, path)
        req = agent.requests[n] if len(agent.requests) > n else None
        ok = (r.returncode == 0 and r.stderr == "" and req is not None and
              req["method"] == method and req["params"] == params and
              req["jsonrpc"] == "2.0" and
              (out is None or r.stdout == out))
        check(f"agent {' '.join(args)!r}", ok,
              f"  exit {r.returncode} stderr {r.stderr!r}\n  request "
              f"{req}\n  stdout:\n{r.stdout}\n  want:\n{out}")

    r = run(["delete", "bad"], path)
    check("agent error", r.returncode == 1 and r.stdout == "" and
          r.stderr == "bondctl: unknown bond device 'bad'\n",
          f"  {r.returncode} {r.stderr!r}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
