#!/usr/bin/python3
"""nicflowd end to end, tunnel flows that follow the underlay (V-9, issue 7):
one nicflowd with two snic NICs (two switch domains), an uplink each on one
underlay bridge, and a Linux kernel VXLAN VTEP K as the remote.

  NIC 0 (net_snic0): uplink u0, VM a1 (10.1.0.1, MTU 1450), VM a2 (10.1.0.2,
                     MTU 1500: too big to encapsulate over a 1500 uplink)
  NIC 1 (net_snic1): uplink u1, VM c1 (10.1.0.11, MTU 1450)
  K: kernel vxlan id 100, 10.1.0.3, VTEP 192.168.50.3

  1. Gating: K answers no ARP; a1's flow to K is in software waiting for
     ARP; once K answers, the flow is offloaded on NIC 0.
  2. Route move with traffic flowing: 192.168.50.3/32 via NIC 0, then via
     NIC 1. a1's NIC-0 rule is gone (its flow now crosses NICs: software),
     c1's flow is offloaded on NIC 1 and its counter carries the traffic;
     K sees no packet from NIC 0's uplink after the route RPC answered.
  3. Neighbour MAC change: K's MAC changes; the refresh ARP learns it and
     the rule is rebuilt: K's captured packets carry the new MAC.
  4. Decapsulation side: K's packets to a1 start arriving on NIC 1's
     uplink and back: the old NIC's decap flow goes, the new one is in
     software (a1 is on NIC 0) or offloaded (back on NIC 0).
  5. MTU: a2's flow stays in software with the N-15 reason; a DF packet
     too big gets ICMP "fragmentation needed" and a2's stack lowers its
     path MTU to 1450.
Needs root; prints SKIP and exits 77 otherwise. Cleans up on any failure.
Usage: test_underlay_e2e.py NICFLOWD NICFLOWCTL
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

NFD, CTL = (os.path.abspath(a) for a in sys.argv[1:3])
T = f"ul{os.getpid() % 10000}"
VMS = {  # name: nic, mac, ip, mtu
    "a1": (0, "02:00:00:07:00:01", "10.1.0.1", 1450),
    "a2": (0, "02:00:00:07:00:02", "10.1.0.2", 1500),
    "c1": (1, "02:00:00:07:00:11", "10.1.0.11", 1450),
}
K_MAC, K_MAC2, K_IP = "02:00:00:07:00:03", "02:00:00:07:00:33", "10.1.0.3"
K_VTEP, VTEP = "192.168.50.3", "192.168.50.1"
KEMAC, KEMAC2 = "02:00:00:70:00:03", "02:00:00:70:00:43"  # K's eth0
failed = passed = 0


def check(cond, what):
    global failed, passed
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    failed += not cond
    passed += bool(cond)
    return cond


def sh(cmd, check_rc=True, timeout=60):
    return subprocess.run(cmd, shell=True, check=check_rc, text=True,
                          capture_output=True, timeout=timeout).stdout


def nsx(ns, cmd, **kw):
    return sh(f"ip netns exec {T}{ns} {cmd}", **kw)


def topo_up():
    sh(f"ip link add {T}br type bridge")
    sh(f"ip link set {T}br up")
    for i in (0, 1):
        sh(f"ip link add {T}u{i} type veth peer name {T}p{i}")
        sh(f"ip link set {T}p{i} master {T}br up")
        sh(f"ip link set {T}u{i} up")
    for vm, (_, mac, ip, mtu) in VMS.items():
        sh(f"ip netns add {T}{vm}")
        sh(f"ip link add {T}h{vm} type veth peer name eth0 netns {T}{vm}")
        sh(f"ip link set {T}h{vm} up")
        nsx(vm, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1",
            check_rc=False)
        nsx(vm, f"ip link set eth0 address {mac} mtu {mtu}")
        nsx(vm, f"ip addr add {ip}/24 dev eth0")
        nsx(vm, "ip link set eth0 up")
        nsx(vm, "ethtool -K eth0 tx off", check_rc=False)
        # The ARP for K is answered by the switch (remote k1): static is
        # the same and keeps the counters simple.
        nsx(vm, f"ip neigh replace {K_IP} lladdr {K_MAC} dev eth0")
    sh(f"ip netns add {T}k")
    sh(f"ip link add {T}pk type veth peer name eth0 netns {T}k")
    sh(f"ip link set {T}pk master {T}br up")
    nsx("k", "sysctl -qw net.ipv6.conf.all.disable_ipv6=1", check_rc=False)
    nsx("k", f"ip link set eth0 address {KEMAC}")
    nsx("k", f"ip addr add {K_VTEP}/24 dev eth0")
    nsx("k", "ip link set eth0 arp off up")  # gating: no ARP answers yet
    nsx("k", "ethtool -K eth0 tx off", check_rc=False)
    nsx("k", f"ip link add vx0 type vxlan id 100 local {K_VTEP} dstport 4789 "
        "nolearning")
    nsx("k", f"bridge fdb append 00:00:00:00:00:00 dev vx0 dst {VTEP}")
    nsx("k", f"ip link set vx0 address {K_MAC} mtu 1450 up")
    nsx("k", f"ip addr add {K_IP}/24 dev vx0")


def topo_down():
    for vm in list(VMS) + ["k"]:
        sh(f"ip netns del {T}{vm}", check_rc=False)
        sh(f"ip link del {T}h{vm}", check_rc=False)
    for i in (0, 1):
        sh(f"ip link del {T}u{i}", check_rc=False)
    sh(f"ip link del {T}br", check_rc=False)


class Daemon:
    def __init__(self, tmp):
        self.sock = os.path.join(tmp, "nfd.sock")
        a = ["net_af_packet0,iface=" + f"{T}u0",
             "net_af_packet1,iface=" + f"{T}ha1",
             "net_af_packet2,iface=" + f"{T}ha2",
             "net_af_packet3,iface=" + f"{T}u1",
             "net_af_packet4,iface=" + f"{T}hc1"]
        args = [NFD, "--no-huge", "-m", "512", "--file-prefix", T,
                "--no-pci", "-l", "0", "--", "--socket", self.sock,
                "--idle-timeout", "60", "--neigh-refresh", "2"]
        for u in a:
            args += ["--underlay", u]
        args += ["--devargs", "uplink=net_af_packet0,vf=net_af_packet1,"
                 "vf=net_af_packet2,ctl=none",
                 "--extra-nic", "net_snic1,uplink=net_af_packet3,"
                 "vf=net_af_packet4,ctl=none"]
        self.log = open(os.path.join(tmp, "nfd.log"), "a")
        self.p = subprocess.Popen(args, stdout=self.log,
                                  stderr=subprocess.STDOUT)
        end = time.time() + 30
        while time.time() < end and self.p.poll() is None:
            if os.path.exists(self.sock) and \
                    self.ctl("port", "list")[0] == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("nicflowd did not come up")

    def ctl(self, *a, json_out=False):
        r = subprocess.run([CTL, "-s", self.sock] +
                           (["-j"] if json_out else []) + list(a),
                           text=True, capture_output=True)
        return r.returncode, r.stdout, r.stderr

    def do(self, *a):
        rc, _, err = self.ctl(*a)
        if rc != 0:
            raise RuntimeError(f"nicflowctl {a}: {err}")

    def j(self, *a):
        rc, out, err = self.ctl(*a, json_out=True)
        if rc != 0:
            raise RuntimeError(f"nicflowctl {a}: {err}")
        return json.loads(out) if out.strip() else None

    def flow_of(self, vm, proto=17):
        for f in self.j("dump-flows"):
            if f["match"]["eth_src"].lower() == VMS[vm][1] and \
                    f["match"]["ip_proto"] == proto:
                return f
        return None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def model(d):
    d.do("vtep", "add", VTEP)
    d.do("network", "add", "blue", "vni", "100")
    reps = {0: 0, 1: 0}
    for vm, (nic, mac, ip, mtu) in VMS.items():
        d.do("port", "add", vm, "rep", f"net_snic{nic}_representor_"
             f"{reps[nic]}", "mac", mac, "ipv4", ip, "network", "blue",
             "mtu", str(mtu))
        reps[nic] += 1
    d.do("remote", "add", "k1", "network", "blue", "mac", K_MAC, "ipv4",
         K_IP, "vtep", K_VTEP)
    d.do("route", "add", f"{K_VTEP}/32", "uplink", "net_snic0")


class Sender(threading.Thread):
    """UDP datagrams from vm to K every ~4 ms until stopped."""

    def __init__(self, vm, port):
        super().__init__(daemon=True)
        self.p = subprocess.Popen(
            ["ip", "netns", "exec", f"{T}{vm}", "/usr/bin/python3", "-c",
             "import socket,time,sys;s=socket.socket(2,2)\n"
             "while True:\n"
             f" s.sendto(b'u'*64,('{K_IP}',{port}));time.sleep(0.004)"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        self.p.kill()
        self.p.wait()


def capture(seconds, fields):
    """VXLAN toward K (not K's own ICMP errors back to us); for the
    Ethernet fields tshark lists outer, inner: the outer comes first."""
    return subprocess.Popen(
        ["ip", "netns", "exec", f"{T}k", "tshark", "-p", "-i", "eth0", "-a",
         f"duration:{seconds}", "-f", f"udp port 4789 and dst host {K_VTEP}",
         "-T", "fields", "-E", "occurrence=f"] +
        sum((["-e", f] for f in fields), []),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def gating(d):
    s = Sender("a1", 7100)
    time.sleep(2)
    f = d.flow_of("a1")
    check(f is not None and f["where"] == "software" and
          "unresolved: waiting for ARP" in f["reason"] and
          d.j("stats")["drops"]["neigh_unresolved"] > 0,
          f"gating: next hop unresolved, a1's flow waits in software "
          f"({f['reason'] if f else None})")
    nsx("k", "ip link set eth0 arp on")
    time.sleep(3)
    f = d.flow_of("a1")
    check(f is not None and f["where"] == "nic" and
          f["actions"]["vxlan_encap"]["eth_dst"].lower() == KEMAC,
          f"gating: ARP resolved, the flow is offloaded on NIC 0 toward "
          f"{f['actions'].get('vxlan_encap', {}).get('eth_dst') if f else None}")
    return s


def route_move(d, s_a1):
    s_c1 = Sender("c1", 7101)
    time.sleep(2)
    fa, fc = d.flow_of("a1"), d.flow_of("c1")
    u0_mac = fa["actions"]["vxlan_encap"]["eth_src"].lower() if fa else ""
    check(fa and fa["where"] == "nic" and fc and fc["where"] == "software"
          and "another NIC" in fc["reason"],
          "route via NIC 0: a1's flow in NIC 0, c1's (NIC 1 -> NIC 0 "
          f"uplink) in software ({fc['reason'] if fc else None})")
    cap = capture(8, ["frame.time_epoch", "eth.src", "eth.dst"])
    time.sleep(2)
    d.do("route", "add", f"{K_VTEP}/32", "uplink", "net_snic1")
    acked = time.time()
    time.sleep(4)
    fa, fc = d.flow_of("a1"), d.flow_of("c1")
    nic0 = d.j("dump-nic")
    nic0_rules = sum(v.count("exact") for k, v in nic0.items()
                     if k.startswith("net_snic0"))
    c1_hits = fc["counters"]["nic_packets"] if fc else 0
    check(nic0_rules == 0 and fa and fa["where"] == "software" and
          "another NIC" in fa["reason"],
          f"route via NIC 1: NIC 0 has {nic0_rules} rules left; a1's flow "
          "is in software (its egress is now on NIC 1)")
    check(fc and fc["where"] == "nic" and c1_hits > 200,
          f"route via NIC 1: c1's flow is offloaded on NIC 1 and its rule "
          f"carried {c1_hits} packets")
    out = cap.communicate(timeout=30)[0]
    late = [float(t) - acked for t, src, _ in
            (l.split("\t") for l in out.splitlines() if l.count("\t") == 2)
            if src.lower() == u0_mac and float(t) > acked]
    total = len(out.splitlines())
    check(total > 500 and u0_mac != "" and not late,
          f"K saw {total} VXLAN packets; none from NIC 0's uplink "
          f"({u0_mac}) after the route change was acknowledged "
          f"({len(late)} late)")
    s_c1.stop()


def mac_change(d):
    nsx("k", f"ip link set eth0 address {KEMAC2}")
    time.sleep(9)  # refresh 2 s + probes, then revalidation
    f = d.flow_of("a1")
    cap = capture(3, ["eth.dst"])
    out = cap.communicate(timeout=30)[0].split()
    dst = {m.lower() for m in out}
    check(f is not None and f["where"] == "nic" and
          f["actions"]["vxlan_encap"]["eth_dst"].lower() == KEMAC2,
          "neighbour MAC change: the flow's NIC rule now targets "
          f"{f['actions'].get('vxlan_encap', {}).get('eth_dst') if f else None}")
    check(len(out) > 100 and dst == {KEMAC2},
          f"neighbour MAC change: K's {len(out)} captured packets carry "
          f"the new MAC ({sorted(dst)})")


def decap_move(d):
    """K's traffic to a1 starts arriving on NIC 1's uplink (as after a
    route change at the peer): the NIC-0 decap flow goes, the one on NIC 1
    stays in software (a1 is on NIC 0); back on NIC 0 it is offloaded."""
    macs = {f["actions"]["vxlan_encap"]["eth_src"].lower()
            for f in d.j("dump-flows") if "vxlan_encap" in f["actions"]}
    u0 = next(iter(macs))  # a1's encap leaves by NIC 0's uplink now
    u1 = sh(f"cat /sys/class/net/{T}u1/address").strip()
    rx = subprocess.Popen(
        ["ip", "netns", "exec", f"{T}a1", "/usr/bin/python3", "-c",
         "import socket;s=socket.socket(2,2);s.bind(('',7103));"
         "s.settimeout(3);n=0\ntry:\n while True: s.recv(99); n+=1\n"
         "except OSError: pass\nprint(n)"], stdout=subprocess.PIPE,
        text=True)
    snd = subprocess.Popen(
        ["ip", "netns", "exec", f"{T}k", "/usr/bin/python3", "-c",
         "import socket,time;s=socket.socket(2,2)\nfor i in range(2000):\n"
         f" s.sendto(b'd'*64,('{VMS['a1'][2]}',7103));time.sleep(0.004)"])

    def decaps():
        return {f["match"]["in_port"]: f for f in d.j("dump-flows")
                if f["actions"]["template"] == "l2-decap" and
                f["match"]["ip_proto"] == 17}
    nsx("k", f"ip neigh replace {VTEP} lladdr {u0} dev eth0 nud permanent")
    time.sleep(2)
    before = decaps()
    nsx("k", f"ip neigh replace {VTEP} lladdr {u1} dev eth0 nud permanent")
    time.sleep(2.5)
    after = decaps()
    nsx("k", f"ip neigh replace {VTEP} lladdr {u0} dev eth0 nud permanent")
    time.sleep(2.5)
    back = decaps()
    snd.wait(timeout=30)
    n = int(rx.communicate(timeout=30)[0].strip() or 0)
    p0 = next(iter(before), None)
    check(len(before) == 1 and before[p0]["where"] == "nic",
          "decap via NIC 0: K -> a1 offloaded on NIC 0")
    check(len(after) == 1 and p0 not in after and
          next(iter(after.values()))["where"] == "software" and
          "another NIC" in next(iter(after.values()))["reason"],
          "arrival moved to NIC 1: NIC 0's decap flow is gone, the new one "
          "stays in software (a1 is on NIC 0)")
    check(len(back) == 1 and p0 in back and back[p0]["where"] == "nic" and
          n > 1500, f"arrival back on NIC 0: offloaded again; a1 got {n} "
          "of 2000 datagrams through the moves")


def mtu(d):
    subprocess.run(f"ip netns exec {T}a2 ping -c 1 -W 1 {K_IP}", shell=True,
                   capture_output=True)
    nsx("a2", "/usr/bin/python3 -c \"import socket;s=socket.socket(2,2);"
        f"s.sendto(b'm'*64,('{K_IP}',7102))\"")
    time.sleep(0.5)
    f = d.flow_of("a2")
    check(f is not None and f["where"] == "software" and "MTU" in
          f["reason"] and "1500 + 50" in f["reason"],
          f"MTU: a2's flow is not offloaded ({f['reason'] if f else None})")
    r = subprocess.run(f"ip netns exec {T}a2 ping -c 2 -i 0.3 -W 1 -M do -s "
                       f"1472 {K_IP}", shell=True, text=True,
                       capture_output=True)
    pmtu = nsx("a2", f"ip route get {K_IP}")
    check("mtu 1450" in pmtu or "mtu = 1450" in r.stdout + r.stderr or
          "mtu=1450" in r.stdout + r.stderr,
          f"MTU: a DF 1500-byte packet got ICMP fragmentation needed; a2's "
          f"path MTU is 1450 ({pmtu.strip()})")


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces)")
        return 77
    for tool in ("ping", "tshark"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} missing (scripts/setup.sh)")
            return 77
    tmp = tempfile.mkdtemp(prefix="nful", dir="/run")
    d = None
    s = None
    try:
        topo_up()
        d = Daemon(tmp)
        model(d)
        s = gating(d)
        route_move(d, s)
        d.do("route", "add", f"{K_VTEP}/32", "uplink", "net_snic0")
        time.sleep(2)
        mac_change(d)
        decap_move(d)
        mtu(d)
    finally:
        if s is not None:
            s.stop()
        if d is not None:
            d.stop()
        topo_down()
        if failed or sys.exc_info()[0] is not None:
            p = os.path.join(tmp, "nfd.log")
            if os.path.exists(p):
                print(open(p).read()[-3000:])
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
