#!/usr/bin/python3
"""nicflowd end to end, routing and overlay (V-1..V-3, V-7; §7.3–§7.5):
two nicflowd nodes (A, B) and a Linux kernel VXLAN VTEP (K) on one underlay
bridge; VMs are network namespaces on veth + af_packet representors.

  node A: a1 (blue 10.1.0.1, fip 172.16.0.100), a2 (green 10.2.0.1),
          x1 (ext 172.16.0.10, "the outside"), a3 (red: another tenant,
          10.1.0.50 in the same range as blue, VNI 400)
  node B: b1 (blue 10.1.0.2), b2 (green 10.2.0.2)
  K:      kernel vxlan id 100 with 10.1.0.3 (blue), VTEP 192.168.50.3
  router r1 on both nodes (anycast gateway MAC, L3 VNI 5000)

Checks: same-node L3 (TTL, MACs, UDP + 100 MB TCP offloaded as §7.4), FIP
both ways (the peers' TCP stacks accept the rewritten packets), cross-node
L2 and L3 (§7.3/§7.5 rules on both nodes; tshark decodes the underlay as
VXLAN with the right VNI), kernel VXLAN interop both ways, tenant isolation
under a flood, ARP/ICMP answered by the switch, TTL expiry, and config
changes (fip del, port del) taking effect on existing flows within 1 s.
Needs root; prints SKIP and exits 77 otherwise. Cleans up on any failure.
Usage: test_overlay_e2e.py NICFLOWD NICFLOWCTL
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nfe2e
from nfe2e import Capture, check, quiet_link, sh, snic

T = f"ov{os.getpid() % 10000}"
GW_MAC = "02:00:00:00:fe:01"
MTU = 1450  # VXLAN over a 1500-byte underlay (N-15)
# name, node, mac, ip/len, gateway
VMS = {
    "a1": ("A", "02:00:00:01:00:01", "10.1.0.1/24", "10.1.0.254"),
    "a2": ("A", "02:00:00:02:00:01", "10.2.0.1/24", "10.2.0.254"),
    "x1": ("A", "02:00:00:03:00:10", "172.16.0.10/24", "172.16.0.254"),
    "a3": ("A", "02:00:00:04:00:01", "10.1.0.50/24", None),
    "a4": ("A", "02:00:00:04:00:04", "10.1.0.60/24", None),
    "b1": ("B", "02:00:00:01:00:02", "10.1.0.2/24", "10.1.0.254"),
    "b2": ("B", "02:00:00:02:00:02", "10.2.0.2/24", "10.2.0.254"),
}
# A VM with VLAN subinterfaces on one representor: trunk subports (the VM's
# frames tagged with the VID): name, network, vid, address.
T_MAC = "02:00:00:05:00:05"
TRUNK = [("t20", "blue", 20, "10.1.0.20"), ("t10", "green", 10, "10.2.0.10")]
VTEP = {"A": "192.168.50.1", "B": "192.168.50.2", "K": "192.168.50.3"}
K_MAC, K_IP = "02:00:00:01:00:03", "10.1.0.3"


def ns(name):
    return f"{T}{name}"


def nsx(vm, cmd, **kw):
    return nfe2e.nsx(ns(vm), cmd, **kw)


def topo_up():
    nfe2e.underlay_up(f"{T}br", [(f"{T}u{n}", f"{T}p{n}") for n in "AB"])
    for dev in (f"{T}br", f"{T}uA", f"{T}pA", f"{T}uB", f"{T}pB"):
        quiet_link(dev)
    for vm, (_, mac, ip, gw) in VMS.items():
        nfe2e.vm_up(ns(vm), f"{T}h{vm}", mac, ip, MTU)
        quiet_link(f"{T}h{vm}")
        if gw:
            nsx(vm, f"ip route add default via {gw}")
    # t: a trunk VM. This kernel has no 802.1Q module, so its tagged
    # frames are sent with scapy and received by capture on eth0.
    nfe2e.vm_up(ns("t"), f"{T}ht", T_MAC, mtu=MTU)
    quiet_link(f"{T}ht")
    # K: the kernel's own VXLAN VTEP, with a "VM" address on the device.
    sh(f"ip netns add {ns('k')}")
    sh(f"ip link add {T}pK type veth peer name eth0 netns {ns('k')}")
    sh(f"ip link set {T}pK master {T}br up")
    quiet_link(f"{T}pK")
    nsx("k", "sysctl -qw net.ipv6.conf.all.disable_ipv6=1", check_rc=False)
    nsx("k", f"ip addr add {VTEP['K']}/24 dev eth0")
    nsx("k", "ip link set eth0 up")
    # veth leaves checksums to "hardware": the af_packet peers would see
    # them unfinished (same as for the VMs).
    nsx("k", "ethtool -K eth0 tx off", check_rc=False)
    nsx("k", f"ip link add vx0 type vxlan id 100 local {VTEP['K']} "
        "dstport 4789 nolearning")
    for node in ("A", "B"):
        nsx("k", "bridge fdb append 00:00:00:00:00:00 dev vx0 dst "
            f"{VTEP[node]}")
    nsx("k", f"bridge fdb add {VMS['a1'][1]} dev vx0 dst {VTEP['A']}")
    nsx("k", f"ip link set vx0 address {K_MAC} mtu {MTU} up")
    nsx("k", f"ip addr add {K_IP}/24 dev vx0")
    nsx("k", "ethtool -K vx0 tx off", check_rc=False)


def topo_down():
    for vm in list(VMS) + ["k", "t"]:
        nfe2e.vm_down(ns(vm), f"{T}h{vm}")
    for node in ("A", "B"):
        sh(f"ip link del {T}u{node}", check_rc=False)
    sh(f"ip link del {T}br", check_rc=False)


class Daemon(nfe2e.Daemon):
    """nicflowd of node A or B: its uplink on the underlay bridge, its VMs
    (and on A the trunk VM t) on VFs."""

    def __init__(self, tmp, node):
        self.node = node
        vms = [vm for vm, v in VMS.items() if v[0] == node]
        if node == "A":
            vms.append("t")
        vdevs, devargs = snic([f"{T}h{vm}" for vm in vms], f"{T}u{node}")
        super().__init__(tmp, T + node, ["--idle-timeout", "60", *vdevs,
                                         "--devargs", devargs],
                         stem=f"nfd{node}", name=f"nicflowd {node}")


def model(d):
    d.do("vtep", "add", VTEP[d.node])
    d.do("router", "add", "r1", "mac", GW_MAC, "vni", "5000")
    d.do("network", "add", "blue", "vni", "100", "router", "r1", "cidr",
         "10.1.0.0/24", "gateway", "10.1.0.254")
    d.do("network", "add", "green", "vni", "200", "router", "r1", "cidr",
         "10.2.0.0/24", "gateway", "10.2.0.254")
    d.do("network", "add", "ext", "vni", "300", "router", "r1", "cidr",
         "172.16.0.0/24", "gateway", "172.16.0.254", "external", "1")
    d.do("network", "add", "red", "vni", "400")
    nets = {"10.1.0.": "blue", "10.2.0.": "green", "172.16.": "ext"}
    rep = 0
    for vm, (node, mac, ip, _) in VMS.items():
        addr = ip.split("/")[0]
        net = "red" if vm in ("a3", "a4") else nets[next(p for p in nets
                                                 if addr.startswith(p))]
        if node == d.node:
            d.do("port", "add", vm, "rep", str(rep), "mac", mac, "ipv4",
                 addr, "network", net, "mtu", str(MTU))
            rep += 1
        elif vm not in ("a3", "a4", "x1"):
            d.do("remote", "add", vm, "network", net, "mac", mac, "ipv4",
                 addr, "vtep", VTEP[node])
    for name, net, vid, ip in TRUNK:
        if d.node == "A":
            d.do("port", "add", name, "rep", str(rep), "mac", T_MAC, "ipv4",
                 ip, "network", net, "vlan", str(vid), "mtu", str(MTU))
        else:
            d.do("remote", "add", name, "network", net, "mac", T_MAC,
                 "ipv4", ip, "vtep", VTEP["A"])
    d.do("remote", "add", "k1", "network", "blue", "mac", K_MAC, "ipv4",
         K_IP, "vtep", VTEP["K"])
    if d.node == "A":
        d.do("fip", "add", "172.16.0.100", "port", "a1")


def ping(src, dst, extra=""):
    return nfe2e.ping(ns(src), dst, extra)


def ttl_of(out):
    m = re.findall(r"ttl=(\d+)", out)
    return int(m[-1]) if m else None


def udp_send(src, dst_ip, n, port):
    nfe2e.udp_send(ns(src), dst_ip, port, n)


def udp(src, dst_vm, dst_ip, n, port):
    return nfe2e.udp_stream(ns(src), ns(dst_vm), dst_ip, n, port)


def tcp(src, dst_vm, dst_ip, nbytes, port):
    return nfe2e.tcp_stream(ns(src), ns(dst_vm), dst_ip, nbytes, port)


def same_node_l2(a):
    ok, _ = ping("a3", "10.1.0.60")
    check(ok, "L2 same node: a3 -> a4 ping (network red)")
    up = a.j("stats")["rx_upcalls"]
    n, peer = tcp("a3", "a4", "10.1.0.60", 100 << 20, 7040)
    up2 = a.j("stats")["rx_upcalls"]
    tf = [f for f in a.flows("l2", 6)
          if f["match"]["ip_dst"] in ("10.1.0.50", "10.1.0.60")]
    nic = sum(f["counters"]["nic_packets"] for f in tf)
    sw = sum(f["counters"]["sw_packets"] for f in tf)
    check(n == 100 << 20 and peer == "10.1.0.50" and len(tf) == 2 and
          all(f["where"] == "nic" for f in tf) and up2 - up < 200,
          f"L2 same node: TCP {n} bytes a3 -> a4; both §7.2 flows in the "
          f"NIC: {nic} packets there, {sw} in software, slow path saw "
          f"{up2 - up}")


def same_node_l3(a):
    ok, out = ping("a1", "10.2.0.1")
    check(ok and ttl_of(out) == 63, f"L3 same node: a1 -> a2 ping, reply "
          f"ttl {ttl_of(out)} (64 - 1 by the router)")
    ok, out = ping("a1", "10.1.0.254")
    check(ok and ttl_of(out) == 64, "ICMP echo to the gateway answered by "
          "the switch")
    n, peers = udp("a1", "a2", "10.2.0.1", 2000, 7001)
    check(n == 2000 and peers == ["10.1.0.1"],
          f"L3 same node: {n}/2000 UDP datagrams a1 -> a2")
    time.sleep(0.5)
    f = a.flows("l3", 17)
    f = f[0] if len(f) == 1 else None
    if check(f is not None and f["where"] == "nic", "L3 UDP flow in the "
             "NIC with the §7.4 template"):
        act, c = f["actions"], f["counters"]
        check(act.get("set_mac_src", "").lower() == GW_MAC and
              act.get("set_mac_dst", "").lower() == VMS["a2"][1] and
              act.get("dec_ttl"),
              f"§7.4 actions rewrite MACs and decrement TTL: {act}")
        check(c["sw_packets"] + c["nic_packets"] == 2000 and
              c["nic_packets"] >= 1700, f"software {c['sw_packets']} + NIC "
              f"{c['nic_packets']} = 2000 (all but the first in the NIC)")
    up = a.j("stats")["rx_upcalls"]
    n, peer = tcp("a1", "a2", "10.2.0.1", 100 << 20, 7002)
    up2 = a.j("stats")["rx_upcalls"]
    check(n == 100 << 20 and peer == "10.1.0.1",
          f"L3 same node: TCP {n} bytes of {100 << 20} a1 -> a2")
    tf = a.flows("l3", 6)
    nic = sum(f["counters"]["nic_packets"] for f in tf)
    check(len(tf) == 2 and all(f["where"] == "nic" for f in tf) and
          nic > 1000 and up2 - up < 200,
          f"TCP both directions in the NIC ({nic} packets), slow path saw "
          f"{up2 - up} packets")


def fip(a):
    n, peers = udp("a1", "x1", "172.16.0.10", 50, 7003)
    check(n == 50 and peers == ["172.16.0.100"],
          f"FIP out: x1 sees a1 as {peers} ({n}/50)")
    n, peer = tcp("x1", "a1", "172.16.0.100", 4 << 20, 7004)
    check(n == 4 << 20 and peer == "172.16.0.10",
          f"FIP in: TCP x1 -> 172.16.0.100 reaches a1 ({n} bytes, a1 sees "
          f"{peer}); both TCP stacks accepted the rewritten checksums")
    acts = [f["actions"] for f in a.flows("l3", 6)]
    check(any(x.get("set_ipv4_dst") == "10.1.0.1" for x in acts) and
          any(x.get("set_ipv4_src") == "172.16.0.100" for x in acts),
          "FIP TCP flows carry SET_IPV4_DST / SET_IPV4_SRC")


def tshark_vnis(iface, seconds, action):
    cap = nfe2e.tshark(iface, seconds, "udp port 4789", ["vxlan.vni"])
    time.sleep(2)
    action()
    out = cap.communicate(timeout=seconds + 30)[0]
    return [int(v) for v in out.split() if v.isdigit()]


def cross_node(a, b):
    ok, _ = ping("a1", "10.1.0.2")
    check(ok, "L2 cross node: a1 -> b1 ping over VXLAN")
    got = []
    vnis = tshark_vnis(f"{T}pA", 8, lambda: got.append(
        udp("a1", "b1", "10.1.0.2", 1000, 7005)))
    n = got[0][0] if got else 0
    check(n == 1000, f"L2 cross node: {n}/1000 UDP a1 -> b1")
    check(len(vnis) >= 1000 and set(vnis) == {100},
          f"tshark decodes {len(vnis)} underlay packets as VXLAN, VNIs "
          f"{sorted(set(vnis))}")
    time.sleep(0.5)
    fa, fb = a.flows("l2-encap", 17), b.flows("l2-decap", 17)
    check(len(fa) == 1 and fa[0]["where"] == "nic" and
          fa[0]["counters"]["nic_packets"] >= 900,
          "node A: §7.3 egress rule (VXLAN_ENCAP) in the NIC carried it")
    check(len(fb) == 1 and fb[0]["where"] == "nic" and
          fb[0]["counters"]["nic_packets"] >= 900 and
          fb[0]["match"].get("vni") == 100,
          "node B: §7.3 ingress rule (VXLAN_DECAP, vni 100) carried it")
    ok, out = ping("a1", "10.2.0.2")
    check(ok and ttl_of(out) == 62, f"L3 cross node: a1 -> b2 ping, ttl "
          f"{ttl_of(out)} (routed on both nodes)")
    n, _ = udp("a1", "b2", "10.2.0.2", 1000, 7006)
    time.sleep(0.5)
    fa, fb = a.flows("l3-encap", 17), b.flows("l3-decap", 17)
    check(n == 1000 and len(fa) == 1 and fa[0]["where"] == "nic" and
          fa[0]["actions"]["vxlan_encap"]["vni"] == 5000 and
          len(fb) == 1 and fb[0]["where"] == "nic",
          f"L3 cross node: {n}/1000 UDP, §7.5 egress (L3 VNI 5000) and "
          "ingress rules in the NICs")
    n, peer = tcp("a1", "b1", "10.1.0.2", 20 << 20, 7007)
    check(n == 20 << 20, f"L2 cross node: TCP {n} bytes a1 -> b1")
    n, peer = tcp("a1", "b2", "10.2.0.2", 20 << 20, 7041)
    fa = [f for f in a.flows("l3-encap", 6) if f["where"] == "nic"]
    check(n == 20 << 20 and peer == "10.1.0.1" and len(fa) == 1 and
          fa[0]["counters"]["nic_packets"] > 1000,
          f"L3 cross node: TCP {n} bytes a1 -> b2, §7.5 egress rule in the "
          f"NIC ({fa[0]['counters']['nic_packets'] if fa else 0} packets)")


def tagged_send(dst_mac, vid, src_ip, dst_ip, port, n=300):
    """n tagged UDP datagrams from the trunk VM t."""
    nsx("t", "/usr/bin/python3 -c \"from scapy.all import *\n"
        f"p=Ether(src='{T_MAC}',dst='{dst_mac}')/Dot1Q(vlan={vid})/"
        f"IP(src='{src_ip}',dst='{dst_ip}')/UDP(sport=40000,dport={port})/"
        f"Raw(b'v'*64)\nsendp(p,iface='eth0',count={n},inter=0.002,"
        "verbose=0)\"", timeout=120)


def tagged_rx(vid, port, action):
    """Frames tagged vid to UDP port that t receives while action runs."""
    cap = Capture("eth0", f"vlan {vid} and udp port {port}", ns("t"))
    action()
    return len(cap.frames())


def trunk(a, b):
    rx = nfe2e.UdpReceiver(ns("a1"), 7030)
    tagged_send(VMS["a1"][1], 20, "10.1.0.20", "10.1.0.1", 7030)
    n, peers = rx.result()
    got = tagged_rx(20, 7031, lambda: udp_send("a1", "10.1.0.20", 300,
                                               7031))
    time.sleep(0.5)
    tagged = [f for f in a.flows("l2", 17) if f["match"]["vlan_tci"] == 20]
    untagged = [f for f in a.flows("l2", 17)
                if f["match"]["ip_dst"] == "10.1.0.20"]
    check(n == 300 and peers == ["10.1.0.20"] and got == 300 and
          len(tagged) == 1 and tagged[0]["where"] == "nic" and
          len(untagged) == 1 and untagged[0]["where"] == "nic",
          f"trunk L2: {n}/300 VID 20 -> a1 untagged (POP_VLAN), {got}/300 "
          "a1 -> t arrive tagged VID 20 (PUSH_VLAN); both §7.2 rules in the "
          "NIC")
    rx = nfe2e.UdpReceiver(ns("x1"), 7032)
    tagged_send(GW_MAC, 10, "10.2.0.10", "172.16.0.10", 7032)
    n, peers = rx.result()
    time.sleep(0.5)
    routed = [f for f in a.flows("l3", 17) if f["match"]["vlan_tci"] == 10]
    check(n == 300 and peers == ["10.2.0.10"] and len(routed) == 1 and
          routed[0]["where"] == "nic",
          f"trunk L3: {n}/300 from VID 10 routed to x1, §7.4 rule in the NIC")
    got = tagged_rx(20, 7033, lambda: udp_send("b1", "10.1.0.20", 300,
                                               7033))
    time.sleep(0.5)
    dec = [f for f in a.flows("l2-decap", 17)
           if f["match"]["ip_dst"] == "10.1.0.20"]
    check(got == 300 and len(dec) == 1 and dec[0]["where"] == "nic",
          f"trunk cross node: {got}/300 from b1 reach t tagged VID 20 "
          "(§7.3 ingress PUSH_VLAN in the NIC)")
    rx = nfe2e.UdpReceiver(ns("b1"), 7034)
    tagged_send(VMS["b1"][1], 20, "10.1.0.20", "10.1.0.2", 7034)
    n, _ = rx.result()
    time.sleep(0.5)
    enc = [f for f in a.flows("l2-encap", 17) if f["match"]["vlan_tci"] == 20]
    check(n == 300 and len(enc) == 1 and enc[0]["where"] == "nic",
          f"trunk cross node: {n}/300 from VID 20 reach b1 (§7.3 egress "
          "POP_VLAN + VXLAN_ENCAP in the NIC)")


def restart(b, tmp):
    want = {k: b.j(k, "list") for k in ("router", "network", "port",
                                          "remote", "vtep")}
    check(b.stop() == 0, "node B: nicflowd exits 0 on SIGTERM")
    b = Daemon(tmp, "B")
    got = {k: b.j(k, "list") for k in want}
    check(got == want, "node B restarted: routers, networks, ports, remotes "
          "and VTEP restored from its config file")
    n, _ = udp("a1", "b1", "10.1.0.2", 500, 7012)
    time.sleep(0.5)
    fb = b.flows("l2-decap", 17)
    check(n == 500 and len(fb) == 1 and fb[0]["where"] == "nic" and
          fb[0]["counters"]["nic_packets"] >= 400,
          f"node B restarted: {n}/500 UDP, re-offloaded as §7.3 ingress")
    return b


def kernel_vxlan(a):
    ok, _ = ping("a1", K_IP)
    check(ok, "interop: a1 -> kernel VXLAN VM ping")
    ok, _ = ping("k", "10.1.0.1")
    check(ok, "interop: kernel VXLAN VM -> a1 ping")
    n, _ = tcp("a1", "k", K_IP, 10 << 20, 7008)
    check(n == 10 << 20, f"interop: TCP {n} bytes a1 -> kernel VXLAN")
    n, _ = tcp("k", "a1", "10.1.0.1", 10 << 20, 7009)
    check(n == 10 << 20, f"interop: TCP {n} bytes kernel VXLAN -> a1")


def mirrors(a):
    a1mac = VMS["a1"][1]
    a.do("mirror", "add", "m1", "port", "a1", "to_port", "a4")
    sent = Capture(f"{T}ha1", f"ether src {a1mac} and udp port 7020")
    got = Capture("eth0", "udp port 7020", ns("a4"))
    n, _ = udp("a1", "a2", "10.2.0.1", 200, 7020)
    s, g = sent.frames(), got.frames()
    check(n == 200 and len(s) == 200 and sorted(g) == sorted(s),
          f"local mirror: a4 got {len(g)} exact copies of the {len(s)} "
          "frames a1 sent")
    f = a.flows("l3", 17)
    f = [x for x in f if "sample" in x["actions"]]
    check(len(f) == 1 and f[0]["where"] == "nic" and
          f[0]["counters"]["nic_packets"] >= 150,
          "local mirror: the flow's NIC rule carries SAMPLE and the copies")
    a.do("mirror", "del", "m1")
    a.do("mirror", "add", "m2", "port", "a1", "collector", VTEP["K"], "vni",
         "999")
    time.sleep(1.5)  # the collector's MAC: ARP from the datapath
    sent = Capture(f"{T}ha1", f"ether src {a1mac} and udp port 7021")
    got = Capture("eth0", "udp port 4789", ns("k"))
    n, _ = udp("a1", "a2", "10.2.0.1", 200, 7021)
    s, g = sent.frames(), got.frames()
    inner = [x[50:] for x in g if len(x) > 50 and
             int.from_bytes(x[46:49], "big") == 999]
    check(n == 200 and len(s) == 200 and sorted(inner) == sorted(s),
          f"remote mirror: the collector got {len(inner)} VXLAN (VNI 999) "
          f"copies, inner frames exactly the {len(s)} a1 sent")
    f = [x for x in a.flows("l3", 17) if "sample" in x["actions"]]
    check(len(f) == 1 and f[0]["actions"]["sample"].get("vni") == 999 and
          f[0]["where"] == "nic", "remote mirror: SAMPLE with VXLAN_ENCAP "
          "in the NIC rule")
    a.do("mirror", "del", "m2")


def isolation(a):
    cap = nfe2e.tshark("eth0", 6, f"ether src {VMS['a3'][1]}",
                       ["frame.number"], netns=ns("a1"))
    time.sleep(2)
    nsx("a3", "/usr/bin/python3 -c \"import socket;s=socket.socket(2,2);"
        "s.setsockopt(1,6,1)\nfor i in range(300): "
        "s.sendto(b'z'*64,('10.1.0.255',9))\"")
    ping("a3", "10.1.0.1")
    seen = cap.communicate(timeout=30)[0].split()
    st = a.j("stats")
    check(len(seen) == 0 and st["fwd_flood"] > 300,
          f"isolation: a1 (VNI 100) got {len(seen)} frames of a3 (VNI 400) "
          f"after a flood of 300 broadcasts")


def revalidation(a):
    # The mirror changes above revalidated a1's flows away: a new one.
    udp("a1", "x1", "172.16.0.10", 20, 7011)
    check(len([f for f in a.flows("l3") if "set_ipv4_src" in
               f["actions"]]) >= 1, "before fip del: SNAT flows exist")
    a.do("fip", "del", "172.16.0.100")
    t0 = time.time()
    left = [f for f in a.flows() if "set_ipv4_src" in f["actions"] or
            "set_ipv4_dst" in f["actions"]]
    check(not left and time.time() - t0 < 1,
          "fip del: every FIP flow is gone (NIC and software) at once")
    n, peers = udp("a1", "x1", "172.16.0.10", 20, 7010)
    check(n == 20 and peers == ["10.1.0.1"],
          f"fip del: x1 now sees a1 as {peers}")
    a.do("port", "del", "a2")
    left = [f for f in a.flows() if f["actions"]["port_id"] is not None and
            f["actions"].get("set_mac_dst", "").lower() == VMS["a2"][1]]
    check(not left, "port del a2: flows toward it are gone")
    ok, _ = ping("a1", "10.2.0.1")
    check(not ok, "port del a2: a2 no longer reachable")


def ttl_expiry():
    r = subprocess.run(f"ip netns exec {ns('a1')} ping -c 1 -W 2 -t 1 "
                       "10.2.0.2", shell=True, text=True,
                       capture_output=True)
    check("Time to live exceeded" in r.stdout and "10.1.0.254" in r.stdout,
          "TTL 1 through the router: ICMP time exceeded from the gateway")


def main():
    nfe2e.require(tools=("ping", "tshark"))
    tmp = tempfile.mkdtemp(prefix="nfov", dir="/run")
    ds = []
    try:
        topo_up()
        a = Daemon(tmp, "A")
        ds.append(a)
        b = Daemon(tmp, "B")
        ds.append(b)
        model(a)
        model(b)
        same_node_l2(a)
        same_node_l3(a)
        fip(a)
        cross_node(a, b)
        trunk(a, b)
        ds.remove(b)
        b = restart(b, tmp)
        ds.append(b)
        kernel_vxlan(a)
        mirrors(a)
        isolation(a)
        ttl_expiry()
        revalidation(a)
    finally:
        for d in ds:
            d.stop()
        topo_down()
        if nfe2e.failed or sys.exc_info()[0] is not None:
            for n in ("A", "B"):
                nfe2e.dump_log(os.path.join(tmp, f"nfd{n}.log"),
                               f"--- nicflowd {n}", 2000)
        shutil.rmtree(tmp, ignore_errors=True)
    return nfe2e.finish()


if __name__ == "__main__":
    sys.exit(main())
