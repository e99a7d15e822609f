/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Unit test of net_snic's rule compiler: snic_items_parse (N-5, N-8),
 * snic_actions_parse / snic_encap_parse (N-6, N-9, N-11) and the dump
 * (N-13: every dumped rule parses back to the same match and actions).
 *
 * Links snic_flow_parse.c, snic_flow_actions.c and snic_dump.c alone; the
 * two functions they need from the rest of the PMD are stubbed below over
 * two fake switches. No EAL: nothing here touches hugepages or devices.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_flow.h>

#include "nf_test.h"
#include "snic.h"

/* ------------------------------------------------------------ stubs */

/* sw1: ethdev 10 (uplink, index 0), 11, 12; sw2: ethdev 20. */
static struct snic_switch sw1, sw2;
static struct snic_port ports[4];
static struct rte_flow_action_handle handle;
static struct snic_match stub_match;

struct snic_port *
snic_port_by_ethdev(uint16_t port_id)
{
	for (unsigned int i = 0; i < RTE_DIM(ports); i++)
		if (ports[i].sw != NULL && ports[i].port_id == port_id)
			return &ports[i];
	return NULL;
}

int
snic_tbl_rule_match(const struct rte_flow *f, struct snic_match *m)
{
	(void)f;
	*m = stub_match;
	return 0;
}

static void
setup(void)
{
	for (unsigned int i = 0; i < 3; i++) {
		ports[i].sw = &sw1;
		ports[i].index = i;
		ports[i].port_id = 10 + i;
		ports[i].is_uplink = i == 0;
		ports[i].mtu = i == 0 ? 1600 : 1500;
		sw1.ports[i] = &ports[i];
	}
	sw1.nb_ports = 3;
	ports[3].sw = &sw2;
	ports[3].port_id = 20;
	sw2.ports[0] = &ports[3];
	sw2.nb_ports = 1;
	handle.magic = SNIC_HANDLE_MAGIC;
	handle.sw = &sw1;
	sw1.handles[5] = &handle;
}

/* ------------------------------------------------------------ helpers */

