#!/usr/bin/python3
"""bondctl end to end (N-19, N-18 persistence): a real NIC process
(nic_host: net_snic_e2e from an init config, uplink bond0 over net_null
ports eth0/eth1, spare ports eth2/eth3) and bondctl as a user runs it, every
command; then the NIC restarts and shows the same bond configuration.

Usage: test_bondctl_e2e.py <bondctl> <nic_host>
Prints one "ok"/"FAIL" line per check and "N passed, N failed".
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

BONDCTL, HOST = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}\n{detail}")


class Nic:
    def __init__(self, tmp, n):
        self.sock = os.path.join(tmp, "agent.sock")
        self.proc = subprocess.Popen(
            [HOST, f"nf_bctl_{os.getpid()}_{n}",
             os.path.join(tmp, "init.cfg")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log = []
        for line in self.proc.stdout:
            self.log.append(line)
            if line.startswith("ready"):
                return
        raise SystemExit("nic_host did not start:\n" + "".join(self.log))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        self.log.append(out)
        return self.proc.returncode


def bondctl(sock, *args):
    r = subprocess.run([BONDCTL] + list(args), capture_output=True,
                       text=True, timeout=30,
                       env=dict(os.environ, BONDCTL_SOCK=sock))
    return r.returncode, r.stdout, r.stderr


def ok_cmd(sock, *args):
    rc, out, err = bondctl(sock, *args)
    check("bondctl " + " ".join(args), rc == 0 and err == "",
          f"  exit {rc} stderr {err!r}\n  stdout {out!r}")
    return out


def fail_cmd(sock, args, msg):
    rc, out, err = bondctl(sock, *args)
    check("bondctl " + " ".join(args) + " (error)",
          rc == 1 and out == "" and err == f"bondctl: {msg}\n",
          f"  exit {rc} stderr {err!r}\n  want   {'bondctl: ' + msg!r}")


def config_lines(text):
    """The configuration part of -d output: no port ids, links, stats."""
    keep = []
    for line in text.splitlines():
        line = re.sub(r"^\S+: ", "", line)
        line = re.sub(r"<[^>]*> mtu \S+ ", "", line)
        line = re.sub(r" state (UP|DOWN)", "", line)
        if "link/ether" in line or line.lstrip().startswith("active_"):
            continue
        line = re.sub(r" active_slave \S+", "", line)
        line = re.sub(r"bond_slave state \S+ ", "bond_slave ", line)
        keep.append(line)
    return keep


def main():
    tmp = tempfile.mkdtemp(prefix="nf_bondctl_e2e_")
    os.chmod(tmp, 0o755)
    cfg = {"ports": {"eth0": "net_null_q0", "eth1": "net_null_q1",
                     "eth2": "net_null_q2", "eth3": "net_null_q3"},
           "uplink": "bond0", "mode": "inline",
           "bond_cfg": os.path.join(tmp, "bond.json"),
           "ctl": os.path.join(tmp, "agent.sock")}
    with open(os.path.join(tmp, "init.cfg"), "w") as f:
        json.dump(cfg, f)
    nic = Nic(tmp, 1)
    s = nic.sock
    try:
        out = ok_cmd(s, "show")
        check("show: bond0 is the uplink", re.search(
            r"^\d+: bond0: <MASTER[^>]*> mtu 1500 state (UP|DOWN) "
            r"uplink_of net_snic_e2e\n    link/ether ([0-9a-f]{2}:){5}"
            r"[0-9a-f]{2}\n$", out) is not None, out)
        ok_cmd(s, "set", "eth0", "master", "bond0")
        ok_cmd(s, "set", "eth1", "master", "bond0")
        ok_cmd(s, "add", "bond1", "mode", "active-backup")
        ok_cmd(s, "set", "eth2", "master", "bond1")
        ok_cmd(s, "set", "eth3", "master", "bond1")
        ok_cmd(s, "set", "bond1", "primary", "eth3")
        ok_cmd(s, "add", "bond2")
        ok_cmd(s, "set", "bond2", "mode", "balance-xor")
        ok_cmd(s, "set", "bond2", "xmit_hash_policy", "layer3+4")
        out = ok_cmd(s, "-d", "show", "dev", "bond1")
        check("-d show dev bond1", re.search(
            r"^\d+: bond1: .*\n    link/ether \S+\n    bond mode "
            r"active-backup xmit_hash_policy layer2 primary eth3"
            r"( active_slave eth3)?\n    slaves eth2 eth3\n    "
            r"active_slaves .*\n$", out) is not None, out)
        out = ok_cmd(s, "-d", "show", "dev", "bond2")
        check("-d show dev bond2", "    bond mode balance-xor "
              "xmit_hash_policy layer3+4\n    slaves -\n" in out, out)
        out = ok_cmd(s, "-d", "show", "bond_slave", "dev", "eth2")
        check("-d show bond_slave dev eth2", re.search(
            r"^\d+: eth2: <SLAVE[^>]*> mtu \d+ master bond1 state (UP|DOWN)"
            r"\n    link/ether \S+\n    bond_slave state (ACTIVE|BACKUP|"
            r"INACTIVE) devargs net_null_q2\n$", out) is not None, out)
        out = ok_cmd(s, "-s", "-h", "show", "dev", "bond0")
        check("-s -h show dev bond0", "    RX:       bytes    packets"
              "     errors     missed\n" in out and
              "    TX:       bytes    packets     errors\n" in out, out)
        out = ok_cmd(s, "xstats", "dev", "bond0")
        check("xstats dev bond0", out.startswith("bond0: mode 802.3ad\n"
              "  eth0: master bond0 ") and "\n  eth1: master bond0 " in out
              and "    actor    system " in out and "state <" in out, out)
        out = ok_cmd(s, "xstats", "bond_slave", "dev", "eth2")
        check("xstats bond_slave dev eth2 (no LACP)",
              out.startswith("eth2: master bond1 lacp off\n"), out)
        ok_cmd(s, "xstats")
        ok_cmd(s, "xstats", "bond_slave")
        ok_cmd(s, "set", "eth3", "nomaster")
        out = ok_cmd(s, "-d", "show", "bond_slave", "dev", "eth3")
        check("nomaster: eth3 has no master", re.search(
            r"^\S+: eth3: <[^>]*> mtu \S+ state", out) is not None and
            "master" not in out, out)
        rc, out, err = bondctl(s, "add", "bond1")
        check("add an existing bond fails", rc == 1 and out == "" and
              err.startswith("bondctl: ") and "bond1" in err and
              err.count("\n") == 1, f"{rc} {err!r}")
        rc, out, err = bondctl(s, "show", "dev", "bond9")
        check("show an unknown bond fails", rc == 1 and out == "" and
              err.startswith("bondctl: ") and "bond9" in err and
              err.count("\n") == 1, f"{rc} {err!r}")
        ok_cmd(s, "add", "bond3")
        ok_cmd(s, "delete", "bond3")
        rc, out, err = bondctl(s, "show", "dev", "bond3")
        check("deleted bond is gone", rc == 1 and "bond3" in err, err)

        before = ok_cmd(s, "-d", "show")
        before_sl = ok_cmd(s, "-d", "show", "bond_slave")
        rc = nic.stop()
        check("NIC stops cleanly, socket removed", rc == 0 and
              not os.path.exists(s), "".join(nic.log))
        rc, out, err = bondctl(s, "show")
        check("agent unreachable while the NIC is down", rc == 1 and
              err == f"bondctl: cannot connect to the NIC agent at {s}: "
              "No such file or directory\n", err)
        nic = Nic(tmp, 2)
        after = ok_cmd(s, "-d", "show")
        after_sl = ok_cmd(s, "-d", "show", "bond_slave")
        check("restart: same bonds", config_lines(before) ==
              config_lines(after) and len(config_lines(after)) >= 9,
              f"before:\n{before}\nafter:\n{after}")
        check("restart: same members", config_lines(before_sl) ==
              config_lines(after_sl) and len(config_lines(after_sl)) >= 8,
              f"before:\n{before_sl}\nafter:\n{after_sl}")
    finally:
        if nic.proc.poll() is None:
            nic.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
