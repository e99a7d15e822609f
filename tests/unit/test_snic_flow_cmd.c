/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Unit test of snic_flow_cmd_format(): rules of the spec (§7.2 L2, §7.3
 * encap, an ACL rule with SET_TAG, a TCP flags mask, a mirror with an
 * indirect COUNT, a flow METER) written as dpdk-testpmd 22.11 commands,
 * compared to exact strings. The same strings are replayed by
 * tests/testpmd/flow_replay.tp, which proves testpmd accepts them. Also:
 * snprintf-style truncation.
 *
 * Links snic_flow_cmd.c alone; it needs nothing else from the PMD. No EAL.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_flow.h>

#include "nf_test.h"
#include "snic.h"

#define IT(t, s, m) { .type = RTE_FLOW_ITEM_TYPE_##t, .spec = (s), .mask = (m) }
#define IEND { .type = RTE_FLOW_ITEM_TYPE_END }
#define AC(t, c) { .type = RTE_FLOW_ACTION_TYPE_##t, .conf = (c) }
#define AEND { .type = RTE_FLOW_ACTION_TYPE_END }
#define MAC(...) { .addr_bytes = { __VA_ARGS__ } }
#define IP4(a, b, c, d) \
	RTE_BE32((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static const struct rte_flow_action_count count;
static const struct rte_flow_action_port_id to5 = { .id = 5 };
static const struct rte_flow_action_port_id to3 = { .id = 3 };

/* Format, compare, print the difference when there is one. */
static void
check_cmd(uint16_t port, const struct rte_flow_attr *attr,
	  const struct rte_flow_item *items,
	  const struct rte_flow_action *acts, const char *want)
{
	char buf[2048];
	int n = snic_flow_cmd_format(buf, sizeof(buf), port, attr, items,
				     acts);

	NF_CHECK_EQ(n, (long long)strlen(want));
	NF_CHECK(strcmp(buf, want) == 0);
	if (strcmp(buf, want) != 0)
		fprintf(stderr, "got:  %s\nwant: %s\n", buf, want);
}

/* §7.2 same-node L2 */
static const struct rte_flow_item_eth l2_eth = {
	.src = MAC(2, 0, 0, 0, 0, 1), .dst = MAC(2, 0, 0, 0, 0, 2),
	.type = RTE_BE16(0x0800),
};
static const struct rte_flow_item_eth eth_full = {
	.src = MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	.dst = MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	.type = RTE_BE16(0xffff),
};
static const struct rte_flow_item_ipv4 proto_dst_mask = {
	.hdr.next_proto_id = 0xff, .hdr.dst_addr = RTE_BE32(0xffffffff),
};

NF_TEST(l2_rule)
{
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.next_proto_id = 17, .hdr.dst_addr = IP4(10, 0, 0, 2),
	};
	const struct rte_flow_attr attr = { .ingress = 1 };
	const struct rte_flow_item items[] = {
		IT(ETH, &l2_eth, &eth_full), IT(IPV4, &ip, &proto_dst_mask),
		IT(UDP, NULL, NULL), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &count), AC(PORT_ID, &to5), AEND,
	};

	check_cmd(4, &attr, items, acts,
		"flow create 4 ingress pattern eth dst is 02:00:00:00:00:02 "
		"src is 02:00:00:00:00:01 type is 0x0800 / ipv4 proto is 17 "
		"dst is 10.0.0.2 / udp / end actions count / port_id id 5 / "
		"end");
}

/* VXLAN definition of §7.3 (UDP source 0: N-7). */
static const struct rte_flow_item_eth def_eth = {
	.src = MAC(2, 0xaa, 0, 0, 0, 1), .dst = MAC(2, 0xaa, 0, 0, 0, 2),
};
static const struct rte_flow_item_ipv4 def_ip = {
	.hdr.src_addr = IP4(192, 168, 1, 1), .hdr.dst_addr = IP4(192, 168, 1, 2),
};
static const struct rte_flow_item_udp def_udp = {
	.hdr.dst_port = RTE_BE16(4789),
};
static const struct rte_flow_item_vxlan def_vx = { .vni = { 0, 0, 100 } };
static struct rte_flow_item def[] = {
	IT(ETH, &def_eth, NULL), IT(IPV4, &def_ip, NULL),
	IT(UDP, &def_udp, NULL), IT(VXLAN, &def_vx, NULL), IEND,
};
static const struct rte_flow_action_vxlan_encap encap = { .definition = def };