#define EXACT RTE_PMD_SNIC_FLOW_TYPE_EXACT
#define ACL RTE_PMD_SNIC_FLOW_TYPE_ACL
#define IT(t, s, m) { .type = RTE_FLOW_ITEM_TYPE_##t, .spec = (s), .mask = (m) }
#define IEND { .type = RTE_FLOW_ITEM_TYPE_END }
#define AC(t, ...) { .type = RTE_FLOW_ACTION_TYPE_##t, .conf = (__VA_ARGS__) }
#define AEND { .type = RTE_FLOW_ACTION_TYPE_END }
#define MAC(...) { .addr_bytes = { __VA_ARGS__ } }
#define IP4(a, b, c, d) \
	RTE_BE32((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (c) << 8 | (d))

#define CHECK_ERR(ret, e, code, etype, ecause, substr)                        \
	do {                                                                  \
		NF_CHECK_EQ((ret), -(code));                                  \
		NF_CHECK_EQ(rte_errno, (code));                               \
		NF_CHECK_EQ((e).type, (etype));                               \
		NF_CHECK((e).cause == (const void *)(ecause));                \
		NF_CHECK((e).message != NULL &&                               \
			 strstr((e).message, (substr)) != NULL);              \
		if ((e).message != NULL &&                                    \
		    strstr((e).message, (substr)) == NULL)                    \
			fprintf(stderr, "  message: %s\n", (e).message);      \
	} while (0)

static struct snic_port *const p1 = &ports[1];

static const struct rte_flow_action fwd11[] = {
	AC(COUNT, NULL),
	AC(PORT_ID, &(struct rte_flow_action_port_id){ .id = 11 }),
	AEND,
};

static int
items(uint32_t type, const struct rte_flow_item *pat, struct snic_match *m,
      struct rte_flow_error *e)
{
	memset(e, 0, sizeof(*e));
	return snic_items_parse(p1, pat, type, m, e);
}

static int
acts(uint32_t type, const struct snic_match *m,
     const struct rte_flow_action *act, struct snic_actions *a,
     struct rte_flow_error *e)
{
	memset(e, 0, sizeof(*e));
	return snic_actions_parse(p1, act, type, SNIC_DIR_IN, m, a, e);
}

static bool
encap_eq(const struct snic_encap *x, const struct snic_encap *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return memcmp(x, y, sizeof(*x)) == 0;
}

static bool
actions_eq(const struct snic_actions *x, const struct snic_actions *y)
{
	struct snic_rewrite rx, ry;

	if (x->flags != y->flags || x->out_port != y->out_port ||
	    x->tag != y->tag || x->shared != y->shared)
		return false;
	if ((x->rw == NULL) != (y->rw == NULL) ||
	    (x->sample == NULL) != (y->sample == NULL))
		return false;
	if (x->rw != NULL) {
		rx = *x->rw;
		ry = *y->rw;
		rx.encap = ry.encap = NULL;
		if (memcmp(&rx, &ry, sizeof(rx)) != 0 ||
		    !encap_eq(x->rw->encap, y->rw->encap))
			return false;
	}
	if (x->sample != NULL &&
	    (x->sample->ratio != y->sample->ratio ||
	     x->sample->out_port != y->sample->out_port ||
	     !encap_eq(x->sample->encap, y->sample->encap)))
		return false;
	return true;
}

/* Parse, dump, parse the dump: same match, same compiled actions. */
static void
roundtrip_at(int line, uint32_t type, const struct rte_flow_item *pat,
	     const struct rte_flow_action *act)
{
	struct snic_match m1, m2;
	struct snic_actions a1, a2;
	struct snic_acl_match acl;
	struct rte_flow f;
	struct rte_flow_error e;
	struct snic_dump_buf *buf = NULL;
	const struct rte_flow_item *dp;
	const struct rte_flow_action *da;
	int before = nf_test_failed_checks;

	NF_CHECK_EQ(items(type, pat, &m1, &e), 0);
	NF_CHECK_EQ(acts(type, &m1, act, &a1, &e), 0);
	if (nf_test_failed_checks != before) {
		fprintf(stderr, "  line %d: %s\n", line,
			e.message ? e.message : "");
		return;
	}
	memset(&f, 0, sizeof(f));
	f.type = type;
	f.port = p1;
	f.act = a1;
	acl.key = m1.key;
	acl.mask = m1.mask;
	f.acl = type == ACL ? &acl : NULL;
	stub_match = m1;
	NF_CHECK_EQ(snic_dump_rule(&f, &buf, &dp, &da), 0);
	if (buf == NULL)
		goto out;
	NF_CHECK_EQ(items(type, dp, &m2, &e), 0);
	NF_CHECK_EQ(acts(type, &m2, da, &a2, &e), 0);
	if (nf_test_failed_checks != before) {
		fprintf(stderr, "  line %d: dump refused: %s\n", line,
			e.message ? e.message : "");
		goto out;
	}
	NF_CHECK_MEM(&m1, &m2, sizeof(m1));
	NF_CHECK(actions_eq(&a1, &a2));
	if (nf_test_failed_checks != before)
		fprintf(stderr, "  line %d: round trip differs\n", line);
	snic_actions_release(&a2);
out:
	snic_dump_buf_free(buf);
	snic_actions_release(&a1);
}
#define roundtrip(t, p, a) roundtrip_at(__LINE__, t, p, a)

/* Specs shared by the cases. */
static const struct rte_flow_item_eth eth_s = {
	.dst = MAC(0x02, 0, 0, 0, 0, 0x02), .src = MAC(0x02, 0, 0, 0, 0, 0x01),
	.type = RTE_BE16(0x0800),
};
static const struct rte_flow_item_eth eth_m = {
	.dst = MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	.src = MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	.type = RTE_BE16(0xffff),
};
static const struct rte_flow_item_vlan vlan0 = { .tci = 0 };
static const struct rte_flow_item_ipv4 ip4_s = {
	.hdr = { .dst_addr = IP4(10, 0, 0, 2), .next_proto_id = 6 },
};
static const struct rte_flow_item_ipv4 ip4_m = {
	.hdr = { .dst_addr = RTE_BE32(0xffffffff), .next_proto_id = 0xff },
};
static const struct rte_flow_item_vxlan vni0 = { .vni = { 0, 0, 0 } };
static const struct rte_flow_item_vxlan vni100 = { .vni = { 0, 0, 100 } };

/* ------------------------------------------------------------ items */

/* Spec §7.2 template: not tunnelled, no VLAN (all-zero placeholder). */
NF_TEST(spec_layout_plain)
{
	const struct rte_flow_item pat[] = {
		IT(ETH, &eth_s, &eth_m), IT(VLAN, &vlan0, NULL),
		IT(IPV4, &ip4_s, &ip4_m), IT(VXLAN, &vni0, NULL), IEND,
	};
	struct rte_flow_error e;
	struct snic_match m;

	NF_CHECK_EQ(items(EXACT, pat, &m, &e), 0);
	NF_CHECK_EQ(m.key.in_port, 1);
	NF_CHECK_EQ(m.mask.in_port, 0xffff);
	NF_CHECK_EQ(m.key.eth_type, RTE_BE16(0x0800));
	NF_CHECK_EQ(m.key.dst_mac.addr_bytes[5], 2);
	NF_CHECK_EQ(m.mask.flags, NF_KEY_F_IPV4 | NF_KEY_F_TUNNEL);
	NF_CHECK_EQ(m.key.flags, NF_KEY_F_IPV4);
	NF_CHECK_EQ(m.key.ip_proto, 6);
	NF_CHECK_EQ(m.mask.vlan_tci, 0);
	NF_CHECK_EQ(m.mask.vni, 0);
	NF_CHECK_MEM(m.key.dst_ip, "\x0a\x00\x00\x02", 4);
	NF_CHECK_EQ(m.mask.src_ip[0], 0);
	roundtrip(EXACT, pat, fwd11);
}

/* Spec §7.3.2: tunnelled ingress on the uplink, decap and re-tag. */
NF_TEST(spec_layout_tunnel)
{
	const struct rte_flow_item pat[] = {
		IT(ETH, &eth_s, &eth_m), IT(VLAN, &vlan0, NULL),
		IT(IPV4, &ip4_s, &ip4_m), IT(VXLAN, &vni100, NULL), IEND,
	};
	const struct rte_flow_action act[] = {
		AC(VXLAN_DECAP, NULL), AC(COUNT, NULL),
		AC(OF_PUSH_VLAN, &(struct rte_flow_action_of_push_vlan){
			.ethertype = RTE_BE16(0x8100) }),
		AC(OF_SET_VLAN_VID, &(struct rte_flow_action_of_set_vlan_vid){
			.vlan_vid = RTE_BE16(42) }),
		AC(OF_SET_VLAN_PCP, &(struct rte_flow_action_of_set_vlan_pcp){
			.vlan_pcp = 3 }),
		AC(PORT_ID, &(struct rte_flow_action_port_id){ .id = 12 }),
		AEND,
	};
	struct rte_flow_error e;
	struct snic_match m;
	struct snic_actions a;

	NF_CHECK_EQ(items(EXACT, pat, &m, &e), 0);
	NF_CHECK_EQ(m.key.flags, NF_KEY_F_IPV4 | NF_KEY_F_TUNNEL);
	NF_CHECK_EQ(m.mask.vni, RTE_BE32(0xffffff00));
	NF_CHECK_EQ(m.key.vni, RTE_BE32(100 << 8));
	NF_CHECK_EQ(acts(EXACT, &m, act, &a, &e), 0);
	NF_CHECK_EQ(a.flags, SNIC_A_DECAP | SNIC_A_COUNT | SNIC_A_PUSH_VLAN |
		    SNIC_A_SET_VID | SNIC_A_SET_PCP | SNIC_A_PORT);
	NF_CHECK_EQ(a.out_port, 2);
	NF_CHECK(a.rw != NULL);
	if (a.rw != NULL) {
		NF_CHECK_EQ(a.rw->vid, 42);
		NF_CHECK_EQ(a.rw->pcp, 3);
		NF_CHECK_EQ(a.rw->push_tpid, RTE_BE16(0x8100));
	}
	snic_actions_release(&a);
	roundtrip(EXACT, pat, act);
}

/* Standard DPDK layering: outer headers before VXLAN. */
NF_TEST(std_layering)
{
	const struct rte_flow_item_ipv4 o4 = { .hdr = {
		.src_addr = IP4(192, 168, 0, 1),
		.dst_addr = IP4(192, 168, 0, 2),
		.next_proto_id = 17 } };
	const struct rte_flow_item_ipv4 o4m = { .hdr = {
		.src_addr = RTE_BE32(0xffffffff),
		.dst_addr = RTE_BE32(0xffffffff), .next_proto_id = 0xff } };
	const struct rte_flow_item_udp u = { .hdr.dst_port = RTE_BE16(4789) };
	const struct rte_flow_item_udp um = {
		.hdr.dst_port = RTE_BE16(0xffff) };
	const struct rte_flow_item_vxlan v5 = { .vni = { 0, 0, 5 } };
	const struct rte_flow_item_tcp t = { .hdr.dst_port = RTE_BE16(80) };
	const struct rte_flow_item pat[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &o4, &o4m), IT(UDP, &u, &um),
		IT(VXLAN, &v5, NULL), IT(ETH, &eth_s, NULL),
		IT(IPV4, &ip4_s, NULL), IT(TCP, &t, NULL), IEND,
	};
	struct rte_flow_error e;
	struct snic_match m;

	NF_CHECK_EQ(items(EXACT, pat, &m, &e), 0);
	NF_CHECK_EQ(m.key.flags, NF_KEY_F_IPV4 | NF_KEY_F_TUNNEL);
	NF_CHECK_EQ(m.mask.flags, NF_KEY_F_IPV4 | NF_KEY_F_TUNNEL |
		    NF_KEY_F_OUTER_V6);
	NF_CHECK_MEM(m.key.outer_src, "\xc0\xa8\x00\x01", 4);
	NF_CHECK_MEM(m.key.outer_dst, "\xc0\xa8\x00\x02", 4);
	NF_CHECK_EQ(m.key.vni, RTE_BE32(5 << 8));
	NF_CHECK_EQ(m.key.ip_proto, 6);
	NF_CHECK_EQ(m.key.dst_port, RTE_BE16(80));
	NF_CHECK_MEM(m.key.dst_ip, "\x0a\x00\x00\x02", 4);
	roundtrip(EXACT, pat, fwd11);
}

