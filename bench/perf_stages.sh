#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The nicflow authors
#
# perf_stages.sh: where bench_fwd's time goes, by datapath stage.
#
#   bench/perf_stages.sh FLOWS [BUILD]        (BUILD default /root/b-bench)
#
# Records bench_fwd (inline mode, FLOWS flows) with perf's cpu-clock event
# (this VM exposes no hardware counters), skipping the set-up with -D, and
# sums the self time of the PMD's functions by stage. Static functions are
# inlined into their callers, so stages are approximate: "snic_dp_rx" holds
# the burst loop and its inlined helpers, where the first touch of each
# mbuf is paid. Prints bench_fwd's result line, then one line per stage.
set -euo pipefail

flows=${1:?usage: perf_stages.sh FLOWS [BUILD]}
BUILD=${2:-/root/b-bench}
data=$(mktemp /tmp/perf_stages.XXXXXX)
trap 'rm -f "$data"' EXIT

# Set-up (mbufs, rules, warm-up) takes about 2 s, plus ~4 s per million flows.
delay=$((2500 + flows / 250))
perf record -q -e cpu-clock -F 4000 -D "$delay" -o "$data" \
	"$BUILD/bench/bench_fwd" --no-baseline --tries 1 -t 5 -w 1 \
	"$flows" 2>/dev/null | grep '^fwd'
perf report -i "$data" --no-children --sort dso,sym --stdio 2>/dev/null |
	grep '%' | awk '
{
	pct = $1; sub("%", "", pct); dso = $2; sym = $NF; b = "other"
	if (sym ~ /^(nf_pkt_parse|parse_(eth|ipv4|ipv6|udp|tcp|l3|l4))$/)
		b = "parse: nf_pkt_parse"
	else if (sym ~ /rte_hash_crc/)
		b = "lookup: CRC32 hash of the 112-byte key"
	else if (dso ~ /librte_hash/ || sym == "snic_tbl_lookup")
		b = "lookup: key masking, rte_hash buckets and key compare"
	else if (sym ~ /^(snic_rule_exec|snic_actions_(precheck|apply|len_delta)|snic_verdict|snic_emit)$/)
		b = "rule: count, MTU precheck, verdict, tx buffer"
	else if (sym == "snic_dp_rx")
		b = "snic_dp_rx: burst loop, first touch of the mbufs"
	else if (sym ~ /^(snic_nic_iter|snic_txb_flush|snic_rx_burst|rte_service_run_iter_on_app_lcore)$/ ||
		 dso ~ /librte_(eal|net_ring|ring|ethdev)/)
		b = "iteration: service call, port loop, ring PMD rx/tx"
	else if (sym ~ /^(run_loop|recirculate|frame_set_flow)/)
		b = "harness (bench_fwd loop)"
	s[b] += pct; t += pct
}
END { for (k in s) printf "%5.1f%%  %s\n", s[k] * 100 / t, k }' | sort -rn
