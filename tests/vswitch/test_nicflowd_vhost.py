#!/usr/bin/python3
"""nicflowd vhost-user VM ports and telemetry (V-10, V-11).

Two VMs on one nicflowd, both on vports nicflowd creates itself:
  vm1  a network namespace on a tap vport (--vport tap,iface=...)
  vm2  a second DPDK process, dpdk-testpmd with DPDK's virtio_user PMD on
       the vhost-user socket of a vhost vport (--vport vhost,path=...),
       forwarding in 5tswap mode: every datagram it receives goes back
       with MACs, IPs and ports swapped (checksums stay valid)

  1. option errors: a vDPA accelerator and vdpa-max-queues > 1 refused
     before EAL (exit 2, the message says why); a stale socket is removed
  2. vm1 sends 2000 UDP datagrams to vm2 and gets 2000 replies; each way
     is one flow, offloaded to the NIC after the first packet (software +
     NIC counters = 2000); 500 more go all through the NIC, slow path flat;
     testpmd's own counters agree (received = sent = 2500)
  3. telemetry: /nicflowd/stats, /flows, /ports, /vports through a small
     client of the telemetry socket and Debian's dpdk-telemetry.py; the
     vhost vport's link is up with testpmd attached, down after it left
  4. restart with only the config file: vports restored; SIGTERM removes
     the socket
  5. client mode (client=1, OVS's dpdkvhostuserclient): nicflowd starts
     first and keeps reconnecting; testpmd serves the socket (virtio_user
     server=1); datagrams echo again
Needs root, dpdk-testpmd; prints SKIP and exits 77 otherwise.
Usage: test_nicflowd_vhost.py NICFLOWD NICFLOWCTL
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nfe2e
from nfe2e import NFD, check, quiet_link, sh

TAG = f"vh{os.getpid() % 100000}"
NS, TAP = f"{TAG}n1", f"{TAG}t1"
VM1 = ("10.78.0.1", "02:00:00:78:00:01")
VM2 = ("10.78.0.2", "02:00:00:78:00:02")
N_UDP = 2000


def telemetry(prefix, cmd):
    """One command on DPDK's telemetry socket (what dpdk-telemetry.py
    does): the server first sends its info, then one reply per command."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2")
    try:
        info = json.loads(s.recv(16384).decode())
        s.send(cmd.encode())
        reply = json.loads(s.recv(info["max_output_len"]).decode())
    finally:
        s.close()
    return reply[cmd.split(",")[0]]


def daemon(tmp, args):
    """nicflowd with the NIC inline on lcore 0 (-l 0, no service lcore):
    the second CPU is left to testpmd's forwarding lcore."""
    return nfe2e.Daemon(tmp, TAG, args)


