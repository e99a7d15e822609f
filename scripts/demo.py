#!/usr/bin/python3
"""Drive the nicflow demo (see demo.sh): namespaces, testpmd, traffic."""
import os
import pty
import select
import subprocess
import sys
import time

SO = os.path.abspath(sys.argv[1])
VMS = [("nf-vm1", "nfv1", "10.9.0.1", "02:00:00:00:09:01"),
       ("nf-vm2", "nfv2", "10.9.0.2", "02:00:00:00:09:02")]
PROMPT = b"testpmd> "


def sh(cmd, check=True):
    return subprocess.run(cmd, shell=True, check=check, text=True,
                          capture_output=True).stdout


def netns_up():
    for ns, host, ip, mac in VMS:
        sh(f"ip netns del {ns}", check=False)
        sh(f"ip link del {host}", check=False)
        sh(f"ip netns add {ns}")
        sh(f"ip link add {host} type veth peer name eth0 netns {ns}")
        sh(f"ip link set {host} up")
        sh(f"ip -n {ns} link set eth0 address {mac}")
        sh(f"ip -n {ns} addr add {ip}/24 dev eth0")
        sh(f"ip -n {ns} link set eth0 up")
        sh(f"ip -n {ns} link set lo up")
        # af_packet hands over frames as the kernel left them: make the
        # kernel fill checksums itself instead of leaving them to a NIC.
        sh(f"ip netns exec {ns} ethtool -K eth0 tx off", check=False)


def netns_down():
    for ns, host, _, _ in VMS:
        sh(f"ip netns del {ns}", check=False)
        sh(f"ip link del {host}", check=False)


class Testpmd:
    def __init__(self):
        eal = ["dpdk-testpmd", "--no-huge", "-m", "512", "--no-pci",
               "-l", "0-1", "--file-prefix", "nf-demo", "-d", SO,
               "--vdev=net_null0,no-rx=1",
               "--vdev=net_af_packet0,iface=nfv1",
               "--vdev=net_af_packet1,iface=nfv2",
               "--vdev=net_snic0,uplink=net_null0,vf=net_af_packet0,"
               "vf=net_af_packet1",
               "--", "-i", "--forward-mode=io", "--portmask=0x30",
               "--total-num-mbufs=8192"]
        self.fd, slave = pty.openpty()
        self.p = subprocess.Popen(eal, stdin=slave, stdout=slave,
                                  stderr=slave)
        os.close(slave)
        self.read()

    def read(self, timeout=60):
        buf, end = b"", time.time() + timeout
        while time.time() < end and not buf.endswith(PROMPT):
            if select.select([self.fd], [], [], 0.5)[0]:
                buf += os.read(self.fd, 65536)
        return buf[:-len(PROMPT)].decode(errors="replace")

    def cmd(self, c, show=True):
        os.write(self.fd, (c + "\n").encode())
        out = self.read()
        if show:
            print(f"testpmd> {c}\n{out.split(chr(10), 1)[-1].rstrip()}")
        return out

    def quit(self):
        os.write(self.fd, b"quit\n")
        try:
            self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()


def main():
    netns_up()
    tp = Testpmd()
    try:
        tp.cmd("show port summary all")
        tp.cmd("flow create 4 ingress pattern eth / ipv4 dst is 10.9.0.2 / "
               "udp / end actions count / port_id id 5 / end")
        tp.cmd("start", show=False)
        print("\n== ping vm1 -> vm2 (ARP and ICMP go through software)")
        print(sh("ip netns exec nf-vm1 ping -c 3 -i 0.2 10.9.0.2",
                 check=False))
        print("== 2000 UDP datagrams vm1 -> vm2 (offloaded by the rule)")
        rx = subprocess.Popen(
            ["ip", "netns", "exec", "nf-vm2", "/usr/bin/python3", "-c",
             "import socket;s=socket.socket(2,2);s.bind(('',7000));"
             "s.settimeout(2);n=0\n"
             "try:\n while True: s.recv(2048); n+=1\n"
             "except OSError: pass\nprint(n)"],
            stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        sh("ip netns exec nf-vm1 /usr/bin/python3 -c \"import socket,time;"
           "s=socket.socket(2,2)\nfor i in range(2000):\n"
           " s.sendto(b'x'*64,('10.9.0.2',7000))\n"
           " time.sleep(0.0005) if i%50==0 else None\"")
        got = rx.communicate(timeout=10)[0].strip()
        print(f"vm2 received {got} datagrams")
        out = tp.cmd("flow query 4 0 count")
        tp.cmd("show port xstats 4", show=False)
        tp.cmd("stop", show=False)
        hits = [l for l in out.splitlines() if "hits:" in l]
        print("\nThe NIC rule carried the stream:", hits[0].strip()
              if hits else "no counter?")
    finally:
        tp.quit()
        netns_down()


if __name__ == "__main__":
    main()
