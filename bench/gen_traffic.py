#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The nicflow authors
"""Write a pcap of benchmark traffic for bench/compare (P-1, P-2).

Frames go 02:00:00:00:00:01 -> 02:00:00:00:00:02 (one destination MAC, so
one L2 rule forwards them all); flows differ by L3/L4 fields:

    IPv4 flow i: 10.0.0.1:5000 -> 11.(i>>16).(i>>8&255).(i&255):1024+i%50000
    IPv6 flow i: 2001:db8::1:5000 -> 2001:db8:1::<i>:1024+i%50000

--dst-mac and --dst-ip change the destination: with --dst-ip every flow
goes to that one IPv4 address and flow i differs by its ports only,
    10.0.0.1:5000+i//50000 -> DST-IP:1024+i%50000
(the input of a routed scenario: the gateway's MAC, a VM's address).

--ip mix makes every fourth flow IPv6 (3:1). --size is the frame size on
the wire including the 4-byte FCS (P-1: 88, 128, 256, 1024, 1518, 9000);
the pcap holds size - 4 bytes. Sizes below the headers' length are
refused (IPv6 + TCP needs 78 B, VXLAN adds 50 B).

Flows recycle: the pcap holds --packets frames (default: one per flow),
frame k carrying flow k % flows, so small pcaps can stand for a few
flows, and infinite_rx replays the pcap in a loop. --vxlan wraps every
frame in VXLAN (outer 192.168.1.2 -> 192.168.1.1, UDP 4789, VNI 100 +
flow % --vnis), the input of a decap scenario; the total frame is still
--size.

P-2 load model (--vms4 m --vms6 n --vnis y): m IPv4 and n IPv6 VMs, VM v
in VNI v % y; 20 % of the VMs ("hot") send 80 % of the packets. Each VM
is one flow (its own source address), and the pcap (--packets, default
10 * VMs) draws VMs with that skew from a fixed seed, so it repeats.

Plain struct packing, no scapy: 1M frames take a few seconds.

Usage: gen_traffic.py -o OUT.pcap [--size 88] [--ip 4|6|mix] [--proto udp|tcp]
       [--flows N] [--packets P] [--vxlan] [--vnis Y] [--vms4 M --vms6 N]
       [--dst-mac MAC] [--dst-ip ADDR]
"""
import argparse
import random
import socket
import struct
import sys

DST_MAC = bytes.fromhex("020000000002")
SRC_MAC = bytes.fromhex("020000000001")
OUTER_DST_MAC = bytes.fromhex("02aa00000001")
OUTER_SRC_MAC = bytes.fromhex("02aa00000002")
VXLAN_PORT = 4789
ETH, IP4, IP6, UDP, TCP, VXLAN_OVERHEAD = 14, 20, 40, 8, 20, 50


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(src, dst, proto, payload_len):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, IP4 + payload_len,
                              0, 0, 64, proto, 0, src, dst))
    struct.pack_into("!H", h, 10, csum(bytes(h)))
    return bytes(h)


def ipv6(src, dst, proto, payload_len):
    return struct.pack("!IHBB16s16s", 6 << 28, payload_len, proto, 64,
                       src, dst)


def l4(proto, sport, dport, payload_len):
    if proto == 17:
        return struct.pack("!HHHH", sport, dport, UDP + payload_len, 0)
    # TCP ACK segment, no options; checksum left 0 (no device checks it)
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 1, 5 << 4, 0x10,
                       65535, 0, 0)


def flow_addrs(i, v6, vm_src=None, dst_ip=None):
    """(src, dst) addresses of flow i; vm_src numbers the P-2 VM; dst_ip
    (4 bytes) is every flow's destination."""
    if v6:
        dst = bytes.fromhex("20010db8000100000000000000000000")
        dst = dst[:12] + struct.pack("!I", i)
        src = bytes.fromhex("20010db8000000000000000000000001")
        if vm_src is not None:
            src = src[:12] + struct.pack("!I", vm_src + 1)
        return src, dst
    dst = dst_ip or bytes([11, (i >> 16) & 255, (i >> 8) & 255, i & 255])
    src = bytes([10, 0, 0, 1])
    if vm_src is not None:
        src = bytes([10, (vm_src >> 16) & 255, (vm_src >> 8) & 255,
                     (vm_src & 255)])
    return src, dst


