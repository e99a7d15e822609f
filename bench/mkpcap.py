#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The nicflow authors
"""Write pcaps of 64-byte UDP frames with N distinct flows, and the
dpdk-testpmd command file that offloads one net_snic rule per flow.

Flow i is the one bench/bench_common.h defines, so the C benchmarks and
the testpmd comparison measure the same rules:
    02:00:00:00:00:01 -> 02:00:00:00:00:02,
    UDP 10.0.0.1:5000 -> 11.(i >> 16).(i >> 8 & 255).(i & 255)
                         port 1024 + i % 50000
Frames are 60 bytes in the pcap (64 on the wire with the FCS); the pcap
holds flow 0, 1, ..., N-1 once each, which net_pcap's infinite_rx replays
in a loop.

Plain struct packing (no scapy): fast for large N and runs under any
python3.

Usage: mkpcap.py [-o DIR] [--vf-port P --uplink-port U] N [N ...]
  writes DIR/flows-N.pcap and, with --vf-port, DIR/rules-N.txt holding
  "flow create P ingress pattern eth / ipv4 dst is .. / udp dst is .. / end
   actions count / port_id id U / end" for every flow (for --cmdline-file).
"""
import argparse
import os
import struct

FRAME_LEN = 60
SRC_MAC = bytes.fromhex("020000000001")
DST_MAC = bytes.fromhex("020000000002")
SRC_IP = bytes([10, 0, 0, 1])
SPORT = 5000


def dst_ip(i):
    return bytes([11, (i >> 16) & 255, (i >> 8) & 255, i & 255])


def dport(i):
    return 1024 + i % 50000


def ip_csum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(i):
    udp_len = FRAME_LEN - 14 - 20
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, FRAME_LEN - 14, 0,
                               0, 64, 17, 0, SRC_IP, dst_ip(i)))
    struct.pack_into("!H", ip, 10, ip_csum(bytes(ip)))
    udp = struct.pack("!HHHH", SPORT, dport(i), udp_len, 0)
    f = DST_MAC + SRC_MAC + struct.pack("!H", 0x0800) + bytes(ip) + udp
    return f + bytes(FRAME_LEN - len(f))


def write_pcap(path, n):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            out.write(struct.pack("<IIII", i // 1000000, i % 1000000,
                                  FRAME_LEN, FRAME_LEN))
            out.write(frame(i))


def write_rules(path, n, vf, uplink):
    with open(path, "w") as out:
        for i in range(n):
            ip = ".".join(str(b) for b in dst_ip(i))
            out.write(f"flow create {vf} ingress pattern eth / ipv4 dst is "
                      f"{ip} / udp dst is {dport(i)} / end actions count / "
                      f"port_id id {uplink} / end\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--outdir", default=".")
    ap.add_argument("--vf-port", type=int)
    ap.add_argument("--uplink-port", type=int)
    ap.add_argument("flows", type=int, nargs="+")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for n in a.flows:
        if not 1 <= n <= 1 << 24:
            ap.error("flows must be in 1..2^24")
        write_pcap(os.path.join(a.outdir, f"flows-{n}.pcap"), n)
        if a.vf_port is not None:
            write_rules(os.path.join(a.outdir, f"rules-{n}.txt"), n,
                        a.vf_port, a.uplink_port)


if __name__ == "__main__":
    main()
