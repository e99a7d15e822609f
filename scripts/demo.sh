#!/usr/bin/env bash
# nicflow demo: two "VMs" (network namespaces) behind net_snic.
#
#   nf-vm1 (10.9.0.1) ─veth─ af_packet ─ VF0 ┐
#                                           net_snic0 ── uplink: net_null
#   nf-vm2 (10.9.0.2) ─veth─ af_packet ─ VF1 ┘
#
# nicflowd (the vSwitch, docs/vswitch.md) runs the NIC and forwards what it
# upcalls in software (ARP, ICMP, first packets); it offloads the UDP flow
# from vm1 to vm2 with the spec's §7.2 rule, and `nicflowctl dump-flows`
# shows the NIC's counter carried the stream.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh >/dev/null
if [ ! -f build/build.ninja ]; then
	meson setup build -Dbuildtype=release >/dev/null
fi
ninja -C build >/dev/null || ninja -C build
exec /usr/bin/python3 scripts/demo.py build
