#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The nicflow authors
#
# ovstest_ct.sh: Open vSwitch's userspace conntrack benchmark next to
# nicflow's lib/ct (issue 5, and the report of issue 6).
#
#   bench/ovstest_ct.sh            env: BUILD=/root/b-bench2 OVSB=/root/b-bench2-ovs REPS=3
#
# ovstest is in no Debian package (openvswitch-test is the Python ovs-test),
# so this builds it once from Debian's openvswitch-source into $OVSB
# (generated headers first, then only tests/ovstest; ~10 min on 2 CPUs).
# Then, REPS times each, alternating:
#   ovstest test-conntrack benchmark 1 3000000 32
#       one thread, 3M packets in batches of 32 through conntrack_execute
#       with commit (OVS's own test traffic); prints "conntrack: N ms".
#   $BUILD/bench/bench_ct 1000000 2048
#       lib/ct lookups, bursts of 32 over 1M live connections (state,
#       counters, last-seen updated); its "lookups=" figure.
# Prints one line per run and a last line with the medians and the ratio
# bench_ct lookups / ovstest packets per second. Not the same work: OVS's
# figure includes its own packet parsing (miniflow) and commit, on few
# connections; bench_ct's is lookups only, on 1M connections.
set -euo pipefail

BUILD=${BUILD:-/root/b-bench2}
OVSB=${OVSB:-/root/b-bench2-ovs}
REPS=${REPS:-3}
ct=$BUILD/bench/bench_ct
ot=$OVSB/openvswitch/tests/ovstest

[ -x "$ct" ] || { echo "no $ct: build first" >&2; exit 1; }
if [ ! -x "$ot" ]; then
	if ! dpkg -s openvswitch-source >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			openvswitch-source >/dev/null
	fi
	mkdir -p "$OVSB"
	tar xzf /usr/src/openvswitch/openvswitch.tar.gz -C "$OVSB"
	echo "building ovstest in $OVSB (logs there)" >&2
	(
		cd "$OVSB/openvswitch"
		./configure >"$OVSB/configure.log" 2>&1
		printf 'include Makefile\nprint-bs:\n\t@echo $(BUILT_SOURCES)\n' \
			>"$OVSB/bs.mk"
		# the generated headers first: a bare "make tests/ovstest" misses them
		make -j"$(nproc)" $(make -s -f "$OVSB/bs.mk" print-bs) \
			>"$OVSB/make.log" 2>&1
		make -j"$(nproc)" tests/ovstest >>"$OVSB/make.log" 2>&1
	) || { echo "ovstest build failed: $OVSB/make.log" >&2; exit 1; }
fi

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ovs=() nf=()
for r in $(seq "$REPS"); do
	out=$("$ot" test-conntrack benchmark 1 3000000 32)
	ms=$(echo "$out" | sed -n 's/.*conntrack: *\([0-9]*\) ms.*/\1/p')
	[ -n "$ms" ] || { echo "unexpected ovstest output: $out" >&2; exit 1; }
	mpps=$(awk -v ms="$ms" 'BEGIN {printf "%.2f", 3000000 / ms / 1000}')
	echo "ovstest test-conntrack benchmark 1 3000000 32 run $r: $ms ms = $mpps Mpps"
	ovs+=("$mpps")
	line=$("$ct" 1000000 2048 2>/dev/null | grep '^bench_ct:')
	look=$(echo "$line" | sed -n 's/.* lookups=\([0-9.]*\)M\/s.*/\1/p')
	[ -n "$look" ] || { echo "unexpected bench_ct output: $line" >&2; exit 1; }
	echo "bench_ct 1000000 2048 run $r: lookups=$look M/s ($line)"
	nf+=("$look")
done
mo=$(printf '%s\n' "${ovs[@]}" | median)
mn=$(printf '%s\n' "${nf[@]}" | median)
awk -v o="$mo" -v n="$mn" 'BEGIN {printf "conntrack: ovstest %.2f Mpps, " \
	"bench_ct lookups %.2f M/s (medians), ratio bench_ct/ovstest %.2f\n",
	o, n, n / o}'