NF_TEST(encap_rule)
{
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.next_proto_id = 6, .hdr.dst_addr = IP4(10, 1, 0, 2),
	};
	const struct rte_flow_attr attr = { .ingress = 1 };
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &ip, &proto_dst_mask),
		IT(TCP, NULL, NULL), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &count), AC(VXLAN_ENCAP, &encap), AC(PORT_ID, &to3),
		AEND,
	};

	check_cmd(4, &attr, items, acts,
		"set vxlan ip-version ipv4 vni 100 udp-src 0 udp-dst 4789 "
		"ip-src 192.168.1.1 ip-dst 192.168.1.2 "
		"eth-src 02:aa:00:00:00:01 eth-dst 02:aa:00:00:00:02; "
		"flow create 4 ingress pattern eth / ipv4 proto is 6 "
		"dst is 10.1.0.2 / tcp / end actions count / vxlan_encap / "
		"port_id id 3 / end");
}

/* ACL (flow type bits) → group alias 1000 + g. */
NF_TEST(acl_set_tag_rule)
{
	static const struct rte_flow_item_icmp icmp = { .hdr.icmp_type = 8 };
	static const struct rte_flow_item_icmp icmp_m = {
		.hdr.icmp_type = 0xff,
	};
	static const struct rte_flow_action_set_tag tag = {
		.data = 5, .index = 1, .mask = UINT32_MAX,
	};
	struct rte_flow_attr attr = { .ingress = 1, .group = 1 };
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV4, NULL, NULL),
		IT(ICMP, &icmp, &icmp_m), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(SET_TAG, &tag), AC(COUNT, &count), AEND,
	};

	rte_pmd_snic_flow_type_set(&attr, RTE_PMD_SNIC_FLOW_TYPE_ACL);
	check_cmd(4, &attr, items, acts,
		"flow create 4 group 1001 ingress pattern eth / ipv4 / "
		"icmp type is 8 / end actions set_tag data 5 index 1 / count / "
		"end");
}

/* §7.7 stateful: a partial mask is "f spec v f mask m". */
NF_TEST(tcp_flags_rule)
{
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.next_proto_id = 6, .hdr.dst_addr = IP4(10, 0, 0, 60),
	};
	static const struct rte_flow_item_tcp tcp = {
		.hdr.dst_port = RTE_BE16(80), .hdr.tcp_flags = 0,
	};
	static const struct rte_flow_item_tcp tcp_m = {
		.hdr.dst_port = RTE_BE16(0xffff), .hdr.tcp_flags = 0x07,
	};
	const struct rte_flow_attr attr = { .ingress = 1, .priority = 2 };
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &ip, &proto_dst_mask),
		IT(TCP, &tcp, &tcp_m), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &count), AC(PORT_ID, &to5), AEND,
	};

	check_cmd(4, &attr, items, acts,
		"flow create 4 priority 2 ingress pattern eth / ipv4 proto is 6 "
		"dst is 10.0.0.60 / tcp dst is 80 flags spec 0x00 "
		"flags mask 0x07 / end actions count / port_id id 5 / end");
}

/* §7.6 remote mirror, an indirect COUNT, DSCP, IPv6 partial mask (the
 * value printed is spec & mask): the
 * set-up commands come first, the sample's encap before the rule's. */
NF_TEST(setup_commands)
{
	static const struct rte_flow_item_ipv6 ip6 = {
		.hdr.proto = 17,
		.hdr.dst_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	};
	static const struct rte_flow_item_ipv6 ip6_m = {
		.hdr.proto = 0xff,
		.hdr.dst_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				  0xff },
	};
	static const struct rte_flow_action_port_id to4 = { .id = 4 };
	const struct rte_flow_action sub[] = {
		AC(VXLAN_ENCAP, &encap), AC(PORT_ID, &to4), AEND,
	};
	const struct rte_flow_action_sample sample = {
		.ratio = 1, .actions = sub,
	};
	const struct rte_flow_action_modify_field dscp = {
		.operation = RTE_FLOW_MODIFY_SET,
		.dst = { .field = RTE_FLOW_FIELD_IPV6_DSCP },
		.src = { .field = RTE_FLOW_FIELD_VALUE, .value = { 0x2e } },
		.width = 6,
	};
	const struct rte_flow_attr attr = { .ingress = 1 };
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV6, &ip6, &ip6_m), IT(UDP, NULL, NULL),
		IEND,
	};
	const struct rte_flow_action acts[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_INDIRECT, .conf = (void *)1 },
		AC(SAMPLE, &sample), AC(MODIFY_FIELD, &dscp),
		AC(PORT_ID, &to5), AEND,
	};

	check_cmd(4, &attr, items, acts,
		"flow indirect_action 4 create action_id 0 ingress action "
		"count / end; "
		"set vxlan ip-version ipv4 vni 100 udp-src 0 udp-dst 4789 "
		"ip-src 192.168.1.1 ip-dst 192.168.1.2 "
		"eth-src 02:aa:00:00:00:01 eth-dst 02:aa:00:00:00:02; "
		"set sample_actions 0 vxlan_encap / port_id id 4 / end; "
		"flow create 4 ingress pattern eth / ipv6 proto is 17 "
		"dst spec 2001:db8:: dst mask ffff:ffff:ffff:ffff:: / udp / "
		"end actions indirect 0 / sample ratio 1 index 0 / "
		"modify_field op set dst_type ipv6_dscp src_type value "
		"src_value 2e width 6 / port_id id 5 / end");
}