class TestpmdVM:
    """vm2: testpmd on virtio_user, both its lcores on CPU 1. Without
    --stats-period testpmd runs until a line on stdin, then prints its
    forward statistics."""

    def __init__(self, tmp, sock, server=False):
        self.out = os.path.join(tmp, "testpmd.log")
        self.p = subprocess.Popen(
            ["dpdk-testpmd", "--no-huge", "-m", "256", "--file-prefix",
             f"{TAG}vm", "--no-pci", "--lcores", "0@1,1@1",
             f"--vdev=virtio_user0,path={sock},queues=1,mac={VM2[1]}" +
             (",server=1" if server else ""),
             "--", "--forward-mode=5tswap", "--total-num-mbufs=2048"],
            stdin=subprocess.PIPE, stdout=open(self.out, "w"),
            stderr=subprocess.STDOUT, text=True)

    def stop(self):
        """(received, sent) from its forward statistics, or None."""
        if self.p.poll() is None:
            try:
                self.p.communicate("\n", timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        text = open(self.out).read()
        m = re.search(r"Forward statistics for port 0.*?RX-packets: (\d+)"
                      r".*?TX-packets: (\d+)", text, re.S)
        return (int(m.group(1)), int(m.group(2))) if m else None


def netns_up():
    """vm1: nicflowd's tap interface moved into a namespace. The tap's
    queues keep working there; DPDK's net_tap only loses its ioctls on the
    name (link state), which the snic does not need for a VF."""
    sh(f"ip netns add {NS}")
    sh(f"ip link set {TAP} netns {NS}")
    sh(f"ip -n {NS} link set {TAP} address {VM1[1]}")
    sh(f"ip -n {NS} addr add {VM1[0]}/24 dev {TAP}")
    quiet_link("all", NS)
    sh(f"ip -n {NS} link set {TAP} up")
    sh(f"ip -n {NS} link set lo up")
    # testpmd answers no ARP: vm2's MAC is static, as a VM's would be
    # learned once.
    sh(f"ip -n {NS} neigh add {VM2[0]} lladdr {VM2[1]} dev {TAP} "
       "nud permanent")


def udp_echo(n, port):
    """vm1 sends n datagrams to vm2's port and counts the replies."""
    code = (
        "import socket,threading,time\n"
        f"n={n};s=socket.socket(2,2);s.bind(('{VM1[0]}',{port + 1}))\n"
        "s.settimeout(2);got=0\n"
        "def rx():\n"
        " global got\n"
        " try:\n"
        "  while got<n: s.recv(2048); got+=1\n"
        " except OSError: pass\n"
        "t=threading.Thread(target=rx);t.start()\n"
        "for i in range(n):\n"
        f" s.sendto(b'x'*64,('{VM2[0]}',{port}))\n"
        " time.sleep(0.002) if i%20==0 else None\n"
        "t.join();print(got)\n")
    out = sh(f"ip netns exec {NS} /usr/bin/python3 -c \"{code}\"")
    return int(out.strip() or 0)


def wait_link(want, vdev="net_vhost0"):
    end = time.time() + 30
    while time.time() < end and \
            telemetry(TAG, "/nicflowd/vports")[vdev]["link"] != want:
        time.sleep(0.3)
    return telemetry(TAG, "/nicflowd/vports")[vdev]["link"] == want


def udp_flows(d):
    return {f["match"]["ip_dst"]: f for f in d.flows(proto=17)}


def option_errors(tmp):
    sockp = os.path.join(tmp, "bad.sock")
    cases = [
        (f"vhost,path={sockp},vdpa-accelerator-devargs=0000:01:00.2,"
         "class=vdpa", "--vport: vdpa-accelerator-devargs: '0000:01:00.2,"
         "class=vdpa': no vDPA accelerator can serve a net_snic VF (a "
         "software NIC; the vhost-user port is served in software): leave "
         "it empty"),
        (f"vhost,path={sockp},vdpa-max-queues=4",
         "--vport: vdpa-max-queues: 4: at most 1 (net_snic polls one queue "
         "pair per VF; a guest's other queues would never be served)"),
    ]
    for spec, msg in cases:
        r = subprocess.run([NFD, "--", "--vport", spec, "--socket",
                            os.path.join(tmp, "x.sock")],
                           capture_output=True, text=True, timeout=20)
        check(r.returncode == 2 and r.stderr.strip() == "nicflowd: " + msg,
              f"--vport {spec.split(',', 1)[1]}: exit 2, "
              f"'{r.stderr.strip()}'")


def stale_socket(path):
    """A socket file left by a dead process (bound, nobody listening)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()


def telemetry_checks(d, label):
    stats = telemetry(TAG, "/nicflowd/stats")
    rpc = d.j("stats")
    check(set(stats) == set(rpc) and stats["drops"] == rpc["drops"] and
          stats["offloads"] == rpc["offloads"] == 2,
          f"{label}: /nicflowd/stats has the RPC's counters "
          f"(offloads {stats['offloads']})")
    fl = telemetry(TAG, "/nicflowd/flows")
    flows = d.flows(proto=17)
    nic = sum(f["counters"]["nic_packets"] for f in flows)
    check(fl["nic"] == 2 and fl["refused"] == 0 and
          fl["nic_packets"] >= nic and fl["max"] == 4096,
          f"{label}: /nicflowd/flows: {fl}")
    ports = telemetry(TAG, "/nicflowd/ports")
    vm2 = ports.get("vm2", {})
    check(set(ports) == {"vm1", "vm2"} and
          vm2.get("vport", {}).get("type") == "vhost" and
          vm2["vport"].get("link") == "up" and
          ports["vm1"].get("vport", {}).get("type") == "tap" and
          vm2.get("stats", {}).get("rx_packets", 0) >= 1,
          f"{label}: /nicflowd/ports: vm1 on tap, vm2 on vhost (link up), "
          "with counters")
    if shutil.which("dpdk-telemetry.py"):
        r = subprocess.run(["dpdk-telemetry.py", "-f", TAG],
                           input="/nicflowd/vports\n", capture_output=True,
                           text=True, timeout=20)
        line = [x for x in r.stdout.splitlines()
                if x.startswith('{"/nicflowd/vports"')]
        vp = json.loads(line[0])["/nicflowd/vports"] if line else {}
        check(vp.get("net_vhost0", {}).get("representor") ==
              "net_snic0_representor_1" and
              vp.get("net_tap0", {}).get("iface") == TAP,
              f"{label}: dpdk-telemetry.py /nicflowd/vports: "
              f"{sorted(vp)}")


def main():
    nfe2e.require("network namespaces, tap", ("dpdk-testpmd",),
                  "dpdk package")
    tmp = tempfile.mkdtemp(prefix=TAG, dir="/run")
    vsock = os.path.join(tmp, "vm2.sock")
    d = vm = None
    try:
        option_errors(tmp)
        stale_socket(vsock)
        d = daemon(tmp, ["--underlay", "net_null0,no-rx=1",
                         "--vport", f"tap,iface={TAP}",
                         "--vport", f"vhost,path={vsock},vdpa-max-queues=1",
                         "--devargs", "uplink=net_null0,ctl=none"])
        check(True, "stale vhost-user socket removed, nicflowd up")
        vp = telemetry(TAG, "/nicflowd/vports")
        check(vp.get("net_vhost0", {}).get("link") == "down" and
              vp["net_vhost0"].get("path") == vsock,
              "vhost vport: link down before a driver connects")
        netns_up()
        d.ctl("network", "add", "blue", "vni", "100")
        # rep: an index, or the vport's socket path / tap interface.
        for name, rep, (ip, mac) in (("vm1", TAP, VM1), ("vm2", vsock, VM2)):
            check(d.ctl("port", "add", name, "rep", rep, "mac", mac,
                        "ipv4", ip, "network", "blue")[0] == 0,
                  f"port add {name} rep {rep}")
        reps = {p["name"]: p["rep"] for p in d.j("port", "list")}
        check(reps == {"vm1": "net_snic0_representor_0",
                       "vm2": "net_snic0_representor_1"},
              f"vports resolved to their representors: {reps}")
        vm = TestpmdVM(tmp, vsock)
        check(wait_link("up"), "virtio_user (testpmd) connected: vhost "
              "link up")
        rc, out, _ = d.ctl("vport", "list")
        check(rc == 0 and re.search(r"net_vhost0 +vhost +net_snic0_"
                                    r"representor_1 +up +" + vsock, out),
              "nicflowctl vport list: net_vhost0 up on representor 1")
        time.sleep(1)

        got = udp_echo(N_UDP, 7000)
        check(got == N_UDP, f"{got}/{N_UDP} datagrams came back from "
              "testpmd over vhost-user")
        time.sleep(0.5)
        flows = udp_flows(d)
        for dst, way in ((VM2[0], "tap -> vhost"), (VM1[0], "vhost -> tap")):
            f = flows.get(dst)
            if not check(f is not None, f"{way}: one UDP flow"):
                continue
            c = f["counters"]
            check(f["where"] == "nic" and c["sw_packets"] >= 1 and
                  c["sw_packets"] + c["nic_packets"] == N_UDP and
                  c["nic_packets"] >= N_UDP - 300,
                  f"{way}: in the NIC, software {c['sw_packets']} + NIC "
                  f"{c['nic_packets']} = {N_UDP}")
        up = d.j("stats")["rx_upcalls"]
        got = udp_echo(500, 7000)
        f2 = udp_flows(d)
        up2 = d.j("stats")["rx_upcalls"]
        check(got == 500 and all(
              f2[k]["counters"]["nic_packets"] ==
              flows[k]["counters"]["nic_packets"] + 500 for k in f2) and
              len(f2) == 2 and up2 - up <= 6,
              f"500 more each way all in the NIC, slow path +{up2 - up}")
        telemetry_checks(d, "telemetry")
        counts = vm.stop()
        vm = None
        check(counts == (N_UDP + 500, N_UDP + 500),
              f"testpmd received and sent {counts}")
        time.sleep(0.5)
        check(telemetry(TAG, "/nicflowd/vports")["net_vhost0"]["link"] ==
              "down", "testpmd gone: vhost link down")
        check(d.stop() == 0, "nicflowd exits 0 on SIGTERM")
        check(not os.path.exists(vsock), "vhost-user socket removed on exit")
        sh(f"ip netns del {NS}", check_rc=False)

        d = daemon(tmp, [])
        vp = telemetry(TAG, "/nicflowd/vports")
        cfg = json.load(open(os.path.join(tmp, "nicflowd.json")))
        check(sorted(vp) == ["net_tap0", "net_vhost0"] and
              os.path.exists(vsock) and len(cfg["nic"]["vports"]) == 2 and
              [p["name"] for p in d.j("port", "list")] == ["vm1", "vm2"],
              "restart from the config file: vports and ports restored")
        check(d.stop() == 0, "restarted nicflowd exits 0")

        csock = os.path.join(tmp, "vmc.sock")
        d = daemon(tmp, ["--vport", f"tap,iface={TAP}",
                         "--vport", f"vhost,path={csock},client=1"])
        vp = telemetry(TAG, "/nicflowd/vports")["net_vhost0"]
        check(vp["client"] == 1 and vp["link"] == "down" and
              not os.path.exists(csock),
              "client=1: no socket of its own, link down")
        netns_up()
        vm = TestpmdVM(tmp, csock, server=True)
        check(wait_link("up"), "client=1: reconnected to testpmd's socket "
              "(virtio_user server=1): link up")
        time.sleep(1)
        got = udp_echo(200, 7002)
        counts = vm.stop()
        vm = None
        check(got == 200 and counts == (200, 200),
              f"client=1: {got}/200 datagrams echoed, testpmd {counts}")
    finally:
        if vm is not None:
            vm.stop()
        if d is not None:
            d.stop()
        sh(f"ip netns del {NS}", check_rc=False)
        sh(f"ip link del {TAP}", check_rc=False)
        if nfe2e.failed:
            for f in ("nicflowd.log", "testpmd.log"):
                nfe2e.dump_log(os.path.join(tmp, f), f"--- {f}")
        shutil.rmtree(tmp, ignore_errors=True)
        # EAL leaves its runtime directory (config, sockets) behind.
        for prefix in (TAG, f"{TAG}vm"):
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    return nfe2e.finish(per_check=False)


if __name__ == "__main__":
    sys.exit(main())
