#!/usr/bin/env bash
# nicflow demo: two "VMs" (network namespaces) behind net_snic.
#
#   nf-vm1 (10.9.0.1) ─veth─ af_packet ─ VF0 ┐
#                                           net_snic0 ── uplink: net_null
#   nf-vm2 (10.9.0.2) ─veth─ af_packet ─ VF1 ┘
#
# dpdk-testpmd loads librte_net_snic.so and plays a (very) simple software
# switch: io forwarding between the two representors carries everything the
# NIC does not offload (ARP, ICMP, first packets). One rte_flow rule offloads
# UDP from vm1 to vm2; its counter shows the NIC carried the stream.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh >/dev/null
if [ ! -f build/build.ninja ]; then
	meson setup build -Dbuildtype=release >/dev/null
fi
ninja -C build >/dev/null || ninja -C build
exec /usr/bin/python3 scripts/demo.py build/drivers/net/snic/librte_net_snic.so
