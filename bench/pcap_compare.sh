#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The nicflow authors
#
# pcap_compare.sh: net_snic forwarding rate against dpdk-testpmd io
# forwarding, both fed by net_pcap (infinite_rx) into net_null, 64-byte UDP
# frames, 1 and 1000 flows (one offloaded rule per flow).
#
#   bench/pcap_compare.sh                 (release build in /root/b-bench)
#   env: BUILD=/root/b-bench FLOWS="1 1000" MODES="io inline service"
#        REPS=3 WARM=1.5 DUR=3 MEM=1024 OUT=/tmp/nicflow-pcap-compare
#
# Scenarios (each a fresh dpdk-testpmd, --no-huge, on the machine's 2 CPUs):
#   io       testpmd io forwarding pcap0 -> null0: the ceiling. Main lcore
#            on CPU 0, one forwarding lcore on CPU 1. Rate: TX-packets of
#            the null port.
#   inline   net_snic (-d librte_net_snic.so) with pcap0 as the VF and null0
#            as the uplink, mode=inline: testpmd's forwarding lcore (CPU 1)
#            polls only the representor (--portmask 0x8), and each rx_burst
#            there runs one NIC iteration, which forwards VF -> uplink by
#            the rules. Rate: the uplink's xstat nic_tx_packets.
#   service  the same switch with mode=service: the NIC runs on a service
#            lcore pinned to CPU 1 (-s); testpmd's main lcore and its
#            (required, never started) forwarding lcore share CPU 0. So
#            every scenario gives the datapath exactly one dedicated CPU,
#            CPU 1, and leaves CPU 0 to the control thread; that is the only
#            fair split on 2 CPUs (a service lcore next to a busy testpmd
#            forwarding lcore on the same CPU would halve both).
# Rules come from a generated --cmdline-file (bench/mkpcap.py): one
# "flow create 3 ingress pattern eth / ipv4 dst is .. / udp dst is .. / end
# actions count / port_id id 2 / end" per flow (ports: pcap0 0, null0 1,
# both owned by the snic and hidden; uplink net_snic0 2, representor 3).
#
# Each run: WARM s, then the counter is read twice DUR s apart on
# testpmd's prompt (bench/tp_measure.py, which also re-measures windows
# where other processes used > 0.05 cores: the machine is shared). The
# snic runs also report the VF's nic_hw_forwarded and miss_no_rule deltas
# over the window (misses must be 0). Output, per flow count: one line per
# scenario with the median of REPS runs (the scenarios take turns), and the
# snic/io ratios of the medians. Run details (each run's "others" and, for
# snic, forwarded/missed counts) go to stderr; testpmd logs to $OUT.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-/root/b-bench}
FLOWS=${FLOWS:-"1 1000"}
MODES=${MODES:-"io inline service"}
REPS=${REPS:-3}
WARM=${WARM:-1.5}
DUR=${DUR:-3}
MEM=${MEM:-1024}
OUT=${OUT:-/tmp/nicflow-pcap-compare}
so=$BUILD/drivers/net/snic/librte_net_snic.so
py=/usr/bin/python3   # Debian's python: the one the helpers are tested with

if [ ! -f "$so" ]; then
	echo "no $so: build first (docs/performance.md)" >&2
	exit 1
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.log
$py "$top/bench/mkpcap.py" -o "$OUT" --vf-port 3 --uplink-port 2 $FLOWS

eal() {   # $1 tag, rest: extra EAL arguments
	local tag=$1; shift
	echo --no-huge -m "$MEM" --no-pci --file-prefix "nfpc_${tag}_$$" "$@"
}

run() {   # $1 mode, $2 flows -> one tp_measure.py result line
	local mode=$1 n=$2 pcap=$OUT/flows-$2.pcap rules=$OUT/rules-$2.txt
	local src="--vdev=net_pcap0,rx_pcap=$pcap,infinite_rx=1"
	local dst="--vdev=net_null0,no-rx=1"
	local tp="-i --no-mlockall --total-num-mbufs=65536 --forward-mode=io"
	local check=(--check "show port xstats 3"
		--check-regex "hw_forwarded=nic_hw_forwarded: (\d+)"
		--check-regex "misses=miss_no_rule: (\d+)")
	local log=$OUT/$mode-$n.log
	case $mode in
	io)
		$py "$top/bench/tp_measure.py" --start --warm "$WARM" \
			--dur "$DUR" --log "$log" \
			--counter "show port stats 1" \
			--regex "TX-packets:\s+(\d+)" -- \
			dpdk-testpmd $(eal io -l 0-1) "$src" "$dst" -- \
			$tp --nb-cores=1 ;;
	inline)
		$py "$top/bench/tp_measure.py" --start --warm "$WARM" \
			--dur "$DUR" --log "$log" "${check[@]}" \
			--counter "show port xstats 2" \
			--regex "nic_tx_packets:\s+(\d+)" -- \
			dpdk-testpmd $(eal in -l 0-1 -d "$so") "$src" "$dst" \
			"--vdev=net_snic0,uplink=net_null0,vf=net_pcap0,mode=inline" \
			-- $tp --nb-cores=1 --portmask=0x8 \
			--port-topology=loop --cmdline-file="$rules" ;;
	service)
		$py "$top/bench/tp_measure.py" --warm "$WARM" \
			--dur "$DUR" --log "$log" "${check[@]}" \
			--counter "show port xstats 2" \
			--regex "nic_tx_packets:\s+(\d+)" -- \
			dpdk-testpmd $(eal sv --lcores 0@0,1@1,2@0 -s 0x2 \
				-d "$so") "$src" "$dst" \
			"--vdev=net_snic0,uplink=net_null0,vf=net_pcap0,mode=service" \
			-- $tp --cmdline-file="$rules" ;;
	esac
}

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

echo "# $(date -u '+%F %T UTC') $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //'), WARM=${WARM}s DUR=${DUR}s REPS=$REPS"
for n in $FLOWS; do
	declare -A rates=() med=()
	# Scenarios take turns within a repetition, so a slow spell of the
	# (shared, virtual) machine hits all of them alike.
	for r in $(seq "$REPS"); do
		for mode in $MODES; do
			line=$(run "$mode" "$n")
			echo "  $mode flows=$n run $r: $line" >&2
			v=${line%% *}
			rates[$mode]="${rates[$mode]:-} ${v#rate=}"
		done
	done
	for mode in $MODES; do
		med[$mode]=$(echo ${rates[$mode]} | tr ' ' '\n' | median)
		echo "pcap flows=$n mode=$mode rate=${med[$mode]} Mpps" \
			"(median of:${rates[$mode]})"
	done
	if [ -n "${med[io]:-}" ]; then
		for mode in inline service; do
			[ -n "${med[$mode]:-}" ] || continue
			awk -v s="${med[$mode]}" -v i="${med[io]}" -v n="$n" \
				-v m="$mode" 'BEGIN {printf "pcap flows=%s " \
				"ratio %s/io=%.2f\n", n, m, s / i}'
		done
	fi
	unset rates med
done
