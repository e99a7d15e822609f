#!/usr/bin/python3
"""nicflowd end to end, tunnel flows that follow the underlay (V-9, issue 7):
one nicflowd with two snic NICs (two switch domains), an uplink each on one
underlay bridge, and a Linux kernel VXLAN VTEP K as the remote. The underlay
is IPv4, or IPv6 with --ipv6 (VTEPs fd00:50::1 and ::3, neighbour
discovery instead of ARP, 70 bytes of encapsulation instead of 50: the VM
MTUs below become 1430).

  NIC 0 (net_snic0): uplink u0, VM a1 (10.1.0.1, MTU 1450), VM a2 (10.1.0.2,
                     MTU 1500: too big to encapsulate over a 1500 uplink)
  NIC 1 (net_snic1): uplink u1, VM c1 (10.1.0.11, MTU 1450)
  K: kernel vxlan id 100, 10.1.0.3, VTEP 192.168.50.3

  1. Gating: K answers no ARP (IPv6: does not have its VTEP address yet);
     a1's flow to K is in software waiting for ARP / ND; once K answers,
     the flow is offloaded on NIC 0.
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
     path MTU to 1450; with --ipv6 also an IPv6 packet too big gets ICMPv6
     "packet too big" and a2's IPv6 path MTU drops to 1430.
Needs root; prints SKIP and exits 77 otherwise. Cleans up on any failure.
Usage: test_underlay_e2e.py NICFLOWD NICFLOWCTL [--ipv6]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nfe2e
from nfe2e import check, sh, snic

V6 = "--ipv6" in sys.argv[3:]
T = f"ul{'6' if V6 else ''}{os.getpid() % 10000}"
if V6:
    K_VTEP, VTEP, PLEN, ENCAP = "fd00:50::3", "fd00:50::1", 128, 70
    RESOLVER = "neighbour discovery"
else:
    K_VTEP, VTEP, PLEN, ENCAP = "192.168.50.3", "192.168.50.1", 32, 50
    RESOLVER = "ARP"
INNER_MTU = 1500 - ENCAP  # what a VM may send through a 1500 underlay
VMS = {  # name: nic, mac, ip, mtu
    "a1": (0, "02:00:00:07:00:01", "10.1.0.1", INNER_MTU),
    "a2": (0, "02:00:00:07:00:02", "10.1.0.2", 1500),
    "c1": (1, "02:00:00:07:00:11", "10.1.0.11", INNER_MTU),
}
K_MAC, K_MAC2, K_IP = "02:00:00:07:00:03", "02:00:00:07:00:33", "10.1.0.3"
A2_IP6, K_IP6 = "fd10::2", "fd10::3"  # --ipv6: IPv6 inside the overlay
KEMAC, KEMAC2 = "02:00:00:70:00:03", "02:00:00:70:00:43"  # K's eth0


def nsx(ns, cmd, **kw):
    return nfe2e.nsx(f"{T}{ns}", cmd, **kw)


def topo_up():
    nfe2e.underlay_up(f"{T}br", [(f"{T}u{i}", f"{T}p{i}") for i in (0, 1)])
    for vm, (_, mac, ip, mtu) in VMS.items():
        nfe2e.vm_up(f"{T}{vm}", f"{T}h{vm}", mac, f"{ip}/24", mtu)
        # The ARP for K is answered by the switch (remote k1): static is
        # the same and keeps the counters simple.
        nsx(vm, f"ip neigh replace {K_IP} lladdr {K_MAC} dev eth0")
    sh(f"ip netns add {T}k")
    sh(f"ip link add {T}pk type veth peer name eth0 netns {T}k")
    sh(f"ip link set {T}pk master {T}br up")
    nsx("k", f"ip link set eth0 address {KEMAC}")
    if V6:
        # Gating: K gets its VTEP address (so answers ND) only later. Our
        # VXLAN has UDP checksum 0, as the NIC sends it (RFC 6935).
        nsx("k", "ip link set eth0 up")
        nsx("k", f"ip link add vx0 type vxlan id 100 local {K_VTEP} "
            "dstport 4789 nolearning udp6zerocsumrx")
    else:
        nsx("k", "sysctl -qw net.ipv6.conf.all.disable_ipv6=1",
            check_rc=False)
        nsx("k", f"ip addr add {K_VTEP}/24 dev eth0")
        nsx("k", "ip link set eth0 arp off up")  # gating: no ARP answers
        nsx("k", f"ip link add vx0 type vxlan id 100 local {K_VTEP} "
            "dstport 4789 nolearning")
    nsx("k", "ethtool -K eth0 tx off", check_rc=False)
    nsx("k", f"bridge fdb append 00:00:00:00:00:00 dev vx0 dst {VTEP}")
    nsx("k", f"ip link set vx0 address {K_MAC} mtu {INNER_MTU} up")
    nsx("k", f"ip addr add {K_IP}/24 dev vx0")
    if V6:
        nsx("k", f"ip addr add {K_IP6}/64 dev vx0 nodad")
        nsx("a2", "sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0")
        nsx("a2", f"ip addr add {A2_IP6}/64 dev eth0 nodad")
        nsx("a2", f"ip neigh replace {K_IP6} lladdr {K_MAC} dev eth0")


def k_answers():
    """From now on K answers ARP / ND for its VTEP address."""
    if V6:
        nsx("k", f"ip addr add {K_VTEP}/64 dev eth0 nodad")
    else:
        nsx("k", "ip link set eth0 arp on")


def topo_down():
    for vm in list(VMS) + ["k"]:
        nfe2e.vm_down(f"{T}{vm}", f"{T}h{vm}")
    for i in (0, 1):
        sh(f"ip link del {T}u{i}", check_rc=False)
    sh(f"ip link del {T}br", check_rc=False)


class Daemon(nfe2e.Daemon):
    """nicflowd with two NICs: NIC 0 (uplink u0; a1, a2), NIC 1 (uplink
    u1; c1); no config file."""

    def __init__(self, tmp):
        vdevs0, nic0 = snic([f"{T}ha1", f"{T}ha2"], f"{T}u0")
        vdevs1, nic1 = snic([f"{T}hc1"], f"{T}u1", first=3)
        super().__init__(tmp, T, ["--idle-timeout", "60", "--neigh-refresh",
                                  "2", *vdevs0, *vdevs1, "--devargs", nic0,
                                  "--extra-nic", "net_snic1," + nic1],
                         stem="nfd", config=False)

    def flow_of(self, vm, proto=17):
        for f in self.j("dump-flows"):
            if f["match"]["eth_src"].lower() == VMS[vm][1] and \
                    f["match"]["ip_proto"] == proto:
                return f
        return None


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
    d.do("route", "add", f"{K_VTEP}/{PLEN}", "uplink", "net_snic0")


class Sender:
    """UDP datagrams from vm to K every ~4 ms until stopped."""

    def __init__(self, vm, port):
        self.p = nfe2e.py(
            f"{T}{vm}", "import socket,time,sys;s=socket.socket(2,2)\n"
            "while True:\n"
            f" s.sendto(b'u'*64,('{K_IP}',{port}));time.sleep(0.004)",
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        self.p.kill()
        self.p.wait()


def capture(seconds, fields):
    """VXLAN toward K (not K's own ICMP errors back to us); for the
    Ethernet fields tshark lists outer, inner: the outer comes first."""
    return nfe2e.tshark("eth0", seconds,
                        f"udp port 4789 and dst host {K_VTEP}", fields,
                        netns=f"{T}k", opts=("-p", "-E", "occurrence=f"))


def gating(d):
    s = Sender("a1", 7100)
    time.sleep(2)
    f = d.flow_of("a1")
    st = d.j("stats")
    check(f is not None and f["where"] == "software" and
          f"unresolved: waiting for {RESOLVER}" in f["reason"] and
          st["drops"]["neigh_unresolved"] > 0 and
          st["nd_solicits" if V6 else "arp_requests"] > 0,
          f"gating: next hop unresolved, a1's flow waits in software "
          f"({f['reason'] if f else None})")
    k_answers()
    time.sleep(3)
    f = d.flow_of("a1")
    enc = f["actions"].get("vxlan_encap", {}) if f else {}
    neigh = [n for n in d.j("neigh", "list") if n["ip"] == K_VTEP]
    check(f is not None and f["where"] == "nic" and
          enc["eth_dst"].lower() == KEMAC and enc["ip_src"] == VTEP and
          enc["ip_dst"] == K_VTEP and len(neigh) == 1 and
          neigh[0]["state"] == "reachable",
          f"gating: {RESOLVER} resolved ({neigh}), the flow is offloaded "
          f"on NIC 0 toward {enc}")
    # K's kernel takes both what the NIC encapsulates (the offloaded UDP
    # flow) and what the slow path does (ICMP is never offloaded, N-3),
    # and its replies come back through the decapsulation.
    n = int(nfe2e.pyrun(f"{T}k", "import socket,time;s=socket.socket(2,2)"
                        ";s.bind(('',7100));s.settimeout(0.2);n=0;"
                        "end=time.time()+1.5\nwhile time.time()<end:\n"
                        " try: s.recv(4096);n+=1\n except OSError: pass\n"
                        "print(n)"))
    ok, out = nfe2e.ping(f"{T}a1", K_IP)
    check(n > 50 and ok, f"K's stack received {n} datagrams of a1's "
          f"offloaded flow in 1.5 s and answered a1's pings ({ok})")
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
    d.do("route", "add", f"{K_VTEP}/{PLEN}", "uplink", "net_snic1")
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
    rx = nfe2e.UdpReceiver(f"{T}a1", 7103)
    snd = nfe2e.py(f"{T}k", "import socket,time;s=socket.socket(2,2)\n"
                   "for i in range(2000):\n"
                   f" s.sendto(b'd'*64,('{VMS['a1'][2]}',7103));"
                   "time.sleep(0.004)", stdout=None)

    def decaps():
        return {f["match"]["in_port"]: f for f in d.flows("l2-decap", 17)}
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
    n = rx.result()[0]
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
          f["reason"] and f"1500 + {ENCAP}" in f["reason"],
          f"MTU: a2's flow is not offloaded ({f['reason'] if f else None})")
    r = subprocess.run(f"ip netns exec {T}a2 ping -c 2 -i 0.3 -W 1 -M do -s "
                       f"1472 {K_IP}", shell=True, text=True,
                       capture_output=True)
    pmtu = nsx("a2", f"ip route get {K_IP}")
    m = INNER_MTU
    check(f"mtu {m}" in pmtu or f"mtu = {m}" in r.stdout + r.stderr or
          f"mtu={m}" in r.stdout + r.stderr,
          f"MTU: a DF 1500-byte packet got ICMP fragmentation needed; a2's "
          f"path MTU is {m} ({pmtu.strip()})")
    if not V6:
        return
    # IPv6 inside the overlay: a 1500-byte echo request to K gets ICMPv6
    # "packet too big" (RFC 4443) and a2's IPv6 path MTU drops.
    r = subprocess.run(f"ip netns exec {T}a2 ping -6 -c 2 -i 0.3 -W 1 -M do "
                       f"-s 1452 {K_IP6}", shell=True, text=True,
                       capture_output=True)
    pmtu = nsx("a2", f"ip -6 route get {K_IP6}")
    check(f"mtu {m}" in pmtu and
          d.j("stats")["drops"]["too_big"] >= 2,
          f"MTU: an IPv6 1500-byte packet got ICMPv6 packet too big; a2's "
          f"IPv6 path MTU is {m} ({pmtu.strip()})")


def main():
    nfe2e.require(tools=("ping", "tshark"))
    tmp = tempfile.mkdtemp(prefix="nful", dir="/run")
    d = None
    s = None
    try:
        topo_up()
        d = Daemon(tmp)
        model(d)
        s = gating(d)
        route_move(d, s)
        d.do("route", "add", f"{K_VTEP}/{PLEN}", "uplink", "net_snic0")
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
        if nfe2e.failed or sys.exc_info()[0] is not None:
            nfe2e.dump_log(os.path.join(tmp, "nfd.log"))
        shutil.rmtree(tmp, ignore_errors=True)
    return nfe2e.finish()


if __name__ == "__main__":
    sys.exit(main())
