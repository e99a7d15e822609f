#!/usr/bin/env bash
# Bond end-to-end tests (N-18): the NIC (bond_e2e, net_snic with uplink
# bond0 over af_packet on veths a0/a1) against a DPDK LACP peer (lacp_peer
# on b0/b1 in a network namespace; the kernel has no bonding driver).
#   run_e2e.sh <build dir of the tests> lacp|ab
# lacp also runs "restore" in a new process (persistence). bond_e2e sets
# b0 down and up (ip -n) to cut eth0's wire; b0 lives in the netns, so
# deleting it cleans up whatever state a failed run left. Needs root;
# exits 77 (skipped) without it. Cleans up netns, veths and the peer on
# any exit.
set -u
bin=$1
what=$2
[ "$(id -u)" = 0 ] && ip netns list >/dev/null 2>&1 || { echo "needs root"; exit 77; }
id=$$
ns=nfbond$id
a0=nfa0$id; a1=nfa1$id; b0=nfb0$id; b1=nfb1$id
dir=$(mktemp -d /tmp/nf_bond_XXXXXX)
peer=
cleanup() {
	[ -n "$peer" ] && kill "$peer" 2>/dev/null && wait "$peer" 2>/dev/null
	ip link del "$a0" 2>/dev/null
	ip link del "$a1" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$ns" || exit 1
for i in 0 1; do
	a=nfa$i$id; b=nfb$i$id
	ip link add "$a" type veth peer name "$b" netns "$ns" || exit 1
	ip link set "$a" up
	ip -n "$ns" link set "$b" up
done
mode=plain
[ "$what" = lacp ] && mode=lacp
ip netns exec "$ns" "$bin/lacp_peer" --no-huge -m 128 --no-pci -l 0 \
	--file-prefix "nfpeer$id" --log-level lib.eal:error \
	--vdev "net_af_packet0,iface=$b0" --vdev "net_af_packet1,iface=$b1" \
	-- "$mode" "$dir/peer.json" >"$dir/peer.log" 2>&1 &
peer=$!
rc=0
"$bin/bond_e2e" "$dir" "$a0" "$a1" "$ns" "$b0" "$what" || rc=1
if [ "$what" = lacp ]; then
	echo "bond config after the run: $(tr -d '\n' <"$dir/bond.json")"
	"$bin/bond_e2e" "$dir" "$a0" "$a1" "$ns" "$b0" restore || rc=1
fi
[ $rc = 0 ] || { echo "--- peer log"; cat "$dir/peer.log"; }
exit $rc
