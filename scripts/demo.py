#!/usr/bin/python3
"""Drive the nicflow demo (see demo.sh): namespaces, nicflowd, traffic."""
import os
import signal
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1])
NFD = os.path.join(BUILD, "daemon", "nicflowd")
CTL = os.path.join(BUILD, "tools", "nicflowctl", "nicflowctl")
SOCK = "/run/nicflow/nf-demo.sock"
VMS = [("nf-vm1", "nfv1", "10.9.0.1", "02:00:00:00:09:01"),
       ("nf-vm2", "nfv2", "10.9.0.2", "02:00:00:00:09:02")]


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


def ctl(*args):
    cmd = [CTL, "-s", SOCK] + list(args)
    print("$ nicflowctl " + " ".join(args))
    r = subprocess.run(cmd, text=True, capture_output=True)
    print((r.stdout + r.stderr).rstrip())
    return r


def start_nicflowd():
    log = open("/tmp/nf-demo-nicflowd.log", "w")
    p = subprocess.Popen(
        [NFD, "--no-huge", "-m", "512", "--no-pci", "-l", "0-1", "-s", "0x2",
         "--file-prefix", "nf-demo", "--", "--socket", SOCK,
         "--underlay", "net_null0,no-rx=1",
         "--underlay", "net_af_packet0,iface=nfv1",
         "--underlay", "net_af_packet1,iface=nfv2",
         "--devargs", "uplink=net_null0,vf=net_af_packet0,vf=net_af_packet1,"
         "ctl=none"], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        if os.path.exists(SOCK) and subprocess.run(
                [CTL, "-s", SOCK, "port", "list"],
                capture_output=True).returncode == 0:
            return p
        if p.poll() is not None:
            break
        time.sleep(0.2)
    p.kill()
    sys.exit("nicflowd did not start: see /tmp/nf-demo-nicflowd.log")


def main():
    netns_up()
    p = start_nicflowd()
    try:
        ctl("network", "add", "blue", "vni", "100")
        for i, (_, _, ip, mac) in enumerate(VMS):
            ctl("port", "add", f"vm{i + 1}", "rep", str(i), "mac", mac,
                "ipv4", ip, "network", "blue")
        ctl("port", "list")
        print("\n== ping vm1 -> vm2 (ARP and ICMP go through software)")
        print(sh("ip netns exec nf-vm1 ping -c 3 -i 0.2 10.9.0.2",
                 check=False))
        print("== 2000 UDP datagrams vm1 -> vm2 (first in software, the "
              "rest offloaded by nicflowd)")
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
        print(f"vm2 received {got} datagrams\n")
        ctl("dump-flows")
        ctl("stats")
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
        netns_down()


if __name__ == "__main__":
    main()