def inner_frame(length, i, v6, proto, vm_src=None, dst_mac=DST_MAC,
                dst_ip=None):
    """An Ethernet frame of exactly length bytes (no FCS) for flow i."""
    l3 = IP6 if v6 else IP4
    l4len = UDP if proto == 17 else TCP
    pay = length - ETH - l3 - l4len
    if pay < 0:
        raise ValueError(f"{length + 4} B is too small for "
                         f"{'IPv6' if v6 else 'IPv4'}/"
                         f"{'UDP' if proto == 17 else 'TCP'}")
    src, dst = flow_addrs(i, v6, vm_src, dst_ip)
    sport = 5000 if vm_src is None else 5000 + vm_src % 10000
    if dst_ip:   # one destination: the ports tell the flows apart
        sport += i // 50000
    hdr = (ipv6 if v6 else ipv4)(src, dst, proto, l4len + pay)
    return (dst_mac + SRC_MAC + struct.pack("!H", 0x86DD if v6 else 0x0800)
            + hdr + l4(proto, sport, 1024 + i % 50000, pay) + bytes(pay))


def vxlan_wrap(inner, vni, entropy):
    udp_len = UDP + 8 + len(inner)
    outer_ip = ipv4(bytes([192, 168, 1, 2]), bytes([192, 168, 1, 1]), 17,
                    udp_len)
    return (OUTER_DST_MAC + OUTER_SRC_MAC + struct.pack("!H", 0x0800)
            + outer_ip
            + struct.pack("!HHHH", 49152 + entropy % 16384, VXLAN_PORT,
                          udp_len, 0)
            + struct.pack("!II", 0x08000000, vni << 8) + inner)


def is_v6(ipmode, i):
    return ipmode == "6" or (ipmode == "mix" and i % 4 == 3)


def frames(a):
    """Yield the pcap's frames (without FCS)."""
    length = a.size - 4
    proto = 17 if a.proto == "udp" else 6
    inner_len = length - VXLAN_OVERHEAD if a.vxlan else length
    if a.vms4 or a.vms6:
        vms = a.vms4 + a.vms6
        hot = max(1, vms // 5)
        rng = random.Random(1)
        for _ in range(a.packets or 10 * vms):
            if vms == hot or rng.random() < 0.8:
                vm = rng.randrange(hot)
            else:
                vm = rng.randrange(hot, vms)
            # VMs are interleaved so hot ones are of both families
            v6 = vm * a.vms6 // vms != (vm + 1) * a.vms6 // vms
            f = inner_frame(inner_len, vm, v6, proto, vm_src=vm)
            yield vxlan_wrap(f, 100 + vm % a.vnis, vm) if a.vxlan else f
        return
    for k in range(a.packets or a.flows):
        i = k % a.flows
        f = inner_frame(inner_len, i, is_v6(a.ip, i), proto,
                        dst_mac=a.dst_mac, dst_ip=a.dst_ip)
        yield vxlan_wrap(f, 100 + i % a.vnis, i) if a.vxlan else f


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--size", type=int, default=88,
                    help="frame size on the wire, FCS included")
    ap.add_argument("--ip", choices=["4", "6", "mix"], default="4")
    ap.add_argument("--proto", choices=["udp", "tcp"], default="udp")
    ap.add_argument("--flows", type=int, default=1)
    ap.add_argument("--packets", type=int, default=0)
    ap.add_argument("--vxlan", action="store_true")
    ap.add_argument("--vnis", type=int, default=1)
    ap.add_argument("--vms4", type=int, default=0)
    ap.add_argument("--vms6", type=int, default=0)
    ap.add_argument("--dst-mac", default=DST_MAC.hex(":"),
                    help="destination MAC (default 02:00:00:00:00:02)")
    ap.add_argument("--dst-ip", help="every flow's IPv4 destination")
    a = ap.parse_args()
    try:
        a.dst_mac = bytes.fromhex(a.dst_mac.replace(":", ""))
        if len(a.dst_mac) != 6:
            raise ValueError
    except ValueError:
        ap.error(f"--dst-mac: '{a.dst_mac}' is not a MAC address")
    if a.dst_ip is not None:
        try:
            a.dst_ip = socket.inet_pton(socket.AF_INET, a.dst_ip)
        except OSError:
            ap.error(f"--dst-ip: '{a.dst_ip}' is not an IPv4 address")
        if a.ip != "4" or a.vms4 or a.vms6:
            ap.error("--dst-ip: IPv4 flows only (--ip 4, no --vms4/--vms6)")
    if not 1 <= a.flows <= 1 << 24:
        ap.error("--flows must be in 1..2^24")
    if not 64 <= a.size <= 9600:
        ap.error("--size must be in 64..9600")
    if a.vnis < 1:
        ap.error("--vnis must be >= 1")
    n = 0
    try:
        with open(a.out, "wb") as out:
            out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535,
                                  1))
            for f in frames(a):
                out.write(struct.pack("<IIII", n // 1000000, n % 1000000,
                                      len(f), len(f)))
                out.write(f)
                n += 1
    except ValueError as e:
        sys.exit(f"gen_traffic: {e}")
    print(f"{a.out}: {n} frames of {a.size} B")


if __name__ == "__main__":
    main()