/* METER (N-16): a flow meter (direction bits 0) by its mtr_id. */
NF_TEST(meter_rule)
{
	static const struct rte_flow_action_meter mtr = { .mtr_id = 1 };
	const struct rte_flow_attr attr = { .ingress = 1 };
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV4, NULL, NULL), IT(UDP, NULL, NULL),
		IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(METER, &mtr), AC(COUNT, &count), AC(PORT_ID, &to5), AEND,
	};

	check_cmd(4, &attr, items, acts,
		"flow create 4 ingress pattern eth / ipv4 / udp / end actions "
		"meter mtr_id 1 / count / port_id id 5 / end");
}

/* What testpmd cannot express is <...>; UPCALL is testpmd's QUEUE 0.
 * (A NULL mask is rte_flow's default mask: a zero spec field is printed.) */
NF_TEST(not_replayable)
{
	static const struct rte_flow_item_ipv4 outer = {
		.hdr.dst_addr = IP4(192, 168, 1, 1),
	};
	struct rte_flow_attr attr = { .ingress = 1 };
	const struct rte_flow_item items[] = {
		IT(OUTER_IPV4, &outer, &proto_dst_mask), { .type = 26 }, IEND,
	};
	const struct rte_flow_action acts[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_SNIC_UPCALL }, { .type = 9 },
		AEND,
	};
	/* The tunnel offload PMD item and action (testpmd: tunnel_match /
	 * tunnel_set <its own id>); their conf is opaque here. */
	static const int opaque;
	const struct rte_flow_item tun_items[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_SNIC_TUNNEL, .spec = &opaque },
		IT(ETH, NULL, NULL), IEND,
	};
	const struct rte_flow_action tun_acts[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_SNIC_TUNNEL_SET,
		  .conf = &opaque },
		AC(VXLAN_DECAP, NULL), AC(PORT_ID, &to5), AEND,
	};

	rte_pmd_snic_flow_type_set(&attr, RTE_PMD_SNIC_FLOW_TYPE_FUZZY);
	check_cmd(3, &attr, items, acts,
		"flow create 3 <flow type 1> ingress pattern "
		"<outer_ipv4 proto is 0 dst is 192.168.1.1> / <type 26> / end actions "
		"queue index 0 / <type 9> / end");
	check_cmd(3, &(struct rte_flow_attr){ .ingress = 1 }, tun_items,
		tun_acts,
		"flow create 3 ingress pattern <snic_tunnel> / eth / end "
		"actions <snic_tunnel_set> / vxlan_decap / port_id id 5 / end");
	check_cmd(3, NULL, NULL, NULL,
		"flow create 3 <null attr> pattern <null> end actions <null> "
		"end");
}

/* snprintf contract: full length returned, never a byte past size. */
NF_TEST(truncation)
{
	const struct rte_flow_attr attr = { .ingress = 1 };
	const struct rte_flow_item items[] = {
		IT(ETH, &l2_eth, &eth_full), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(VXLAN_ENCAP, &encap), AC(PORT_ID, &to3), AEND,
	};
	char full[1024];
	int n = snic_flow_cmd_format(full, sizeof(full), 3, &attr, items,
				     acts);

	NF_CHECK(n > 0 && (size_t)n < sizeof(full));
	NF_CHECK_EQ(snic_flow_cmd_format(NULL, 0, 3, &attr, items, acts), n);
	for (int size = 1; size <= n + 1; size++) {
		/* exact-size heap buffer: ASan sees any overflow */
		char *b = malloc(size);

		NF_CHECK_EQ(snic_flow_cmd_format(b, size, 3, &attr, items,
						 acts), n);
		NF_CHECK_EQ(strlen(b), size - 1 < n ? size - 1 : n);
		NF_CHECK(strncmp(b, full, size - 1) == 0);
		free(b);
	}
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(l2_rule), NF_CASE(encap_rule),
		NF_CASE(acl_set_tag_rule), NF_CASE(tcp_flags_rule),
		NF_CASE(setup_commands), NF_CASE(meter_rule),
		NF_CASE(not_replayable),
		NF_CASE(truncation),
	};

	return nf_test_run(cases, RTE_DIM(cases));
}
