"""The harness shared by the nicflowd end-to-end tests of tests/vswitch/
(test_nicflowd_e2e.py, test_overlay_e2e.py, test_underlay_e2e.py,
test_sg_e2e.py, test_nicflowd_vhost.py): each runs as
SCRIPT NICFLOWD NICFLOWCTL, as root, with network namespaces as VMs.

  NFD, CTL          the two binaries of the command line, absolute
  require()         print SKIP and exit 77 when not root or a tool is missing
  check(), finish() an "ok" / "FAIL" line a check, counted in passed and
                    failed; the closing "N passed, M failed" line and the
                    exit status
  sh(), nsx(), py(), pyrun()
                    a shell command, one in a namespace, python3 code in a
                    namespace (running, or run to the end)
  vm_up(), vm_down(), vms_up(), vms_down(), quiet_link(), underlay_up()
                    a VM (or several): a namespace whose eth0 is a veth to
                    the host; IPv6 off; a bridged underlay with a veth pair
                    a node
  snic()            nicflowd's arguments for one snic NIC over af_packet
  Daemon            nicflowd started with its arguments, up once its socket
                    answers; ctl/do/j/ok run nicflowctl, flows() filters
                    dump-flows, stop() sends SIGTERM
  ping(), UdpReceiver, udp_send(), udp_stream(), tcp_stream()
                    traffic between VMs, counted at the receiver
  tshark(), Capture tshark printing fields; tshark writing a pcap read back
                    as bytes with scapy
  dump_log()        the end of a log, printed when a test failed
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

NFD, CTL = (os.path.abspath(a) for a in sys.argv[1:3])
failed = passed = 0


def require(needs="network namespaces", tools=(),
            hint="scripts/setup.sh"):
    """Exit 77 (meson's skip) with a SKIP line unless root and every one
    of tools is on PATH; needs says what root is for, hint where the tools
    come from."""
    if os.geteuid() != 0:
        print(f"SKIP: needs root ({needs})")
        sys.exit(77)
    for tool in tools:
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} missing ({hint})")
            sys.exit(77)


def check(cond, what):
    """Print what with "ok" or "FAIL", count it; return cond."""
    global failed, passed
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    failed += not cond
    passed += bool(cond)
    return cond


def finish(per_check=True):
    """Print the closing line and return the exit status: the checks
    passed and failed, or with per_check False the test as one check."""
    if per_check:
        print(f"{passed} passed, {failed} failed")
    else:
        print(f"{0 if failed else 1} passed, {1 if failed else 0} failed")
    return 1 if failed else 0


def sh(cmd, check_rc=True, timeout=60):
    """Run a shell command; its stdout. Raises on a non-zero exit status
    (unless check_rc is False) and after timeout seconds."""
    return subprocess.run(cmd, shell=True, check=check_rc, text=True,
                          capture_output=True, timeout=timeout).stdout


def nsx(netns, cmd, **kw):
    """sh() of cmd in network namespace netns."""
    return sh(f"ip netns exec {netns} {cmd}", **kw)


def py(netns, code, **kw):
    """python3 running code in network namespace netns: a Popen, its
    stdout a text pipe unless kw says otherwise."""
    kw.setdefault("stdout", subprocess.PIPE)
    return subprocess.Popen(["ip", "netns", "exec", netns, "/usr/bin/python3",
                             "-c", code], text=True, **kw)


def pyrun(netns, code, timeout=60):
    """python3 code run to the end in netns; its stdout. Raises on a
    non-zero exit status and after timeout seconds."""
    return subprocess.run(["ip", "netns", "exec", netns, "/usr/bin/python3",
                           "-c", code], check=True, text=True,
                          capture_output=True, timeout=timeout).stdout


def quiet_link(dev, netns=None):
    """IPv6 off on dev: no DAD/ND/MLD chatter in the counters."""
    pre = f"ip netns exec {netns} " if netns else ""
    sh(f"{pre}sysctl -qw net.ipv6.conf.{dev}.disable_ipv6=1", check_rc=False)


def vm_up(netns, host, mac, cidr=None, mtu=None):
    """A VM: network namespace netns, IPv6 off, whose eth0 (mac, cidr as
    "10.0.0.1/24", mtu) is the veth peer of host, up in the root namespace
    for an af_packet port. eth0 leaves no checksum to "hardware": the
    af_packet peer would see them unfinished."""
    sh(f"ip netns add {netns}")
    sh(f"ip link add {host} type veth peer name eth0 netns {netns}")
    sh(f"ip link set {host} up")
    quiet_link("all", netns)
    sh(f"ip -n {netns} link set eth0 address {mac}" +
       (f" mtu {mtu}" if mtu else ""))
    if cidr:
        sh(f"ip -n {netns} addr add {cidr} dev eth0")
    sh(f"ip -n {netns} link set eth0 up")
    sh(f"ip -n {netns} link set lo up")
    nsx(netns, "ethtool -K eth0 tx off", check_rc=False)


def vm_down(netns, host):
    """Remove what vm_up() made; what is already gone is no error."""
    sh(f"ip netns del {netns}", check_rc=False)
    sh(f"ip link del {host}", check_rc=False)


def vms_up(vms):
    """vm_up() of each (netns, host, ip, mac) of vms, ip in a /24."""
    for netns, host, ip, mac in vms:
        vm_up(netns, host, mac, f"{ip}/24")


def vms_down(vms):
    """vm_down() of each of vms."""
    for netns, host, _, _ in vms:
        vm_down(netns, host)


def underlay_up(br, pairs):
    """Bridge br, up, and for each (uplink, port) of pairs a veth pair:
    port a bridge port, uplink left to a node's af_packet port."""
    sh(f"ip link add {br} type bridge")
    sh(f"ip link set {br} up")
    for uplink, port in pairs:
        sh(f"ip link add {uplink} type veth peer name {port}")
        sh(f"ip link set {port} master {br} up")
        sh(f"ip link set {uplink} up")


def snic(vfs, uplink=None, first=0):
    """One snic NIC over af_packet: net_af_packet<first>, ... on the
    interfaces uplink (if any) then vfs, the uplink a net_null that
    receives nothing without one. Returns (the --underlay arguments, the
    NIC's devargs "uplink=...,vf=...,ctl=none")."""
    ifaces = ([uplink] if uplink else []) + list(vfs)
    names = [f"net_af_packet{first + i}" for i in range(len(ifaces))]
    vdevs = [f"{n},iface={i}" for n, i in zip(names, ifaces)]
    if not uplink:
        names.insert(0, "net_null0")
        vdevs.insert(0, "net_null0,no-rx=1")
    return (sum((["--underlay", v] for v in vdevs), []),
            ",".join([f"uplink={names[0]}"] +
                     [f"vf={n}" for n in names[1:]] + ["ctl=none"]))


class Daemon:
    """nicflowd under EAL options eal, file prefix prefix, with its files
    in tmp: <stem>.sock, <stem>.json (its config file, unless config is
    False) and <stem>.log (stdout and stderr, appended: a restart adds to
    it); args follow --config and --socket. name says which nicflowd in
    errors."""

    def __init__(self, tmp, prefix, args, eal=("-l", "0"), stem="nicflowd",
                 config=True, name="nicflowd"):
        self.name = name
        self.sock = os.path.join(tmp, f"{stem}.sock")
        cfg = ["--config", os.path.join(tmp, f"{stem}.json")] if config \
            else []
        self.log = open(os.path.join(tmp, f"{stem}.log"), "a")
        argv = [NFD, "--no-huge", "-m", "512", "--file-prefix", prefix,
                "--no-pci", *eal, "--", *cfg, "--socket", self.sock, *args]
        # DPDK 22.11's af_packet joins PACKET_FANOUT group (pid ^ ifindex):
        # two processes whose pid ^ ifindex collide on different
        # interfaces get EINVAL and the port is not created. A new
        # process has a new pid; anything else is a real failure.
        for _ in range(3):
            start = self.log.tell()
            self.p = subprocess.Popen(argv, stdout=self.log,
                                      stderr=subprocess.STDOUT)
            if self._wait_up():
                return
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()
            with open(self.log.name) as f:
                f.seek(start)
                if "could not set PACKET_FANOUT" not in f.read():
                    break
        raise RuntimeError(f"{name} did not come up: see {self.log.name}")

    def _wait_up(self):
        """True once the daemon answers on its socket (30 s at most)."""
        end = time.time() + 30
        while time.time() < end and self.p.poll() is None:
            if os.path.exists(self.sock) and \
                    self.ctl("port", "list")[0] == 0:
                return True
            time.sleep(0.2)
        return False

    def ctl(self, *a, json_out=False):
        """nicflowctl a: (exit status, stdout, stderr)."""
        r = subprocess.run([CTL, "-s", self.sock] +
                           (["-j"] if json_out else []) + list(a),
                           text=True, capture_output=True)
        return r.returncode, r.stdout, r.stderr

    def do(self, *a):
        """nicflowctl a, which must succeed."""
        rc, _, err = self.ctl(*a)
        if rc != 0:
            raise RuntimeError(f"{self.name}: nicflowctl {a}: {err}")

    def ok(self, *a):
        """nicflowctl a as a check named by the command."""
        rc, _, err = self.ctl(*a)
        check(rc == 0, " ".join(a) + (f" ({err.strip()})" if rc else ""))

    def j(self, *a):
        """nicflowctl -j a, which must succeed: its JSON, or None."""
        rc, out, err = self.ctl(*a, json_out=True)
        if rc != 0:
            raise RuntimeError(f"{self.name}: nicflowctl {a}: {err}")
        return json.loads(out) if out.strip() else None

    def flows(self, tpl=None, proto=None):
        """dump-flows, only template tpl and IP protocol proto if given."""
        return [f for f in self.j("dump-flows")
                if (tpl is None or f["actions"]["template"] == tpl) and
                (proto is None or f["match"]["ip_proto"] == proto)]

    def stop(self):
        """SIGTERM (SIGKILL after 20 s); the exit status."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()
        return self.p.returncode


def ping(netns, dst, extra=""):
    """Three pings from netns to dst: (all answered, ping's output)."""
    r = subprocess.run(f"ip netns exec {netns} ping -c 3 -i 0.2 -W 2 "
                       f"{extra} {dst}", shell=True, text=True,
                       capture_output=True)
    return r.returncode == 0, r.stdout


class UdpReceiver:
    """Counts the datagrams to UDP port in netns until none came for wait
    seconds; ready when constructed."""

    def __init__(self, netns, port, wait=3):
        self.p = py(netns,
                    "import socket,json;s=socket.socket(2,2);"
                    f"s.bind(('',{port}));s.settimeout({wait});n=0;"
                    "peers=set()\ntry:\n while True:\n"
                    "  d,a=s.recvfrom(4096);n+=1;peers.add(a[0])\n"
                    "except OSError: pass\n"
                    "print(json.dumps([n,sorted(peers)]))")
        time.sleep(0.5)

    def result(self, timeout=60):
        """(datagrams received, their source addresses sorted)."""
        out = self.p.communicate(timeout=timeout)[0].strip()
        return tuple(json.loads(out)) if out else (0, [])


def udp_send(netns, dst, port, n, sport=None):
    """n 64-byte datagrams from netns to dst:port (from port sport if
    given), a 2 ms pause every 20."""
    pyrun(netns, "import socket,time;s=socket.socket(2,2)\n" +
          (f"s.bind(('',{sport}))\n" if sport else "") +
          f"for i in range({n}):\n s.sendto(b'x'*64,('{dst}',{port}))\n"
          " time.sleep(0.002) if i%20==0 else None")


def udp_stream(src, dst, dst_ip, n, port, wait=3, sport=None):
    """udp_send() from namespace src to dst_ip, received in namespace
    dst: UdpReceiver.result()."""
    rx = UdpReceiver(dst, port, wait)
    udp_send(src, dst_ip, port, n, sport)
    return rx.result()


def tcp_stream(src, dst, dst_ip, nbytes, port):
    """nbytes (a multiple of 64 KiB) over one TCP connection from
    namespace src to dst_ip:port, received in namespace dst: (bytes the
    receiver counted, the peer address it saw), or (None, the error)."""
    rx = py(dst, "import socket;s=socket.socket();s.setsockopt(1,2,1);"
            f"s.bind(('',{port}));s.listen(1);s.settimeout(60);"
            "c,a=s.accept();n=0\n"
            "while True:\n b=c.recv(1<<16)\n if not b: break\n n+=len(b)\n"
            "c.sendall(('%d %s' % (n,a[0])).encode());c.close();"
            "print(n,a[0])")
    time.sleep(0.5)
    try:
        out = pyrun(src, "import socket;s=socket.create_connection(('"
                    f"{dst_ip}',{port}),10);b=b'y'*(1<<16)\n"
                    f"for i in range({nbytes >> 16}): s.sendall(b)\n"
                    "s.shutdown(1);print(s.recv(100).decode())")
    except subprocess.SubprocessError as e:
        rx.kill()
        return None, str(e)
    rx.communicate(timeout=30)
    n, peer = out.split()
    return int(n), peer


def tshark(iface, seconds, bpf, fields, netns=None, opts=()):
    """tshark on iface (in netns if given) for seconds, one line of the
    tab-separated fields per frame matching bpf: a Popen, stdout text."""
    pre = ["ip", "netns", "exec", netns] if netns else []
    return subprocess.Popen(
        pre + ["tshark", *opts, "-i", iface, "-a", f"duration:{seconds}",
               "-f", bpf, "-T", "fields"] +
        sum((["-e", f] for f in fields), []),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


class Capture:
    """tshark writing a pcap, read back with scapy."""

    def __init__(self, iface, bpf, netns=None, tmp="/run"):
        self.path = tempfile.mktemp(suffix=".pcap", dir=tmp)
        pre = ["ip", "netns", "exec", netns] if netns else []
        self.p = subprocess.Popen(pre + ["tshark", "-i", iface, "-f", bpf,
                                         "-w", self.path, "-q"],
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        time.sleep(2)

    def frames(self):
        """Stop the capture: the frames, as bytes."""
        from scapy.all import rdpcap
        time.sleep(1)
        self.p.send_signal(signal.SIGINT)
        self.p.wait(timeout=20)
        try:
            return [bytes(p) for p in rdpcap(self.path)]
        finally:
            os.unlink(self.path)


def dump_log(path, header=None, tail=3000):
    """Print the last tail characters of the file at path (after header),
    if there is one."""
    if os.path.exists(path):
        print((f"{header}\n" if header else "") + open(path).read()[-tail:])
