#!/usr/bin/python3
"""Security groups end to end (V-5, spec §7.7): two VMs in network
namespaces (veth + af_packet under a snic representor each) on one
nicflowd with EAL -l 0 (one core: the NIC runs inline). VM1 has the
stateful group "web": egress TCP, egress UDP 7000-7100, and later a
stateless DROP rule for UDP 7200; VM2 has no group.

  1. VM1 opens a TCP connection to VM2 and sends 8 MB: both directions are
     in the NIC with the tcp_flags 0x00/0x07 match, whose counters carry
     all but the handshake's packets
  2. VM2 cannot open a connection to VM1: counted under sg_deny
  3. after FIN both ways the NIC rules are gone; the connection leaves CT
     after --ct-fin-timeout
  4. a UDP stream VM1 -> VM2 is offloaded, then ages out after
     --ct-udp-timeout (flows and connection)
  5. a stateless DROP rule (sg-drop) blocks UDP 7200 in the NIC: the DROP
     rule's counter counts the datagrams, VM2 receives none
  6. deleting the UDP allow rule removes the offloaded UDP flow at once
     (revalidation): the datagrams stop arriving
Needs root; prints SKIP and exits 77 otherwise. Cleans up on any failure.
Usage: test_sg_e2e.py NICFLOWD NICFLOWCTL
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nfe2e
from nfe2e import check, py, snic

TAG = f"sg{os.getpid() % 100000}"
VMS = [(f"{TAG}n1", f"{TAG}h1", "10.78.0.1", "02:00:00:78:00:01"),
       (f"{TAG}n2", f"{TAG}h2", "10.78.0.2", "02:00:00:78:00:02")]
TCP_BYTES = 8 << 20
UDP_TIMEOUT = 5
FIN_TIMEOUT = 2


def daemon(tmp):
    vdevs, devargs = snic([VMS[0][1], VMS[1][1]])
    return nfe2e.Daemon(tmp, TAG, ["--idle-timeout", "60",
                                   "--ct-udp-timeout", str(UDP_TIMEOUT),
                                   "--ct-fin-timeout", str(FIN_TIMEOUT),
                                   *vdevs, "--devargs", devargs])


def flows(d, proto, port=None):
    return [f for f in d.flows(proto=proto)
            if port is None or port in (f["match"].get("tp_dst"),
                                        f["match"].get("tp_src"))]


def drops(d, why):
    return d.j("stats")["drops"][why]


last_sent = 0.0


def udp_stream(n, port, wait=2):
    global last_sent
    rx = nfe2e.UdpReceiver(VMS[1][0], port, wait)
    nfe2e.udp_send(VMS[0][0], VMS[1][2], port, n, sport=port)
    last_sent = time.time()
    return rx.result()[0]


def model(d):
    d.ok("network", "add", "blue", "vni", "100")
    for i, (_, _, ip, mac) in enumerate(VMS):
        d.ok("port", "add", f"vm{i + 1}", "rep", str(i), "mac", mac,
             "ipv4", ip, "network", "blue")
    d.ok("sg", "add", "web")
    d.ok("sg-rule", "add", "out-tcp", "sg", "web", "direction", "egress",
         "ethertype", "IPv4", "protocol", "tcp")
    d.ok("sg-rule", "add", "out-udp", "sg", "web", "direction", "egress",
         "protocol", "udp", "port_min", "7000", "port_max", "7100",
         "remote", "10.78.0.0/24")
    d.ok("sg-port", "add", "vm1", "sg", "web")
    rc, _, err = d.ctl("sg-rule", "add", "bad", "sg", "web", "direction",
                       "out")
    check(rc == 1 and "direction: 'out' is not ingress or egress" in err,
          f"bad direction refused naming the field ({err.strip()})")
    rc, _, err = d.ctl("sg-rule", "add", "bad", "sg", "web", "direction",
                       "egress", "port_min", "22")
    check(rc == 1 and "port_min: needs protocol tcp or udp" in err,
          f"port range without protocol refused ({err.strip()})")
    rc, _, err = d.ctl("port", "del", "vm1")
    check(rc == 1 and "port 'vm1' still has sg 'web'" in err,
          f"port with a group not deleted ({err.strip()})")
    rc, _, err = d.ctl("sg", "del", "web")
    check(rc == 1 and "sg 'web' still has sg_rule" in err,
          f"group with rules not deleted ({err.strip()})")


def tcp_connection(d):
    """VM1 -> VM2: 8 MB, the connection held open while the flows are
    checked, then closed."""
    srv = py(VMS[1][0],
             "import socket;s=socket.socket();s.setsockopt(1,2,1);"
             "s.bind(('',5001));s.listen(1);print('up',flush=True);"
             "c,_=s.accept();n=0\n"
             f"while n<{TCP_BYTES}:\n b=c.recv(65536)\n if not b: break\n"
             " n+=len(b)\n"
             "c.sendall(str(n).encode().ljust(16));c.recv(1);c.close()\n"
             "print(n)")
    srv.stdout.readline()
    cli = py(VMS[0][0],
             "import socket,sys;c=socket.create_connection(('"
             f"{VMS[1][2]}',5001),timeout=10);c.sendall(b'x'*{TCP_BYTES});"
             "print(int(c.recv(16)),flush=True);sys.stdin.readline();"
             "c.shutdown(1);c.recv(1);c.close()", stdin=subprocess.PIPE)
    got = int(cli.stdout.readline().strip() or 0)
    check(got == TCP_BYTES, f"TCP: VM2 received {got}/{TCP_BYTES} bytes")
    time.sleep(1.2)  # a COUNT query per second
    fl = flows(d, 6, 5001)
    nic = [f for f in fl if f["where"] == "nic"]
    check(len(fl) == 2 and len(nic) == 2 and
          all(f["match"].get("tcp_flags") == "0x00/0x07" and
              f["actions"].get("ct") for f in nic),
          "TCP: both directions in the NIC, matching tcp_flags 0x00/0x07 "
          f"({[(f['where'], f['reason']) for f in fl]})")
    sw = sum(f["counters"]["sw_packets"] for f in fl)
    hw = sum(f["counters"]["nic_packets"] for f in fl)
    print(f"     TCP packets: NIC {hw}, software {sw}")
    check(hw > 1000 and hw > 20 * sw,
          f"TCP: the NIC carried {hw} packets, software {sw} "
          "(the handshake and what came before the rules landed)")
    rc, out, _ = d.ctl("dump-flows")
    check("tcp_flags=0x00/0x07" in out and "tp_dst=5001" in out,
          "dump-flows shows the 5-tuple and the tcp_flags match")
    new = d.j("stats")["sg"]["conns_new"]
    check(new >= 1, f"TCP: the connection is in CT (created {new})")
    cli.stdin.write("\n")
    cli.stdin.flush()
    cli.wait(timeout=10)
    srv.wait(timeout=10)
    end = time.time() + 3
    while time.time() < end and any(f["where"] == "nic"
                                    for f in flows(d, 6, 5001)):
        time.sleep(0.2)
    fl = flows(d, 6, 5001)
    check(fl and not any(f["where"] == "nic" for f in fl) and
          all("closing" in f["reason"] for f in fl),
          "after FIN both ways no TCP rule is left in the NIC; the last "
          f"packets stay in software ({[f['reason'] for f in fl]})")
    return hw, sw


def tcp_denied(d):
    before = drops(d, "sg_deny")
    srv = py(VMS[0][0],
             "import socket;s=socket.socket();s.bind(('',5002));"
             "s.listen(1);s.settimeout(4)\n"
             "try:\n s.accept();print('accepted')\nexcept OSError:"
             " print('none')")
    time.sleep(0.3)
    r = subprocess.run(["ip", "netns", "exec", VMS[1][0], "/usr/bin/python3",
                        "-c", "import socket;socket.create_connection(('"
                        f"{VMS[0][2]}',5002),timeout=2)"],
                       capture_output=True)
    got = srv.communicate(timeout=10)[0].strip()
    after = drops(d, "sg_deny")
    check(r.returncode != 0 and got == "none" and after > before,
          f"VM2 cannot connect to VM1: sg_deny {before} -> {after}")
    check(not flows(d, 6, 5002), "the refused SYNs left no flow")


def tcp_gone(d):
    time.sleep(FIN_TIMEOUT + 2.5)
    st = d.j("stats")["sg"]
    check(not flows(d, 6, 5001) and st["conns_closed"] >= 1,
          f"closed connection left CT after --ct-fin-timeout {FIN_TIMEOUT} "
          f"({st})")


def udp_aging(d):
    got = udp_stream(500, 7000, wait=1)
    check(got == 500, f"UDP: {got}/500 datagrams arrived")
    time.sleep(1.1)
    fl = flows(d, 17, 7000)
    check(len(fl) == 1 and fl[0]["where"] == "nic" and
          fl[0]["actions"].get("ct"),
          f"UDP: the flow is tracked and in the NIC "
          f"({[(f['where'], f['reason']) for f in fl]})")
    if fl:
        c = fl[0]["counters"]
        print(f"     UDP packets: NIC {c['nic_packets']}, "
              f"software {c['sw_packets']}")
        check(c["nic_packets"] + c["sw_packets"] == 500 and
              c["nic_packets"] >= 400,
              f"UDP: NIC {c['nic_packets']} + software {c['sw_packets']} "
              "= 500")
    aged = d.j("stats")["sg"]["conns_aged"]
    while time.time() - last_sent < UDP_TIMEOUT + 6 and \
            (flows(d, 17, 7000) or d.j("stats")["sg"]["conns_aged"] == aged):
        time.sleep(0.25)
    dt = time.time() - last_sent
    st = d.j("stats")["sg"]
    # Aging runs once a second: between the timeout and 2 s after it.
    check(not flows(d, 17, 7000) and st["conns_aged"] > aged and
          UDP_TIMEOUT <= dt <= UDP_TIMEOUT + 2.5,
          f"UDP: flow and connection aged out {dt:.1f} s after the last "
          f"datagram (--ct-udp-timeout {UDP_TIMEOUT}) ({st})")


def stateless_drop(d):
    d.ok("sg-drop", "add", "no-7200", "sg", "web", "direction", "egress",
         "protocol", "udp", "port_min", "7200")
    before = drops(d, "sg_drop_rule")
    got = udp_stream(400, 7200)
    time.sleep(1.2)
    fl = flows(d, 17, 7200)
    check(got == 0, f"DROP rule: VM2 received {got} of 400 datagrams")
    if not check(len(fl) == 1 and fl[0]["where"] == "nic" and
                 fl[0]["actions"]["template"] == "drop" and
                 fl[0]["actions"].get("drop"),
                 "DROP rule: the flow is the §7.7.2 DROP rule in the NIC "
                 f"({[(f['where'], f['actions']) for f in fl]})"):
        return
    c = fl[0]["counters"]
    after = drops(d, "sg_drop_rule")
    print(f"     dropped: NIC {c['nic_packets']}, software "
          f"{c['sw_packets']}")
    check(c["nic_packets"] + c["sw_packets"] == 400 and
          c["nic_packets"] >= 300 and after - before == c["sw_packets"],
          f"DROP rule: NIC counter {c['nic_packets']} + software "
          f"{c['sw_packets']} (sg_drop_rule +{after - before}) = 400")


def revalidate(d):
    got = udp_stream(200, 7001)
    time.sleep(1.2)
    fl = flows(d, 17, 7001)
    check(got == 200 and len(fl) == 1 and fl[0]["where"] == "nic",
          f"UDP 7001: {got}/200 and in the NIC")
    d.ok("sg-rule", "del", "out-udp")
    check(not flows(d, 17, 7001),
          "deleting the allow rule removed the offloaded flow at once")
    before = drops(d, "sg_deny")
    got = udp_stream(50, 7001, wait=1)
    after = drops(d, "sg_deny")
    check(got == 0 and after - before == 50,
          f"UDP 7001 now denied: {got} arrived, sg_deny +{after - before}")


def main():
    nfe2e.require()
    tmp = tempfile.mkdtemp(prefix="sge", dir="/run")
    d = None
    try:
        nfe2e.vms_up(VMS)
        d = daemon(tmp)
        model(d)
        tcp_connection(d)
        tcp_denied(d)
        tcp_gone(d)
        udp_aging(d)
        stateless_drop(d)
        revalidate(d)
        print(d.ctl("dump-flows")[1], end="")
        print(json.dumps(d.j("stats"), sort_keys=True))
        check(d.stop() == 0, "nicflowd exits 0 on SIGTERM")
    finally:
        if d is not None:
            d.stop()
        nfe2e.vms_down(VMS)
        if nfe2e.failed:
            nfe2e.dump_log(os.path.join(tmp, "nicflowd.log"))
        shutil.rmtree(tmp, ignore_errors=True)
    return nfe2e.finish(per_check=False)


if __name__ == "__main__":
    sys.exit(main())