/* Standard layering with VNI 0 is dumped in standard layering. */
NF_TEST(std_layering_vni0)
{
	const struct rte_flow_item pat[] = {
		IT(ETH, NULL, NULL), IT(IPV4, NULL, NULL), IT(UDP, NULL, NULL),
		IT(VXLAN, &vni0, NULL), IT(ETH, &eth_s, NULL),
		IT(VLAN, &vlan0, NULL), IT(IPV4, &ip4_s, &ip4_m), IEND,
	};
	struct rte_flow_error e;
	struct snic_match m;

	NF_CHECK_EQ(items(EXACT, pat, &m, &e), 0);
	NF_CHECK_EQ(m.key.flags, NF_KEY_F_IPV4 | NF_KEY_F_TUNNEL |
		    NF_KEY_F_VLAN);
	NF_CHECK_EQ(m.mask.vni, RTE_BE32(0xffffff00));
	NF_CHECK_EQ(m.mask.vlan_tci, RTE_BE16(0x0fff));
	roundtrip(EXACT, pat, fwd11);
}

NF_TEST(std_layering_errors)
{
	const struct rte_flow_item_udp u1234 = {
		.hdr.dst_port = RTE_BE16(1234) };
	const struct rte_flow_item_udp um = {
		.hdr.dst_port = RTE_BE16(0xffff) };
	const struct rte_flow_item_udp u0 = { .hdr.dst_port = RTE_BE16(4789) };
	const struct rte_flow_item p_eth[] = {
		IT(ETH, &eth_s, NULL), IT(IPV4, NULL, NULL),
		IT(UDP, NULL, NULL), IT(VXLAN, NULL, NULL), IT(ETH, NULL, NULL),
		IEND,
	};
	const struct rte_flow_item p_udp[] = {
		IT(ETH, NULL, NULL), IT(IPV4, NULL, NULL),
		IT(UDP, &u1234, &um), IT(VXLAN, NULL, NULL), IT(ETH, NULL, NULL),
		IEND,
	};
	/* NULL mask = default mask: the source port would be matched. */
	const struct rte_flow_item p_sport[] = {
		IT(IPV4, NULL, NULL), IT(UDP, &u0, NULL),
		IT(VXLAN, NULL, NULL), IEND,
	};
	const struct rte_flow_item p_vlan[] = {
		IT(ETH, NULL, NULL), IT(VLAN, NULL, NULL),
		IT(IPV4, NULL, NULL), IT(UDP, NULL, NULL),
		IT(VXLAN, NULL, NULL), IT(ETH, NULL, NULL), IEND,
	};
	const struct rte_flow_item p_ttl[] = {
		IT(IPV4, &(struct rte_flow_item_ipv4){ .hdr.time_to_live = 1 },
		   &(struct rte_flow_item_ipv4){ .hdr.time_to_live = 0xff }),
		IT(UDP, NULL, NULL), IT(VXLAN, NULL, NULL), IT(ETH, NULL, NULL),
		IEND,
	};
	struct rte_flow_error e;
	struct snic_match m;

	CHECK_ERR(items(EXACT, p_eth, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_MASK, &p_eth[0],
		  "outer ETH fields cannot be matched");
	CHECK_ERR(items(EXACT, p_udp, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_SPEC, &p_udp[2], "4789");
	CHECK_ERR(items(EXACT, p_sport, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_MASK, &p_sport[1],
		  "outer UDP: matching on hdr.src_port is not supported");
	CHECK_ERR(items(EXACT, p_vlan, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM, &p_vlan[1], "VLAN before VXLAN");
	CHECK_ERR(items(EXACT, p_ttl, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_MASK, &p_ttl[0],
		  "outer IPV4: matching on hdr.time_to_live");
	NF_CHECK_EQ(m.mask.flags, 0); /* failed parse leaves nothing */
}

NF_TEST(item_errors)
{
	const struct rte_flow_item_ipv4 ttl_m = { .hdr.time_to_live = 0xff };
	const struct rte_flow_item_ipv4 sctp = { .hdr.next_proto_id = 132 };
	const struct rte_flow_item_tcp syn = { .hdr.tcp_flags = 0x10 };
	const struct rte_flow_item_tcp synm = { .hdr.tcp_flags = 0x12 };
	const struct rte_flow_item_udp u1 = { .hdr.dst_port = RTE_BE16(1) };
	const struct rte_flow_item_udp u2 = { .hdr.dst_port = RTE_BE16(9) };
	const struct rte_flow_item_ipv4 frag = {
		.hdr.fragment_offset = RTE_BE16(0x2000) };
	const struct rte_flow_item_port_id pid20 = { .id = 20 };
	const struct rte_flow_item p_ttl[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &ip4_s, &ttl_m), IEND };
	const struct rte_flow_item p_icmp[] = {
		IT(IPV4, NULL, NULL), IT(ICMP, NULL, NULL), IEND };
	const struct rte_flow_item p_sctp[] = {
		IT(IPV4, &sctp, &ip4_m), IEND };
	const struct rte_flow_item p_flags[] = { IT(TCP, &syn, &synm), IEND };
	const struct rte_flow_item p_range[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &u1, .last = &u2 },
		IEND };
	const struct rte_flow_item p_gre[] = { IT(GRE, NULL, NULL), IEND };
	const struct rte_flow_item p_port[] = {
		IT(PORT_ID, &pid20, NULL), IEND };
	const struct rte_flow_item p_frag[] = {
		IT(IPV4, &frag, &frag), IEND };
	const struct rte_flow_item p_conf[] = {
		IT(IPV4, &(struct rte_flow_item_ipv4){
			.hdr.next_proto_id = 17 }, &ip4_m),
		IT(TCP, NULL, NULL), IEND };
	const struct rte_flow_item p_order[] = {
		IT(IPV4, NULL, NULL), IT(ETH, NULL, NULL), IEND };
	struct rte_flow_error e;
	struct snic_match m;

	CHECK_ERR(items(EXACT, p_ttl, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_MASK, &p_ttl[1],
		  "IPV4: matching on hdr.time_to_live is not supported");
	CHECK_ERR(items(EXACT, p_icmp, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM, &p_icmp[1],
		  "ICMP is never offloaded; use an ACL rule (N-3)");
	NF_CHECK_EQ(items(ACL, p_icmp, &m, &e), 0);
	NF_CHECK_EQ(m.key.ip_proto, 1);
	NF_CHECK_EQ(m.mask.in_port, 0);
	CHECK_ERR(items(EXACT, p_sctp, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_SPEC, &p_sctp[0],
		  "IPV4: next_proto_id 132: only TCP and UDP flows are offloaded (N-3)");
	CHECK_ERR(items(EXACT, p_flags, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_MASK, &p_flags[0],
		  "TCP: only FIN, SYN and RST flags can be matched");
	CHECK_ERR(items(EXACT, p_range, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_LAST, &p_range[0],
		  "ranges are not supported");
	CHECK_ERR(items(EXACT, p_gre, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM, &p_gre[0], "is not supported");
	CHECK_ERR(items(EXACT, p_port, &m, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ITEM_SPEC, &p_port[0],
		  "PORT_ID: port 20 is not in this switch domain");
	CHECK_ERR(items(EXACT, p_frag, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_MASK, &p_frag[0],
		  "hdr.fragment_offset");
	CHECK_ERR(items(EXACT, p_conf, &m, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ITEM_SPEC, &p_conf[1], "TCP:");
	CHECK_ERR(items(EXACT, p_order, &m, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ITEM, &p_order[1], "out of order");
	CHECK_ERR(items(1, p_order, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ATTR, NULL, "flow type 1");
}

/* OVS-style matches: not-a-fragment, SYN/FIN/RST = 0, IPv6 TC. */
NF_TEST(ovs_style)
{
	const struct rte_flow_item_ipv4 f4 = { .hdr = {
		.src_addr = IP4(1, 2, 3, 4), .next_proto_id = 6 } };
	const struct rte_flow_item_ipv4 f4m = { .hdr = {
		.src_addr = RTE_BE32(0xffffffff), .next_proto_id = 0xff,
		.fragment_offset = RTE_BE16(0x3fff) } };
	const struct rte_flow_item_tcp t = { .hdr.src_port = RTE_BE16(1) };
	const struct rte_flow_item_tcp tm = {
		.hdr.src_port = RTE_BE16(0xffff), .hdr.tcp_flags = 0x07 };
	const struct rte_flow_item_ipv6 v6 = {
		.hdr = { .vtc_flow = RTE_BE32(0x0b800000), .proto = 17,
			 .dst_addr = { 0xfd, [15] = 1 } },
		.has_frag_ext = 0 };
	const struct rte_flow_item_ipv6 v6m = {
		.hdr = { .vtc_flow = RTE_BE32(0x0ff00000), .proto = 0xff,
			 .dst_addr = { [0 ... 15] = 0xff } },
		.has_frag_ext = 1 };
	const struct rte_flow_item_ipv6 flm = {
		.hdr.vtc_flow = RTE_BE32(0x000fffff) };
	const struct rte_flow_item p4[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &f4, &f4m), IT(TCP, &t, &tm),
		IEND };
	const struct rte_flow_item pfl[] = { IT(IPV6, &v6, &flm), IEND };
	struct rte_flow_error e;
	struct snic_match m;

	NF_CHECK_EQ(items(EXACT, p4, &m, &e), 0);
	NF_CHECK_EQ(m.mask.flags, NF_KEY_F_IPV4 | NF_KEY_F_FRAG |
		    NF_KEY_F_TUNNEL);
	NF_CHECK_EQ(m.mask.tcp_flags, 0x07);
	NF_CHECK_EQ(m.key.tcp_flags, 0);
	roundtrip(EXACT, p4, fwd11);
	/* VXLAN before UDP: spec layout ("UDP / VXLAN" would be standard
	 * layering, the IPV6 item then being the outer header). */
	{
		const struct rte_flow_item p6s[] = {
			IT(ETH, NULL, NULL), IT(IPV6, &v6, &v6m),
			IT(VXLAN, &vni0, NULL), IT(UDP, NULL, NULL), IEND };

		NF_CHECK_EQ(items(EXACT, p6s, &m, &e), 0);
		NF_CHECK_EQ(m.key.tos, 0xb8);
		NF_CHECK_EQ(m.mask.tos, 0xff);
		NF_CHECK_EQ(m.key.ip_proto, 17);
		NF_CHECK_EQ(m.key.flags, NF_KEY_F_IPV6);
		NF_CHECK_EQ(m.mask.flags, NF_KEY_F_IPV6 | NF_KEY_F_FRAG |
			    NF_KEY_F_TUNNEL);
		roundtrip(EXACT, p6s, fwd11);
	}
	CHECK_ERR(items(EXACT, pfl, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_MASK, &pfl[0], "flow label");
}

/* ACL: TAG, ICMP, OUTER_IPV6, PORT_ID item, VLAN tci 0. */
NF_TEST(acl_items)
{
	const struct rte_flow_item_tag tag = { .data = 7, .index = 2 };
	const struct rte_flow_item_tag tag_big = { .data = 0x107 };
	const struct rte_flow_item_icmp ic = { .hdr.icmp_type = 8 };
	const struct rte_flow_item_ipv6 o6 = { .hdr.src_addr = { 0x20, 1 } };
	const struct rte_flow_item_ipv6 o6m = {
		.hdr.src_addr = { 0xff, 0xff } };
	const struct rte_flow_item_port_id pid = { .id = 10 };
	/* VLAN 0 in the spec layout: has_more_vlan (unmasked) keeps the
	 * spec from being the all-zero "no VLAN" placeholder. */
	const struct rte_flow_item_vlan v0 = { .has_more_vlan = 1 };
	const struct rte_flow_item_vxlan col = { .vni = { 0, 1, 0 },
		.rsvd0 = { 0, 0, 0x5a } };
	const struct rte_flow_item_vxlan colm = {
		.vni = { 0xff, 0xff, 0xff }, .rsvd0 = { 0, 0, 0xff } };
	const struct rte_flow_item p[] = {
		IT(PORT_ID, &pid, NULL), IT(ETH, NULL, NULL),
		IT(IPV4, NULL, NULL), IT(ICMP, &ic, NULL),
		IT(TAG, &tag, NULL), IT(OUTER_IPV6, &o6, &o6m), IEND };
	const struct rte_flow_item pv[] = {
		IT(ETH, NULL, NULL), IT(VLAN, &v0, NULL),
		IT(VXLAN, &col, &colm), IEND };
	const struct rte_flow_item pbig[] = { IT(TAG, &tag_big, NULL), IEND };
	const struct rte_flow_action up[] = { AC(SNIC_UPCALL, NULL), AEND };
	const struct rte_flow_action none[] = { AC(COUNT, NULL), AEND };
	struct rte_flow_error e;
	struct snic_match m;

	NF_CHECK_EQ(items(ACL, p, &m, &e), 0);
	NF_CHECK_EQ(m.key.in_port, 0);
	NF_CHECK_EQ(m.mask.in_port, 0xffff);
	NF_CHECK_EQ(m.key.tag, 2 << 8 | 7);
	NF_CHECK_EQ(m.mask.tag, 0xffff);
	NF_CHECK_EQ(m.key.icmp_type, 8);
	NF_CHECK_EQ(m.key.flags, NF_KEY_F_IPV4 | NF_KEY_F_TAG |
		    NF_KEY_F_TUNNEL | NF_KEY_F_OUTER_V6);
	NF_CHECK_EQ(m.key.outer_src[1], 1);
	roundtrip(ACL, p, up);
	roundtrip(ACL, p, none);
	NF_CHECK_EQ(items(ACL, pv, &m, &e), 0);
	NF_CHECK_EQ(m.mask.vlan_tci, RTE_BE16(0x0fff));
	NF_CHECK_EQ(m.key.vni, RTE_BE32(0x100 << 8));
	NF_CHECK_EQ(m.key.vxlan_rsvd0, RTE_BE32(0x5a));
	NF_CHECK_EQ(m.mask.vxlan_rsvd0, RTE_BE32(0xff));
	roundtrip(ACL, pv, none);
	CHECK_ERR(items(ACL, pbig, &m, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ITEM_SPEC, &pbig[0], "8 bits");
}

/* ------------------------------------------------------------ actions */

static const struct rte_flow_item_eth enc_eth = {
	.dst = MAC(0x02, 0, 0, 0, 0xee, 2), .src = MAC(0x02, 0, 0, 0, 0xee, 1),
};
static const struct rte_flow_item_vlan enc_vlan = { .tci = RTE_BE16(99) };
static const struct rte_flow_item_ipv4 enc_ip4 = { .hdr = {
	.src_addr = IP4(172, 16, 0, 1), .dst_addr = IP4(172, 16, 0, 2) } };
static const struct rte_flow_item_ipv6 enc_ip6 = { .hdr = {
	.src_addr = { 0xfd, [15] = 1 }, .dst_addr = { 0xfd, [15] = 2 },
	.hop_limits = 9 } };
static const struct rte_flow_item_udp enc_udp = {
	.hdr.dst_port = RTE_BE16(4789) };
/* Not const: rte_flow_action_vxlan_encap.definition is not. */
static struct rte_flow_item enc4[] = {
	IT(ETH, &enc_eth, NULL), IT(IPV4, &enc_ip4, NULL),
	IT(UDP, &enc_udp, NULL), IT(VXLAN, &vni100, NULL), IEND };
static struct rte_flow_item enc6v[] = {
	IT(ETH, &enc_eth, NULL), IT(VLAN, &enc_vlan, NULL),
	IT(IPV6, &enc_ip6, NULL), IT(UDP, &enc_udp, NULL),
	IT(VXLAN, &vni100, NULL), IEND };

NF_TEST(encap)
{
	const struct rte_flow_item bad[] = {
		IT(ETH, &enc_eth, NULL), IT(UDP, &enc_udp, NULL), IEND };
	const struct rte_flow_action act = AC(VXLAN_ENCAP, NULL);
	struct rte_flow_error e = { 0 };
	struct snic_encap *x = NULL;
	const uint8_t *h;

	NF_CHECK_EQ(snic_encap_parse(enc4, &x, &act, &e), 0);
	if (x != NULL) {
		h = x->hdr;
		NF_CHECK_EQ(x->len, 50);
		NF_CHECK_EQ(x->l3_off, 14);
		NF_CHECK_EQ(x->l4_off, 34);
		NF_CHECK_EQ(x->hash_sport, 1);
		NF_CHECK_EQ(x->ipv6, 0);
		NF_CHECK(h[12] == 0x08 && h[13] == 0x00);
		NF_CHECK_EQ(h[14], 0x45);
		NF_CHECK(h[20] == 0x40 && h[21] == 0); /* DF */
		NF_CHECK_EQ(h[22], 64);
		NF_CHECK_EQ(h[23], 17);
		NF_CHECK(h[36] == 0x12 && h[37] == 0xb5); /* 4789 */
		NF_CHECK_EQ(h[42], 0x08);
		NF_CHECK_EQ(h[48], 100);
		free(x);
	}
	x = NULL;
	NF_CHECK_EQ(snic_encap_parse(enc6v, &x, &act, &e), 0);
	if (x != NULL) {
		h = x->hdr;
		NF_CHECK_EQ(x->len, 74);
		NF_CHECK_EQ(x->l3_off, 18);
		NF_CHECK_EQ(x->l4_off, 58);
		NF_CHECK(h[12] == 0x81 && h[13] == 0x00);
		NF_CHECK(h[16] == 0x86 && h[17] == 0xdd);
		NF_CHECK_EQ(h[18] >> 4, 6);
		NF_CHECK_EQ(h[24], 17);
		NF_CHECK_EQ(h[25], 9);
		free(x);
	}
	CHECK_ERR(snic_encap_parse(bad, &x, &act, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION_CONF, &act,
		  "definition item 1 is UDP");
}

NF_TEST(actions_l3_encap_sample)
{
	const struct rte_flow_item pat[] = {
		IT(ETH, &eth_s, &eth_m), IT(VLAN, &vlan0, NULL),
		IT(IPV4, &ip4_s, &ip4_m), IT(VXLAN, &vni0, NULL), IEND };
	const struct rte_flow_action smp[] = {
		AC(VXLAN_ENCAP, &(struct rte_flow_action_vxlan_encap){
			.definition = enc6v }),
		AC(COUNT, NULL),
		AC(PORT_ID, &(struct rte_flow_action_port_id){ .id = 10 }),
		AEND };
	/* Spec §7.5.1 (DEC_TTL twice) plus a remote mirror. */
	const struct rte_flow_action act[] = {
		AC(COUNT, NULL), AC(OF_POP_VLAN, NULL),
		AC(SET_MAC_SRC, &(struct rte_flow_action_set_mac){
			.mac_addr = { 2, 0, 0, 0, 0, 0xaa } }),
		AC(SET_MAC_DST, &(struct rte_flow_action_set_mac){
			.mac_addr = { 2, 0, 0, 0, 0, 0xbb } }),
		AC(SET_IPV4_SRC, &(struct rte_flow_action_set_ipv4){
			.ipv4_addr = IP4(100, 64, 0, 1) }),
		AC(VXLAN_ENCAP, &(struct rte_flow_action_vxlan_encap){
			.definition = enc4 }),
		AC(DEC_TTL, NULL),
		AC(PORT_ID, &(struct rte_flow_action_port_id){ .id = 10 }),
		AC(DEC_TTL, NULL),
		AC(SAMPLE, &(struct rte_flow_action_sample){
			.ratio = 1, .actions = smp }),
		AC(INDIRECT, &handle),
		AEND };
	struct rte_flow_error e;
	struct snic_match m;
	struct snic_actions a;

	NF_CHECK_EQ(items(EXACT, pat, &m, &e), 0);
	NF_CHECK_EQ(acts(EXACT, &m, act, &a, &e), 0);
	NF_CHECK_EQ(a.flags, SNIC_A_COUNT | SNIC_A_POP_VLAN |
		    SNIC_A_SET_MAC_SRC | SNIC_A_SET_MAC_DST |
		    SNIC_A_SET_IP_SRC | SNIC_A_ENCAP | SNIC_A_DEC_TTL |
		    SNIC_A_PORT | SNIC_A_SAMPLE | SNIC_A_SHARED_CNT);
	NF_CHECK_EQ(handle.refcnt, 1);
	NF_CHECK(a.shared == &handle);
	NF_CHECK(a.sample != NULL && a.sample->encap != NULL &&
		 a.sample->out_port == 0 && a.sample->ratio == 1);
	NF_CHECK(a.rw != NULL && a.rw->encap != NULL &&
		 a.rw->mac_dst.addr_bytes[5] == 0xbb &&
		 a.rw->ip_src[0] == 100);
	snic_actions_release(&a);
	NF_CHECK_EQ(handle.refcnt, 0);
	roundtrip(EXACT, pat, act);
	NF_CHECK_EQ(handle.refcnt, 0);
}

NF_TEST(actions_modify_tag_v6)
{
	const struct rte_flow_item_ipv6 v6 = { .hdr.proto = 6 };
	const struct rte_flow_item p6[] = {
		IT(IPV6, &v6, &(struct rte_flow_item_ipv6){
			.hdr.proto = 0xff }), IEND };
	const struct rte_flow_action act[] = {
		AC(MODIFY_FIELD, &(struct rte_flow_action_modify_field){
			.operation = RTE_FLOW_MODIFY_SET,
			.dst = { .field = RTE_FLOW_FIELD_IPV6_DSCP },
			.src = { .field = RTE_FLOW_FIELD_VALUE,
				 .value = { 46 } },
			.width = 6 }),
		AC(MODIFY_FIELD, &(struct rte_flow_action_modify_field){
			.operation = RTE_FLOW_MODIFY_ADD,
			.dst = { .field = RTE_FLOW_FIELD_VXLAN_RSVD0,
				 .offset = 0 },
			.src = { .field = RTE_FLOW_FIELD_VALUE,
				 .value = { 0x00, 0x01, 0x2a } },
			.width = 8 }),
		AC(SET_IPV6_DST, &(struct rte_flow_action_set_ipv6){
			.ipv6_addr = { 0xfd, [15] = 9 } }),
		AC(SET_TAG, &(struct rte_flow_action_set_tag){
			.data = 0x33, .index = 1, .mask = 0xffffffff }),
		AC(QUEUE, &(struct rte_flow_action_queue){ .index = 0 }),
		AEND };
	struct rte_flow_error e;
	struct snic_match m;
	struct snic_actions a;

	NF_CHECK_EQ(items(ACL, p6, &m, &e), 0);
	NF_CHECK_EQ(acts(ACL, &m, act, &a, &e), 0);
	NF_CHECK_EQ(a.flags, SNIC_A_MOD_DSCP | SNIC_A_MOD_RSVD0 |
		    SNIC_A_SET_IP_DST | SNIC_A_SET_IP6 | SNIC_A_SET_TAG |
		    SNIC_A_UPCALL);
	NF_CHECK_EQ(a.tag, 0x0133);
	if (a.rw != NULL) {
		NF_CHECK_EQ(a.rw->dscp.value, 46);
		NF_CHECK_EQ(a.rw->dscp.width, 6);
		NF_CHECK_EQ(a.rw->rsvd0.value, 0x2a);
		NF_CHECK_EQ(a.rw->rsvd0.op, RTE_FLOW_MODIFY_ADD);
		NF_CHECK_EQ(a.rw->ip_dst[15], 9);
	}
	snic_actions_release(&a);
	roundtrip(ACL, p6, act);
}

/* Combination rules. */
NF_TEST(action_errors)
{
	const struct rte_flow_item pat[] = { IT(IPV4, NULL, NULL), IEND };
	const struct rte_flow_action_port_id pid11 = { .id = 11 };
	const struct rte_flow_action nofate[] = { AC(COUNT, NULL), AEND };
	const struct rte_flow_action two[] = {
		AC(PORT_ID, &pid11), AC(PORT_ID, &pid11), AEND };
	const struct rte_flow_action dropport[] = {
		AC(DROP, NULL), AC(PORT_ID, &pid11), AEND };
	const struct rte_flow_action up[] = { AC(SNIC_UPCALL, NULL), AEND };
	const struct rte_flow_action tag[] = {
		AC(SET_TAG, &(struct rte_flow_action_set_tag){ .data = 1 }),
		AC(DROP, NULL), AEND };
	const struct rte_flow_action decap[] = {
		AC(VXLAN_DECAP, NULL), AC(DROP, NULL), AEND };
	const struct rte_flow_action v6[] = {
		AC(SET_IPV6_SRC, &(struct rte_flow_action_set_ipv6){ { 0 } }),
		AC(DROP, NULL), AEND };
	struct rte_flow_error e;
	struct snic_match m;
	struct snic_actions a;

	NF_CHECK_EQ(items(EXACT, pat, &m, &e), 0);
	CHECK_ERR(acts(EXACT, &m, nofate, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION, &nofate[1],
		  "forwarding rule: no fate action (PORT_ID or DROP)");
	CHECK_ERR(acts(EXACT, &m, two, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION, &two[1],
		  "only one PORT_ID fate; use SAMPLE to mirror");
	CHECK_ERR(acts(ACL, &m, dropport, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION, &dropport[1], "at most one fate");
	CHECK_ERR(acts(EXACT, &m, up, &a, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ACTION, &up[0],
		  "forwarding rules cannot upcall: remove the rule instead");
	CHECK_ERR(acts(EXACT, &m, tag, &a, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ACTION, &tag[0],
		  "SET_TAG: only ACL rules set tags");
	CHECK_ERR(acts(EXACT, &m, decap, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION, &decap[0],
		  "VXLAN_DECAP: the pattern does not match VXLAN packets");
	CHECK_ERR(acts(EXACT, &m, v6, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION, &v6[0], "matches IPv4");
	NF_CHECK_EQ(acts(ACL, &m, up, &a, &e), 0);
	snic_actions_release(&a);
}

/* Configuration errors; a failed parse leaves nothing behind. */
NF_TEST(action_conf_errors)
{
	const struct rte_flow_item pat[] = { IT(IPV4, NULL, NULL), IEND };
	const struct rte_flow_action up[] = { AC(SNIC_UPCALL, NULL), AEND };
	const struct rte_flow_action ratio0[] = {
		AC(SAMPLE, &(struct rte_flow_action_sample){
			.ratio = 0, .actions = up }), AC(DROP, NULL), AEND };
	const struct rte_flow_action sub_drop[] = { AC(DROP, NULL), AEND };
	const struct rte_flow_action sdrop[] = {
		AC(SAMPLE, &(struct rte_flow_action_sample){
			.ratio = 1, .actions = sub_drop }),
		AC(DROP, NULL), AEND };
	const struct rte_flow_action other[] = {
		AC(PORT_ID, &(struct rte_flow_action_port_id){ .id = 20 }),
		AEND };
	const struct rte_flow_action push[] = {
		AC(OF_PUSH_VLAN, &(struct rte_flow_action_of_push_vlan){
			.ethertype = RTE_BE16(0x1234) }), AEND };
	const struct rte_flow_action width[] = {
		AC(MODIFY_FIELD, &(struct rte_flow_action_modify_field){
			.dst = { .field = RTE_FLOW_FIELD_IPV4_DSCP,
				 .offset = 2 },
			.src = { .field = RTE_FLOW_FIELD_VALUE },
			.width = 6 }), AEND };
	struct rte_flow_action_handle bogus = { .magic = SNIC_HANDLE_MAGIC,
						 .sw = &sw1 };
	const struct rte_flow_action ind_bad[] = {
		AC(INDIRECT, &bogus), AEND };
	const struct rte_flow_action ind_then_fail[] = {
		AC(INDIRECT, &handle), AC(COUNT, NULL),
		AC(RSS, NULL), AEND };
	struct rte_flow_error e;
	struct snic_match m;
	struct snic_actions a;

	NF_CHECK_EQ(items(EXACT, pat, &m, &e), 0);
	CHECK_ERR(acts(EXACT, &m, ratio0, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION_CONF, &ratio0[0], "ratio 0");
	CHECK_ERR(acts(EXACT, &m, sdrop, &a, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ACTION_CONF, &sub_drop[0],
		  "SAMPLE: sub-action type");
	CHECK_ERR(acts(EXACT, &m, other, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION_CONF, &other[0],
		  "PORT_ID: port 20 is not in this switch domain");
	CHECK_ERR(acts(ACL, &m, push, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION_CONF, &push[0], "0x1234");
	CHECK_ERR(acts(ACL, &m, width, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION_CONF, &width[0], "offset 2");
	CHECK_ERR(acts(ACL, &m, ind_bad, &a, &e), e, EINVAL,
		  RTE_FLOW_ERROR_TYPE_ACTION_CONF, &ind_bad[0],
		  "not a COUNT handle");
	CHECK_ERR(acts(ACL, &m, ind_then_fail, &a, &e), e, ENOTSUP,
		  RTE_FLOW_ERROR_TYPE_ACTION, &ind_then_fail[2],
		  "is not supported");
	NF_CHECK_EQ(handle.refcnt, 0);
	NF_CHECK(a.flags == 0 && a.rw == NULL && a.sample == NULL &&
		 a.shared == NULL);
}

/* Odd corners of the canonical layout. */
NF_TEST(roundtrip_misc)
{
	const struct rte_flow_item_eth novlan = { .has_vlan = 0 };
	const struct rte_flow_item_eth novlan_m = { .has_vlan = 1 };
	const struct rte_flow_item_ethdev rp12 = { .port_id = 12 };
	const struct rte_flow_item_tcp t = { .hdr.dst_port = RTE_BE16(22) };
	const struct rte_flow_item_icmp ic = { .hdr.icmp_code = 1 };
	const struct rte_flow_item_ipv4 dscp4 = { .hdr.type_of_service = 8 };
	const struct rte_flow_item_ipv4 dscp4m = {
		.hdr.type_of_service = 0xfc };
	const struct rte_flow_item pats[][6] = {
		{ IT(ETH, &novlan, &novlan_m), IT(TCP, NULL, NULL), IEND },
		{ IT(REPRESENTED_PORT, &rp12, NULL), IT(UDP, &t, NULL),
		  IT(TAG, NULL, NULL), IEND },
		{ IT(IPV6, NULL, NULL), IT(ICMP, &ic, NULL), IEND },
		{ IT(OUTER_IPV4, NULL, NULL), IT(IPV4, &dscp4, &dscp4m),
		  IEND },
		{ IT(VOID, NULL, NULL), IT(VXLAN, NULL, NULL), IEND },
		{ IEND },
	};
	const struct rte_flow_action acl_acts[] = {
		AC(MODIFY_FIELD, &(struct rte_flow_action_modify_field){
			.operation = RTE_FLOW_MODIFY_SUB,
			.dst = { .field = RTE_FLOW_FIELD_IPV4_DSCP,
				 .offset = 1 },
			.src = { .field = RTE_FLOW_FIELD_VALUE,
				 .value = { 0xff } },
			.width = 3 }),
		AC(SAMPLE, &(struct rte_flow_action_sample){ .ratio = 10,
			.actions = (const struct rte_flow_action[]){
				AC(PORT_REPRESENTOR,
				   &(struct rte_flow_action_ethdev){
					.port_id = 11 }), AEND } }),
		AC(SET_TAG, &(struct rte_flow_action_set_tag){ .index = 3 }),
		AEND };
	const struct rte_flow_action fwd_acts[] = {
		AC(SET_IPV4_DST, &(struct rte_flow_action_set_ipv4){
			.ipv4_addr = IP4(9, 9, 9, 9) }),
		AC(OF_POP_VLAN, NULL), AC(DROP, NULL), AEND };
	const struct rte_flow_action up[] = { AC(SNIC_UPCALL, NULL), AEND };
	struct rte_flow_error e;
	struct snic_match m;

	/* pats[2] is IPv6 ICMP: ACL only, and no IPV4_DSCP on it. */
	for (unsigned int i = 0; i < RTE_DIM(pats); i++) {
		roundtrip(ACL, pats[i], i == 2 ? up : acl_acts);
		if (i != 2)
			roundtrip(EXACT, pats[i], fwd_acts);
	}
	NF_CHECK_EQ(items(ACL, pats[2], &m, &e), 0);
	NF_CHECK_EQ(m.key.ip_proto, IPPROTO_ICMPV6);
	NF_CHECK_EQ(items(EXACT, pats[1], &m, &e), 0);
	NF_CHECK_EQ(m.key.in_port, 2);
	NF_CHECK_EQ(items(EXACT, pats[5], &m, &e), 0);
	NF_CHECK_EQ(m.mask.flags, NF_KEY_F_TUNNEL);
	NF_CHECK_EQ(m.key.flags, 0);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(spec_layout_plain),
		NF_CASE(spec_layout_tunnel),
		NF_CASE(std_layering),
		NF_CASE(std_layering_vni0),
		NF_CASE(std_layering_errors),
		NF_CASE(item_errors),
		NF_CASE(ovs_style),
		NF_CASE(acl_items),
		NF_CASE(encap),
		NF_CASE(actions_l3_encap_sample),
		NF_CASE(actions_modify_tag_v6),
		NF_CASE(action_errors),
		NF_CASE(action_conf_errors),
		NF_CASE(roundtrip_misc),
	};

	setup();
	return nf_test_run(cases, RTE_DIM(cases));
}
