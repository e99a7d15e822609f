/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Unit test of lib/flowcmd (nf_flowcmd_parse, V-11):
 *  - every spec template of §7.2-§7.8 written in testpmd syntax, parsed and
 *    compared field by field with the rule written in C;
 *  - testpmd's spec/mask semantics (is/spec/last/mask/prefix, sub-fields of
 *    TCI and vtc_flow, bit-fields);
 *  - format → parse: rules like the conformance suite's are written with
 *    snic_flow_cmd_format() and parsed back; the result must equal the
 *    original (items under their effective masks, actions and their
 *    configurations, encap definitions as the NIC reads them, sample lists,
 *    indirect handles);
 *  - refusals with their exact messages (ASan checks nothing leaks);
 *  - parsed rules validated by a real net_snic over net_ring ports
 *    (rte_flow_validate), an indirect COUNT created by the resolver.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_flow.h>

#include "conformance/snic_env.h"
#include "nf_flowcmd.h"
#include "nf_test.h"
#include "snic.h"

#define IT(t, s, m) { .type = RTE_FLOW_ITEM_TYPE_##t, .spec = (s), .mask = (m) }
#define IEND { .type = RTE_FLOW_ITEM_TYPE_END }
#define AC(t, c) { .type = RTE_FLOW_ACTION_TYPE_##t, .conf = (c) }
#define AEND { .type = RTE_FLOW_ACTION_TYPE_END }
#define MAC(...) { .addr_bytes = { __VA_ARGS__ } }
#define IP4(a, b, c, d) \
	RTE_BE32((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define FF6 { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define FF16 { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
	       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }

static struct snic_env env;

/* ------------------------------------------------------- comparison */

static size_t
item_size(enum rte_flow_item_type t)
{
	switch (t) {
	case RTE_FLOW_ITEM_TYPE_ETH: return sizeof(struct rte_flow_item_eth);
	case RTE_FLOW_ITEM_TYPE_VLAN: return sizeof(struct rte_flow_item_vlan);
	case RTE_FLOW_ITEM_TYPE_IPV4: return sizeof(struct rte_flow_item_ipv4);
	case RTE_FLOW_ITEM_TYPE_IPV6: return sizeof(struct rte_flow_item_ipv6);
	case RTE_FLOW_ITEM_TYPE_ICMP: return sizeof(struct rte_flow_item_icmp);
	case RTE_FLOW_ITEM_TYPE_UDP: return sizeof(struct rte_flow_item_udp);
	case RTE_FLOW_ITEM_TYPE_TCP: return sizeof(struct rte_flow_item_tcp);
	case RTE_FLOW_ITEM_TYPE_VXLAN:
		return sizeof(struct rte_flow_item_vxlan);
	case RTE_FLOW_ITEM_TYPE_TAG: return sizeof(struct rte_flow_item_tag);
	case RTE_FLOW_ITEM_TYPE_PORT_ID:
		return sizeof(struct rte_flow_item_port_id);
	case RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT:
		return sizeof(struct rte_flow_item_ethdev);
	default: return 0;
	}
}

static const void *
item_def_mask(enum rte_flow_item_type t)
{
	switch (t) {
	case RTE_FLOW_ITEM_TYPE_ETH: return &rte_flow_item_eth_mask;
	case RTE_FLOW_ITEM_TYPE_VLAN: return &rte_flow_item_vlan_mask;
	case RTE_FLOW_ITEM_TYPE_IPV4: return &rte_flow_item_ipv4_mask;
	case RTE_FLOW_ITEM_TYPE_IPV6: return &rte_flow_item_ipv6_mask;
	case RTE_FLOW_ITEM_TYPE_ICMP: return &rte_flow_item_icmp_mask;
	case RTE_FLOW_ITEM_TYPE_UDP: return &rte_flow_item_udp_mask;
	case RTE_FLOW_ITEM_TYPE_TCP: return &rte_flow_item_tcp_mask;
	case RTE_FLOW_ITEM_TYPE_VXLAN: return &rte_flow_item_vxlan_mask;
	case RTE_FLOW_ITEM_TYPE_TAG: return &rte_flow_item_tag_mask;
	case RTE_FLOW_ITEM_TYPE_PORT_ID: return &rte_flow_item_port_id_mask;
	case RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT:
		return &rte_flow_item_ethdev_mask;
	default: return NULL;
	}
}

static const uint8_t zeros[128];

/* Same type, same effective mask (NULL: rte_flow's default; NULL spec:
 * nothing matched), same spec and last under it. */
static bool
item_eq(const struct rte_flow_item *a, const struct rte_flow_item *b)
{
	size_t sz = item_size(a->type);
	const uint8_t *ma, *mb, *sa, *sb, *la, *lb;

	if (a->type != b->type)
		return false;
	if (sz == 0)
		return true;
	ma = a->spec == NULL ? zeros : a->mask != NULL ? a->mask :
	     item_def_mask(a->type);
	mb = b->spec == NULL ? zeros : b->mask != NULL ? b->mask :
	     item_def_mask(b->type);
	sa = a->spec != NULL ? a->spec : zeros;
	sb = b->spec != NULL ? b->spec : zeros;
	la = a->last != NULL ? a->last : sa;
	lb = b->last != NULL ? b->last : sb;
	for (size_t i = 0; i < sz; i++)
		if (ma[i] != mb[i] || (sa[i] & ma[i]) != (sb[i] & mb[i]) ||
		    (la[i] & ma[i]) != (lb[i] & mb[i]))
			return false;
	return true;
}

static const struct rte_flow_item *
skip_void_item(const struct rte_flow_item *it)
{
	while (it->type == RTE_FLOW_ITEM_TYPE_VOID)
		it++;
	return it;
}

static bool
items_eq(const struct rte_flow_item *a, const struct rte_flow_item *b)
{
	for (;;) {
		a = skip_void_item(a);
		b = skip_void_item(b);
		if (!item_eq(a, b))
			return false;
		if (a->type == RTE_FLOW_ITEM_TYPE_END)
			return true;
		a++;
		b++;
	}
}

/* What the NIC reads of a VXLAN_ENCAP definition (docs/snic.md). */
struct encap_view {
	uint8_t esrc[6], edst[6];
	int vlan;               /* -1: none, else the TCI */
	bool v6;
	uint8_t src[16], dst[16];
	uint8_t tos, ttl;       /* ttl 0 read as 64 */
	uint16_t sport, dport;
	uint8_t vni[3];
};

static void
encap_read(const struct rte_flow_action_vxlan_encap *e,
	   struct encap_view *v)
{
	memset(v, 0, sizeof(*v));
	v->vlan = -1;
	for (const struct rte_flow_item *it = e->definition;
	     it->type != RTE_FLOW_ITEM_TYPE_END; it++) {
		if (it->type == RTE_FLOW_ITEM_TYPE_ETH) {
			const struct rte_flow_item_eth *s = it->spec;

			memcpy(v->esrc, s->src.addr_bytes, 6);
			memcpy(v->edst, s->dst.addr_bytes, 6);
		} else if (it->type == RTE_FLOW_ITEM_TYPE_VLAN) {
			const struct rte_flow_item_vlan *s = it->spec;

			v->vlan = rte_be_to_cpu_16(s->tci);
		} else if (it->type == RTE_FLOW_ITEM_TYPE_IPV4) {
			const struct rte_flow_item_ipv4 *s = it->spec;

			memcpy(v->src, &s->hdr.src_addr, 4);
			memcpy(v->dst, &s->hdr.dst_addr, 4);
			v->tos = s->hdr.type_of_service;
			v->ttl = s->hdr.time_to_live;
		} else if (it->type == RTE_FLOW_ITEM_TYPE_IPV6) {
			const struct rte_flow_item_ipv6 *s = it->spec;

			v->v6 = true;
			memcpy(v->src, s->hdr.src_addr, 16);
			memcpy(v->dst, s->hdr.dst_addr, 16);
			v->tos = (uint8_t)(rte_be_to_cpu_32(s->hdr.vtc_flow) >>
					   20);
			v->ttl = s->hdr.hop_limits;
		} else if (it->type == RTE_FLOW_ITEM_TYPE_UDP) {
			const struct rte_flow_item_udp *s = it->spec;

			v->sport = rte_be_to_cpu_16(s->hdr.src_port);
			v->dport = rte_be_to_cpu_16(s->hdr.dst_port);
		} else if (it->type == RTE_FLOW_ITEM_TYPE_VXLAN) {
			const struct rte_flow_item_vxlan *s = it->spec;

			memcpy(v->vni, s->vni, 3);
		}
	}
	if (v->ttl == 0)
		v->ttl = 64;
}

static size_t
conf_size(enum rte_flow_action_type t)
{
	switch (t) {
	case RTE_FLOW_ACTION_TYPE_COUNT:
		return sizeof(struct rte_flow_action_count);
	case RTE_FLOW_ACTION_TYPE_PORT_ID:
		return sizeof(struct rte_flow_action_port_id);
	case RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT:
	case RTE_FLOW_ACTION_TYPE_PORT_REPRESENTOR:
		return sizeof(struct rte_flow_action_ethdev);
	case RTE_FLOW_ACTION_TYPE_QUEUE:
		return sizeof(struct rte_flow_action_queue);
	case RTE_FLOW_ACTION_TYPE_JUMP:
		return sizeof(struct rte_flow_action_jump);
	case RTE_FLOW_ACTION_TYPE_MARK:
		return sizeof(struct rte_flow_action_mark);
	case RTE_FLOW_ACTION_TYPE_METER:
		return sizeof(struct rte_flow_action_meter);
	case RTE_FLOW_ACTION_TYPE_SET_MAC_SRC:
	case RTE_FLOW_ACTION_TYPE_SET_MAC_DST:
		return sizeof(struct rte_flow_action_set_mac);
	case RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC:
	case RTE_FLOW_ACTION_TYPE_SET_IPV4_DST:
		return sizeof(struct rte_flow_action_set_ipv4);
	case RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC:
	case RTE_FLOW_ACTION_TYPE_SET_IPV6_DST:
		return sizeof(struct rte_flow_action_set_ipv6);
	case RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN:
		return sizeof(struct rte_flow_action_of_push_vlan);
	case RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID:
		return sizeof(struct rte_flow_action_of_set_vlan_vid);
	case RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP:
		return sizeof(struct rte_flow_action_of_set_vlan_pcp);
	default:
		return 0;
	}
}

static bool actions_eq(const struct rte_flow_action *a,
		       const struct rte_flow_action *b);

static bool
action_eq(const struct rte_flow_action *a, const struct rte_flow_action *b)
{
	size_t sz;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP: {
		struct encap_view va, vb;

		encap_read(a->conf, &va);
		encap_read(b->conf, &vb);
		return memcmp(&va, &vb, sizeof(va)) == 0;
	}
	case RTE_FLOW_ACTION_TYPE_SAMPLE: {
		const struct rte_flow_action_sample *x = a->conf, *y = b->conf;

		return x->ratio == y->ratio &&
		       actions_eq(x->actions, y->actions);
	}
	case RTE_FLOW_ACTION_TYPE_INDIRECT:
		return a->conf == b->conf;
	case RTE_FLOW_ACTION_TYPE_SET_TAG: {
		const struct rte_flow_action_set_tag *x = a->conf, *y = b->conf;

		return x->data == y->data && x->mask == y->mask &&
		       x->index == y->index;
	}
	case RTE_FLOW_ACTION_TYPE_MODIFY_FIELD: {
		const struct rte_flow_action_modify_field *x = a->conf,
							  *y = b->conf;

		return x->operation == y->operation &&
		       x->dst.field == y->dst.field &&
		       x->dst.level == y->dst.level &&
		       x->dst.offset == y->dst.offset &&
		       x->src.field == y->src.field &&
		       memcmp(x->src.value, y->src.value, 16) == 0 &&
		       x->width == y->width;
	}
	case RTE_FLOW_ACTION_TYPE_RSS: {
		const struct rte_flow_action_rss *x = a->conf, *y = b->conf;

		return x->func == y->func && x->level == y->level &&
		       x->types == y->types && x->key_len == y->key_len &&
		       x->queue_num == y->queue_num &&
		       (x->queue_num == 0 || memcmp(x->queue, y->queue,
				x->queue_num * sizeof(*x->queue)) == 0);
	}
	default:
		sz = conf_size(a->type);
		if (sz == 0)
			return true;
		/* a NULL COUNT conf is a zero one */
		return memcmp(a->conf != NULL ? a->conf : zeros,
			      b->conf != NULL ? b->conf : zeros, sz) == 0;
	}
}

static bool
actions_eq(const struct rte_flow_action *a, const struct rte_flow_action *b)
{
	for (;;) {
		while (a->type == RTE_FLOW_ACTION_TYPE_VOID)
			a++;
		while (b->type == RTE_FLOW_ACTION_TYPE_VOID)
			b++;
		if (!action_eq(a, b))
			return false;
		if (a->type == RTE_FLOW_ACTION_TYPE_END)
			return true;
		a++;
		b++;
	}
}

static bool
attr_eq(const struct rte_flow_attr *a, const struct rte_flow_attr *b)
{
	return a->group == b->group && a->priority == b->priority &&
	       a->ingress == b->ingress && a->egress == b->egress &&
	       a->transfer == b->transfer && a->reserved == b->reserved;
}

/* ------------------------------------------------------------ helpers */

static struct nf_flowcmd_rule *
parse_ok(const char *text, const struct nf_flowcmd_opts *o)
{
	struct nf_flowcmd_rule *r = NULL;
	char err[256];
	int rc = nf_flowcmd_parse(text, o, &r, err, sizeof(err));

	NF_CHECK_EQ(rc, 0);
	if (rc != 0)
		fprintf(stderr, "parse failed: %s\n  text: %s\n", err, text);
	return r;
}

/* Parse text and compare with the rule in C. */
static void
check_rule(const char *text, const struct nf_flowcmd_opts *o, uint16_t port,
	   const struct rte_flow_attr *attr,
	   const struct rte_flow_item *items,
	   const struct rte_flow_action *acts)
{
	struct nf_flowcmd_rule *r = parse_ok(text, o);

	if (r == NULL)
		return;
	NF_CHECK_EQ(r->port_id, port);
	NF_CHECK(attr_eq(&r->attr, attr));
	NF_CHECK(items_eq(r->pattern, items));
	NF_CHECK(actions_eq(r->actions, acts));
	NF_CHECK_EQ(r->pattern[r->n_pattern].type, RTE_FLOW_ITEM_TYPE_END);
	NF_CHECK_EQ(r->actions[r->n_actions].type, RTE_FLOW_ACTION_TYPE_END);
	if (!items_eq(r->pattern, items) || !actions_eq(r->actions, acts))
		fprintf(stderr, "  text: %s\n", text);
	nf_flowcmd_free(r);
}

/* ------------------------------------------- §7.2-§7.8 in testpmd text */

static const struct rte_flow_attr ing = { .ingress = 1 };
static const struct rte_flow_action_count cnt0;
static const struct rte_flow_action_port_id to4 = { .id = 4 };
static const struct rte_flow_action_port_id to5 = { .id = 5 };
static const struct rte_flow_action_port_id to6 = { .id = 6 };
static const struct rte_flow_action_port_id to7 = { .id = 7 };

static const struct rte_flow_item_eth eth_full = {
	.dst = MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	.src = MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	.type = RTE_BE16(0xffff),
};
static const struct rte_flow_item_vlan vlan_full = {
	.tci = RTE_BE16(0xffff), .inner_type = RTE_BE16(0xffff),
};
static const struct rte_flow_item_ipv4 ip4_dst_proto = {
	.hdr.dst_addr = RTE_BE32(0xffffffff), .hdr.next_proto_id = 0xff,
};
static const struct rte_flow_item_ipv6 ip6_dst_proto = {
	.hdr.dst_addr = FF16, .hdr.proto = 0xff,
};
static const struct rte_flow_item_vxlan vni_full = {
	.vni = { 0xff, 0xff, 0xff },
};
static const struct rte_flow_item_vxlan vni0;

/* §7.2 same-node L2, tagged VM port, IPv4. */
NF_TEST(tpl_l2_same_node)
{
	static const struct rte_flow_item_eth eth = {
		.src = MAC(2, 0, 0, 0, 0, 1), .dst = MAC(2, 0, 0, 0, 0, 2),
		.type = RTE_BE16(0x8100), .has_vlan = 1,
	};
	static const struct rte_flow_item_eth eth_m = {
		.dst = MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		.src = MAC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		.type = RTE_BE16(0xffff), .has_vlan = 1,
	};
	static const struct rte_flow_item_vlan vlan = {
		.tci = RTE_BE16(100), .inner_type = RTE_BE16(0x0800),
	};
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.dst_addr = IP4(10, 0, 0, 2), .hdr.next_proto_id = 6,
	};
	static const struct rte_flow_action_count cnt7 = { .id = 7 };
	static const struct rte_flow_action_of_set_vlan_vid vid = {
		.vlan_vid = RTE_BE16(200),
	};
	static const struct rte_flow_action_of_set_vlan_pcp pcp = {
		.vlan_pcp = 3,
	};
	const struct rte_flow_item items[] = {
		IT(ETH, &eth, &eth_m), IT(VLAN, &vlan, &vlan_full),
		IT(IPV4, &ip, &ip4_dst_proto), IT(VXLAN, &vni0, &vni_full),
		IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &cnt7), AC(OF_SET_VLAN_VID, &vid),
		AC(OF_SET_VLAN_PCP, &pcp), AC(PORT_ID, &to6), AEND,
	};

	check_rule("flow create 5 ingress pattern eth src is 02:00:00:00:00:01 "
		   "dst is 02:00:00:00:00:02 type is 0x8100 has_vlan is 1 / "
		   "vlan tci is 100 inner_type is 0x0800 / ipv4 dst is 10.0.0.2 "
		   "proto is 6 / vxlan vni is 0 / end actions count identifier "
		   "7 / of_set_vlan_vid vlan_vid 200 / of_set_vlan_pcp vlan_pcp "
		   "3 / port_id id 6 / end", NULL, 5, &ing, items, acts);
}

/* VXLAN definitions as testpmd builds them. */
#define DEF_ETH(s, d) \
	static const struct rte_flow_item_eth d_eth = { .src = s, .dst = d }
static const struct rte_flow_item_udp def_udp = {
	.hdr.dst_port = RTE_BE16(4789),
};

/* §7.3.1 cross-node L2 egress: IPv6 VM, outer IPv6 with a VLAN. */
NF_TEST(tpl_l2_cross_node_egress)
{
	DEF_ETH(MAC(2, 0xaa, 0, 0, 0, 1), MAC(2, 0xaa, 0, 0, 0, 2));
	static const struct rte_flow_item_vlan d_vlan = { .tci = RTE_BE16(10) };
	static const struct rte_flow_item_ipv6 d_ip = {
		.hdr.src_addr = { 0xfd, [15] = 1 },
		.hdr.dst_addr = { 0xfd, [15] = 2 },
	};
	static const struct rte_flow_item_vxlan d_vx = {
		.vni = { 0, 0x13, 0x88 },
	};
	static struct rte_flow_item def[] = {
		IT(ETH, &d_eth, NULL), IT(VLAN, &d_vlan, NULL),
		IT(IPV6, &d_ip, NULL), IT(UDP, &def_udp, NULL),
		IT(VXLAN, &d_vx, NULL), IEND,
	};
	static const struct rte_flow_action_vxlan_encap encap = {
		.definition = def,
	};
	static const struct rte_flow_item_eth eth = {
		.src = MAC(2, 0, 0, 0, 0, 1), .dst = MAC(2, 0, 0, 0, 0, 9),
		.type = RTE_BE16(0x86dd),
	};
	static const struct rte_flow_item_ipv6 ip = {
		.hdr.dst_addr = { 0xfd, 0x02, [15] = 5 }, .hdr.proto = 17,
	};
	const struct rte_flow_item items[] = {
		IT(ETH, &eth, &eth_full), IT(IPV6, &ip, &ip6_dst_proto),
		IT(VXLAN, &vni0, &vni_full), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &cnt0), AC(OF_POP_VLAN, NULL),
		AC(VXLAN_ENCAP, &encap), AC(PORT_ID, &to4), AEND,
	};

	check_rule("set vxlan-with-vlan ip-version ipv6 vni 5000 udp-src 0 "
		   "udp-dst 4789 ip-src fd00::1 ip-dst fd00::2 vlan-tci 10 "
		   "eth-src 02:aa:00:00:00:01 eth-dst 02:aa:00:00:00:02; "
		   "flow create 5 ingress pattern eth src is 02:00:00:00:00:01 "
		   "dst is 02:00:00:00:00:09 type is 0x86dd / ipv6 dst is fd02::5 "
		   "proto is 17 / vxlan vni is 0 / end actions count / "
		   "of_pop_vlan / vxlan_encap / port_id id 4 / end",
		   NULL, 5, &ing, items, acts);
}

/* §7.3.2 cross-node L2 ingress to a trunk port. */
NF_TEST(tpl_l2_cross_node_ingress)
{
	static const struct rte_flow_item_eth eth = {
		.src = MAC(2, 0, 0, 0, 0, 9), .dst = MAC(2, 0, 0, 0, 0, 1),
		.type = RTE_BE16(0x0800),
	};
	static const struct rte_flow_item_vlan vlan0;
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.dst_addr = IP4(10, 0, 0, 1), .hdr.next_proto_id = 17,
	};
	static const struct rte_flow_item_vxlan vx = {
		.vni = { 0, 0x13, 0x88 },
	};
	static const struct rte_flow_action_of_push_vlan push = {
		.ethertype = RTE_BE16(0x8100),
	};
	static const struct rte_flow_action_of_set_vlan_vid vid = {
		.vlan_vid = RTE_BE16(100),
	};
	static const struct rte_flow_action_of_set_vlan_pcp pcp;
	const struct rte_flow_item items[] = {
		IT(ETH, &eth, &eth_full), IT(VLAN, &vlan0, &vlan_full),
		IT(IPV4, &ip, &ip4_dst_proto), IT(VXLAN, &vx, &vni_full), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(VXLAN_DECAP, NULL), AC(COUNT, &cnt0),
		AC(OF_PUSH_VLAN, &push), AC(OF_SET_VLAN_VID, &vid),
		AC(OF_SET_VLAN_PCP, &pcp), AC(PORT_ID, &to5), AEND,
	};

	check_rule("flow create 4 ingress pattern eth src is 02:00:00:00:00:09 "
		   "dst is 02:00:00:00:00:01 type is 0x0800 / vlan tci is 0 "
		   "inner_type is 0 / ipv4 dst is 10.0.0.1 proto is 17 / vxlan "
		   "vni is 5000 / end actions vxlan_decap / count / of_push_vlan "
		   "ethertype 0x8100 / of_set_vlan_vid vlan_vid 100 / "
		   "of_set_vlan_pcp vlan_pcp 0 / port_id id 5 / end",
		   NULL, 4, &ing, items, acts);
}

/* §7.4 same-node L3 with a FIP (IPv4 forward, IPv6 reverse). */
NF_TEST(tpl_l3_same_node)
{
	static const struct rte_flow_item_eth eth = {
		.src = MAC(2, 0, 0, 0, 0, 1), .dst = MAC(2, 0, 0, 0, 0, 0xfe),
		.type = RTE_BE16(0x0800),
	};
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.dst_addr = IP4(10, 1, 0, 4), .hdr.next_proto_id = 6,
	};
	static const struct rte_flow_action_set_mac smac = {
		.mac_addr = { 2, 0, 0, 0, 0, 0xfe },
	};
	static const struct rte_flow_action_set_mac dmac = {
		.mac_addr = { 2, 0, 0, 0, 0, 4 },
	};
	static const struct rte_flow_action_set_ipv4 fip = {
		.ipv4_addr = IP4(192, 168, 100, 1),
	};
	static const struct rte_flow_action_set_ipv6 dip6 = {
		.ipv6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	};
	static const struct rte_flow_item_ipv6 ip6 = {
		.hdr.dst_addr = { 0xfd, 0x01, [15] = 4 }, .hdr.proto = 6,
	};
	const struct rte_flow_item items[] = {
		IT(ETH, &eth, &eth_full), IT(IPV4, &ip, &ip4_dst_proto),
		IT(VXLAN, &vni0, &vni_full), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &cnt0), AC(SET_MAC_SRC, &smac), AC(SET_MAC_DST, &dmac),
		AC(SET_IPV4_SRC, &fip), AC(DEC_TTL, NULL), AC(PORT_ID, &to6),
		AEND,
	};
	const struct rte_flow_item items6[] = {
		IT(ETH, NULL, NULL), IT(IPV6, &ip6, &ip6_dst_proto),
		IT(VXLAN, &vni0, &vni_full), IEND,
	};
	const struct rte_flow_action acts6[] = {
		AC(COUNT, &cnt0), AC(SET_IPV6_DST, &dip6), AC(DEC_TTL, NULL),
		AC(PORT_ID, &to5), AEND,
	};

	check_rule("flow create 5 ingress pattern eth src is 02:00:00:00:00:01 "
		   "dst is 02:00:00:00:00:fe type is 0x0800 / ipv4 dst is "
		   "10.1.0.4 proto is 6 / vxlan vni is 0 / end actions count / "
		   "set_mac_src mac_addr 02:00:00:00:00:fe / set_mac_dst mac_addr "
		   "02:00:00:00:00:04 / set_ipv4_src ipv4_addr 192.168.100.1 / "
		   "dec_ttl / port_id id 6 / end", NULL, 5, &ing, items, acts);
	check_rule("flow create 6 ingress pattern eth / ipv6 dst is fd01::4 "
		   "proto is 6 / vxlan vni is 0 / end actions count / "
		   "set_ipv6_dst ipv6_addr 2001:db8::1 / dec_ttl / port_id id 5 "
		   "/ end", NULL, 6, &ing, items6, acts6);
}

/* §7.5.1 cross-node L3 egress, with the inline encap definition and the
 * spec's DEC_TTL given twice; §7.5.2 ingress. */
NF_TEST(tpl_l3_cross_node)
{
	DEF_ETH(MAC(2, 0xaa, 0, 0, 0, 1), MAC(2, 0xbb, 0, 0, 0, 1));
	static const struct rte_flow_item_ipv4 d_ip = {
		.hdr.src_addr = IP4(192, 168, 1, 1),
		.hdr.dst_addr = IP4(192, 168, 1, 2),
	};
	static const struct rte_flow_item_vxlan d_vx = {
		.vni = { 0, 0x17, 0x70 },
	};
	static struct rte_flow_item def[] = {
		IT(ETH, &d_eth, NULL), IT(IPV4, &d_ip, NULL),
		IT(UDP, &def_udp, NULL), IT(VXLAN, &d_vx, NULL), IEND,
	};
	static const struct rte_flow_action_vxlan_encap encap = {
		.definition = def,
	};
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.dst_addr = IP4(10, 2, 0, 5), .hdr.next_proto_id = 17,
	};
	static const struct rte_flow_action_set_mac smac = {
		.mac_addr = { 2, 0, 0, 0, 0, 0xfe },
	};
	static const struct rte_flow_action_set_mac dmac = {
		.mac_addr = { 2, 0, 0, 0, 1, 0xfe },
	};
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &ip, &ip4_dst_proto),
		IT(VXLAN, &vni0, &vni_full), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &cnt0), AC(SET_MAC_SRC, &smac), AC(SET_MAC_DST, &dmac),
		AC(VXLAN_ENCAP, &encap), AC(DEC_TTL, NULL), AC(PORT_ID, &to4),
		AC(DEC_TTL, NULL), AEND,
	};
	static const struct rte_flow_item_ipv4 ip_in = {
		.hdr.dst_addr = IP4(10, 0, 0, 1), .hdr.next_proto_id = 6,
	};
	const struct rte_flow_item items_in[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &ip_in, &ip4_dst_proto),
		IT(VXLAN, &d_vx, &vni_full), IEND,
	};
	const struct rte_flow_action acts_in[] = {
		AC(VXLAN_DECAP, NULL), AC(COUNT, &cnt0), AC(SET_MAC_SRC, &smac),
		AC(SET_MAC_DST, &dmac), AC(DEC_TTL, NULL), AC(PORT_ID, &to5),
		AEND,
	};

	check_rule("flow create 5 ingress pattern eth / ipv4 dst is 10.2.0.5 "
		   "proto is 17 / vxlan vni is 0 / end actions count / "
		   "set_mac_src mac_addr 02:00:00:00:00:fe / set_mac_dst "
		   "mac_addr 02:00:00:00:01:fe / vxlan_encap ip-version ipv4 "
		   "vni 6000 udp-src 0 udp-dst 4789 ip-src 192.168.1.1 ip-dst "
		   "192.168.1.2 eth-src 02:aa:00:00:00:01 eth-dst "
		   "02:bb:00:00:00:01 / dec_ttl / port_id id 4 / dec_ttl / end",
		   NULL, 5, &ing, items, acts);
	check_rule("flow create 4 ingress pattern eth / ipv4 dst is 10.0.0.1 "
		   "proto is 6 / vxlan vni is 6000 / end actions vxlan_decap / "
		   "count / set_mac_src mac_addr 02:00:00:00:00:fe / set_mac_dst "
		   "mac_addr 02:00:00:00:01:fe / dec_ttl / port_id id 5 / end",
		   NULL, 4, &ing, items_in, acts_in);
}

/* §7.6 mirroring: local (SAMPLE to a port) and remote (encap + port). */
NF_TEST(tpl_mirror)
{
	DEF_ETH(MAC(2, 0xaa, 0, 0, 0, 1), MAC(0x0a, 0, 0, 0, 0, 9));
	static const struct rte_flow_item_ipv4 d_ip = {
		.hdr.src_addr = IP4(192, 168, 1, 1),
		.hdr.dst_addr = IP4(172, 16, 0, 9),
		.hdr.type_of_service = 0x10, .hdr.time_to_live = 32,
	};
	static const struct rte_flow_item_vxlan d_vx = { .vni = { 0, 0, 99 } };
	static struct rte_flow_item def[] = {
		IT(ETH, &d_eth, NULL), IT(IPV4, &d_ip, NULL),
		IT(UDP, &def_udp, NULL), IT(VXLAN, &d_vx, NULL), IEND,
	};
	static const struct rte_flow_action_vxlan_encap encap = {
		.definition = def,
	};
	const struct rte_flow_action local[] = { AC(PORT_ID, &to7), AEND };
	const struct rte_flow_action remote[] = {
		AC(VXLAN_ENCAP, &encap), AC(PORT_ID, &to4), AEND,
	};
	const struct rte_flow_action_sample s_local = {
		.ratio = 1, .actions = local,
	};
	const struct rte_flow_action_sample s_remote = {
		.ratio = 1, .actions = remote,
	};
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.dst_addr = IP4(10, 0, 0, 2), .hdr.next_proto_id = 17,
	};
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &ip, &ip4_dst_proto),
		IT(VXLAN, &vni0, &vni_full), IEND,
	};
	const struct rte_flow_action acts_l[] = {
		AC(COUNT, &cnt0), AC(PORT_ID, &to6), AC(SAMPLE, &s_local), AEND,
	};
	const struct rte_flow_action acts_r[] = {
		AC(COUNT, &cnt0), AC(PORT_ID, &to6), AC(SAMPLE, &s_remote), AEND,
	};

	check_rule("set sample_actions 0 port_id id 7 / end; flow create 5 "
		   "ingress pattern eth / ipv4 dst is 10.0.0.2 proto is 17 / "
		   "vxlan vni is 0 / end actions count / port_id id 6 / sample "
		   "ratio 1 index 0 / end", NULL, 5, &ing, items, acts_l);
	/* the sample list takes the "set vxlan" before it, the later one
	 * does not change it */
	check_rule("set vxlan-tos-ttl ip-version ipv4 vni 99 udp-src 0 udp-dst "
		   "4789 ip-tos 16 ip-ttl 32 ip-src 192.168.1.1 ip-dst "
		   "172.16.0.9 eth-src 02:aa:00:00:00:01 eth-dst "
		   "0a:00:00:00:00:09; set sample_actions 3 vxlan_encap / "
		   "port_id id 4 / end; set vxlan ip-version ipv4 vni 1 udp-src "
		   "1 udp-dst 1 ip-src 1.1.1.1 ip-dst 1.1.1.1 eth-src "
		   "02:00:00:00:00:01 eth-dst 02:00:00:00:00:01; flow create 5 "
		   "ingress pattern eth / ipv4 dst is 10.0.0.2 proto is 17 / "
		   "vxlan vni is 0 / end actions count / port_id id 6 / sample "
		   "index 3 / end", NULL, 5, &ing, items, acts_r);
}

/* §7.7 security groups: stateful (SYN/FIN/RST to software: flags under
 * mask 0x07 must be 0) and stateless (DROP). */
NF_TEST(tpl_security_groups)
{
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.dst_addr = IP4(10, 0, 0, 60), .hdr.next_proto_id = 6,
	};
	static const struct rte_flow_item_tcp tcp = {
		.hdr.dst_port = RTE_BE16(80),
	};
	static const struct rte_flow_item_tcp tcp_m = {
		.hdr.dst_port = RTE_BE16(0xffff), .hdr.tcp_flags = 0x07,
	};
	static const struct rte_flow_item_udp udp = {
		.hdr.src_port = RTE_BE16(53),
	};
	static const struct rte_flow_item_udp udp_m = {
		.hdr.src_port = RTE_BE16(0xffff),
	};
	const struct rte_flow_attr prio = { .ingress = 1, .priority = 2 };
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &ip, &ip4_dst_proto),
		IT(TCP, &tcp, &tcp_m), IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &cnt0), AC(PORT_ID, &to5), AEND,
	};
	const struct rte_flow_item items_d[] = {
		IT(ETH, NULL, NULL), IT(IPV4, NULL, NULL), IT(UDP, &udp, &udp_m),
		IEND,
	};
	const struct rte_flow_action acts_d[] = { AC(DROP, NULL), AEND };

	check_rule("flow create 6 priority 2 ingress pattern eth / ipv4 proto "
		   "is 6 dst is 10.0.0.60 / tcp dst is 80 flags spec 0x00 flags "
		   "mask 0x07 / end actions count / port_id id 5 / end", NULL, 6,
		   &prio, items, acts);
	check_rule("flow create 6 ingress pattern eth / ipv4 / udp src is 53 / "
		   "end actions drop / end", NULL, 6, &ing, items_d, acts_d);
}

/* §7.8 ACL: ingress SET_TAG through the group alias, egress TAG match with
 * an indirect COUNT and an upcall (QUEUE 0); handles from an array. */
NF_TEST(tpl_acl)
{
	static const struct rte_flow_item_ipv4 ip = {
		.hdr.src_addr = IP4(192, 0, 2, 7),
	};
	static const struct rte_flow_item_ipv4 ip_m = {
		.hdr.src_addr = RTE_BE32(0xffffffff),
	};
	static const struct rte_flow_action_set_tag tag = {
		.data = 7, .index = 1, .mask = UINT32_MAX,
	};
	static const struct rte_flow_item_tag t = { .data = 7, .index = 1 };
	static const struct rte_flow_item_tag t_m = {
		.data = UINT32_MAX, .index = 0xff,
	};
	static const struct rte_flow_action_queue q0;
	struct rte_flow_action_handle *handles[] = {
		(void *)0x1000, (void *)0x2000,
	};
	const struct nf_flowcmd_opts o = {
		.port = -1, .handles = handles, .n_handles = 2,
	};
	const struct rte_flow_attr acl_in = { .ingress = 1, .group = 1000 };
	const struct rte_flow_attr acl_out = { .egress = 1, .group = 1001 };
	const struct rte_flow_item items[] = {
		IT(ETH, NULL, NULL), IT(IPV4, &ip, &ip_m), IT(VXLAN, NULL, NULL),
		IEND,
	};
	const struct rte_flow_action acts[] = {
		AC(COUNT, &cnt0), AC(SET_TAG, &tag), AEND,
	};
	const struct rte_flow_item items_e[] = { IT(TAG, &t, &t_m), IEND };
	const struct rte_flow_action acts_e[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_INDIRECT, .conf = handles[1] },
		AC(QUEUE, &q0), AEND,
	};

	check_rule("flow create 5 group 1000 ingress pattern eth / ipv4 src is "
		   "192.0.2.7 / vxlan / end actions count / set_tag data 7 index "
		   "1 / end", &o, 5, &acl_in, items, acts);
	check_rule("flow create 6 group 1001 egress pattern tag data is 7 index "
		   "is 1 / end actions indirect 1 / queue index 0 / end", &o, 6,
		   &acl_out, items_e, acts_e);
}

/* ---------------------------------------------- testpmd's semantics */

NF_TEST(spec_mask_semantics)
{
	const struct nf_flowcmd_opts port3 = { .port = 3 };
	struct nf_flowcmd_rule *r;
	const struct rte_flow_item_ipv4 *s, *m, *l;
	const struct rte_flow_item_vlan *vs, *vm;
	const struct rte_flow_item_ipv6 *i6, *m6;

	/* spec alone: mask stays NULL (rte_flow's default) */
	r = parse_ok("flow create 1 pattern ipv4 src spec 10.0.0.1 / end "
		     "actions drop / end", NULL);
	if (r != NULL) {
		s = r->pattern[0].spec;
		NF_CHECK(r->pattern[0].mask == NULL);
		NF_CHECK(r->pattern[0].last == NULL);
		NF_CHECK(s != NULL && s->hdr.src_addr == IP4(10, 0, 0, 1));
		NF_CHECK_EQ(r->n_pattern, 1);
		NF_CHECK_EQ(r->actions[0].type, RTE_FLOW_ACTION_TYPE_DROP);
		NF_CHECK(r->actions[0].conf == NULL);
		nf_flowcmd_free(r);
	}
	/* spec on one field, is on another: the first is not matched;
	 * prefix, last */
	r = parse_ok("pattern ipv4 src spec 10.0.0.1 dst is 10.0.0.2 / "
		     "ipv4 src spec 10.1.0.0 src prefix 16 tos spec 4 tos last 8 "
		     "tos mask 0xfc / end actions count / end", &port3);
	if (r != NULL) {
		NF_CHECK_EQ(r->port_id, 3);
		s = r->pattern[0].spec;
		m = r->pattern[0].mask;
		NF_CHECK(m != NULL && m->hdr.src_addr == 0 &&
			 m->hdr.dst_addr == RTE_BE32(0xffffffff));
		NF_CHECK(s->hdr.dst_addr == IP4(10, 0, 0, 2));
		s = r->pattern[1].spec;
		m = r->pattern[1].mask;
		l = r->pattern[1].last;
		NF_CHECK(m->hdr.src_addr == IP4(255, 255, 0, 0));
		NF_CHECK(s->hdr.src_addr == IP4(10, 1, 0, 0));
		NF_CHECK_EQ(s->hdr.type_of_service, 4);
		NF_CHECK(l != NULL && l->hdr.type_of_service == 8);
		NF_CHECK_EQ(m->hdr.type_of_service, 0xfc);
		nf_flowcmd_free(r);
	}
	/* vid/pcp are bits of tci; tc/flow bits of vtc_flow; bit-fields */
	r = parse_ok("flow create 0 transfer group 2 pattern eth has_vlan is 1 "
		     "/ vlan vid is 0x123 pcp is 5 / ipv6 tc is 0xb8 flow spec 7 "
		     "has_frag_ext is 1 / end actions jump group 3 / end", NULL);
	if (r != NULL) {
		const struct rte_flow_item_eth *e = r->pattern[0].spec;
		const struct rte_flow_item_eth *em = r->pattern[0].mask;

		NF_CHECK(r->attr.transfer == 1 && r->attr.group == 2);
		NF_CHECK(e->has_vlan == 1 && em->has_vlan == 1);
		NF_CHECK_MEM(em->dst.addr_bytes, zeros, 6);
		vs = r->pattern[1].spec;
		vm = r->pattern[1].mask;
		NF_CHECK_EQ(rte_be_to_cpu_16(vs->tci), 0xa123);
		NF_CHECK_EQ(rte_be_to_cpu_16(vm->tci), 0xefff);
		i6 = r->pattern[2].spec;
		m6 = r->pattern[2].mask;
		NF_CHECK_EQ(rte_be_to_cpu_32(i6->hdr.vtc_flow), 0xb8u << 20 | 7);
		NF_CHECK_EQ(rte_be_to_cpu_32(m6->hdr.vtc_flow), 0xffu << 20);
		NF_CHECK(i6->has_frag_ext == 1 && m6->has_frag_ext == 1);
		NF_CHECK_EQ(((const struct rte_flow_action_jump *)
			     r->actions[0].conf)->group, 3);
		nf_flowcmd_free(r);
	}
	/* rss, mark, meter, port_id original, modify_field */
	r = parse_ok("flow create 0 ingress pattern eth / end actions rss / "
		     "rss func toeplitz level 1 types ipv4-tcp l3-src-only end "
		     "queues 0 2 3 end / mark id 9 / meter mtr_id 4 / port_id "
		     "original 1 id 2 / modify_field op add dst_type ipv4_dscp "
		     "src_type value src_value 2e width 6 / void / end", NULL);
	if (r != NULL) {
		const struct rte_flow_action_rss *r0 = r->actions[0].conf;
		const struct rte_flow_action_rss *r1 = r->actions[1].conf;
		const struct rte_flow_action_port_id *p = r->actions[4].conf;
		const struct rte_flow_action_modify_field *mf =
			r->actions[5].conf;

		NF_CHECK_EQ(r->n_actions, 7);
		NF_CHECK(r0->types == RTE_ETH_RSS_IP && r0->queue_num == 0 &&
			 r0->func == RTE_ETH_HASH_FUNCTION_DEFAULT);
		NF_CHECK(r1->func == RTE_ETH_HASH_FUNCTION_TOEPLITZ &&
			 r1->level == 1 && r1->types ==
			 (RTE_ETH_RSS_NONFRAG_IPV4_TCP |
			  RTE_ETH_RSS_L3_SRC_ONLY));
		NF_CHECK(r1->queue_num == 3 && r1->queue[0] == 0 &&
			 r1->queue[1] == 2 && r1->queue[2] == 3);
		NF_CHECK_EQ(((const struct rte_flow_action_mark *)
			     r->actions[2].conf)->id, 9);
		NF_CHECK_EQ(((const struct rte_flow_action_meter *)
			     r->actions[3].conf)->mtr_id, 4);
		NF_CHECK(p->original == 1 && p->id == 2);
		NF_CHECK(mf->operation == RTE_FLOW_MODIFY_ADD &&
			 mf->dst.field == RTE_FLOW_FIELD_IPV4_DSCP &&
			 mf->src.field == RTE_FLOW_FIELD_VALUE &&
			 mf->src.value[0] == 0x2e && mf->width == 6);
		NF_CHECK_EQ(r->actions[6].type, RTE_FLOW_ACTION_TYPE_VOID);
		nf_flowcmd_free(r);
	}
	/* prefix on a number: the leading bits of the field */
	r = parse_ok("flow create 1 pattern tcp dst spec 0x1234 dst prefix 7 "
		     "/ vxlan vni is 0x10203 vni prefix 0 / end actions drop / "
		     "end", NULL);
	if (r != NULL) {
		const struct rte_flow_item_tcp *tm = r->pattern[0].mask;
		const struct rte_flow_item_vxlan *xs = r->pattern[1].spec;
		const struct rte_flow_item_vxlan *xm = r->pattern[1].mask;

		NF_CHECK_EQ(rte_be_to_cpu_16(tm->hdr.dst_port), 0xfe00);
		NF_CHECK_EQ(tm->hdr.src_port, 0);
		NF_CHECK(xs->vni[0] == 1 && xs->vni[1] == 2 && xs->vni[2] == 3);
		NF_CHECK(xm->vni[0] == 0 && xm->vni[1] == 0 && xm->vni[2] == 0);
		nf_flowcmd_free(r);
	}
	/* the text wins over opts.port; an empty pattern */
	r = parse_ok("flow create 9 pattern end actions drop / end", &port3);
	if (r != NULL) {
		NF_CHECK_EQ(r->port_id, 9);
		NF_CHECK_EQ(r->n_pattern, 0);
		nf_flowcmd_free(r);
	}
	nf_flowcmd_free(NULL);
}

/* ------------------------------------------------ format → parse */

/* The formatter numbers the rule's INDIRECT actions 0, 1, ... and defines
 * each as an indirect COUNT: give back the original's handles. */
struct fmt_ind {
	const struct rte_flow_action *orig;
	unsigned int calls;
};

static int
fmt_indirect(void *arg, uint16_t port, uint32_t id,
	     const struct rte_flow_action *def,
	     struct rte_flow_action_handle **h)
{
	struct fmt_ind *f = arg;
	uint32_t k = 0;

	RTE_SET_USED(port);
	NF_CHECK(def != NULL && def->type == RTE_FLOW_ACTION_TYPE_COUNT);
	f->calls++;
	for (const struct rte_flow_action *a = f->orig;
	     a->type != RTE_FLOW_ACTION_TYPE_END; a++)
		if (a->type == RTE_FLOW_ACTION_TYPE_INDIRECT && k++ == id) {
			*h = (struct rte_flow_action_handle *)(uintptr_t)a->conf;
			return 0;
		}
	return -ENOENT;
}

static void
fmt_parse(uint16_t port, const struct rte_flow_attr *attr,
	  const struct rte_flow_item *items,
	  const struct rte_flow_action *acts)
{
	struct fmt_ind f = { .orig = acts };
	const struct nf_flowcmd_opts o = {
		.port = -1, .indirect = fmt_indirect, .indirect_arg = &f,
	};
	struct rte_flow_attr want = *attr;
	char buf[4096];
	struct nf_flowcmd_rule *r;

	NF_CHECK(snic_flow_cmd_format(buf, sizeof(buf), port, attr, items,
				      acts) < (int)sizeof(buf));
	/* testpmd has no reserved bits: ACL rules come back as the alias */
	if (rte_pmd_snic_flow_type_get(attr) == RTE_PMD_SNIC_FLOW_TYPE_ACL) {
		want.reserved = 0;
		want.group += RTE_PMD_SNIC_ACL_GROUP_BASE;
	}
	r = parse_ok(buf, &o);
	if (r == NULL)
		return;
	NF_CHECK_EQ(r->port_id, port);
	NF_CHECK(attr_eq(&r->attr, &want));
	NF_CHECK(items_eq(r->pattern, items));
	NF_CHECK(actions_eq(r->actions, acts));
	if (!attr_eq(&r->attr, &want) || !items_eq(r->pattern, items) ||
	    !actions_eq(r->actions, acts))
		fprintf(stderr, "  text: %s\n", buf);
	nf_flowcmd_free(r);
}

/* The definitions of test_snic_templates.c (§7.3.1: eth type, has_vlan,
 * proto 17 — what the text cannot carry the NIC ignores). */
static const struct rte_flow_item_eth enc_eth = {
	.src = MAC(2, 0xaa, 0, 0, 0, 1), .dst = MAC(2, 0xaa, 0, 0, 0, 2),
	.type = RTE_BE16(0x0800),
};
static const struct rte_flow_item_eth enc_eth_vlan = {
	.src = MAC(2, 0xaa, 0, 0, 0, 1), .dst = MAC(2, 0xaa, 0, 0, 0, 2),
	.type = RTE_BE16(0x8100), .has_vlan = 1,
};
static const struct rte_flow_item_vlan enc_vlan = {
	.tci = RTE_BE16(0x2064), .inner_type = RTE_BE16(0x86dd),
};
static const struct rte_flow_item_ipv4 enc_ip4 = {
	.hdr.src_addr = IP4(192, 168, 1, 1), .hdr.dst_addr = IP4(192, 168, 1, 2),
	.hdr.next_proto_id = 17, .hdr.time_to_live = 64,
};
static const struct rte_flow_item_ipv4 enc_ip4_tos = {
	.hdr.src_addr = IP4(192, 168, 1, 1), .hdr.dst_addr = IP4(192, 168, 1, 2),
	.hdr.type_of_service = 0xb8, .hdr.time_to_live = 9,
};
static const struct rte_flow_item_ipv6 enc_ip6 = {
	.hdr.src_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	.hdr.dst_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	.hdr.proto = 17,
};
static const struct rte_flow_item_udp enc_udp = {
	.hdr.src_port = 0, .hdr.dst_port = RTE_BE16(4789),
};
static const struct rte_flow_item_vxlan enc_vx = {
	.vni = { 0, 0x13, 0x88 }, .flags = 0x08,
};
static struct rte_flow_item def4[] = {
	IT(ETH, &enc_eth, NULL), IT(IPV4, &enc_ip4, NULL),
	IT(UDP, &enc_udp, NULL), IT(VXLAN, &enc_vx, NULL), IEND,
};
static struct rte_flow_item def4_tos[] = {
	IT(ETH, &enc_eth, NULL), IT(IPV4, &enc_ip4_tos, NULL),
	IT(UDP, &enc_udp, NULL), IT(VXLAN, &enc_vx, NULL), IEND,
};
static struct rte_flow_item def6_vlan[] = {
	IT(ETH, &enc_eth_vlan, NULL), IT(VLAN, &enc_vlan, NULL),
	IT(IPV6, &enc_ip6, NULL), IT(UDP, &enc_udp, NULL),
	IT(VXLAN, &enc_vx, NULL), IEND,
};
static const struct rte_flow_action_vxlan_encap encap4 = {
	.definition = def4,
};
static const struct rte_flow_action_vxlan_encap encap4_tos = {
	.definition = def4_tos,
};
static const struct rte_flow_action_vxlan_encap encap6_vlan = {
	.definition = def6_vlan,
};

NF_TEST(format_parse_forwarding)
{
	static const struct rte_flow_item_eth l2 = {
		.src = MAC(2, 0, 0, 0, 0, 1), .dst = MAC(2, 0, 0, 0, 0, 2),
		.type = RTE_BE16(0x8100),
	};
	static const struct rte_flow_item_vlan vl = {
		.tci = RTE_BE16(100), .inner_type = RTE_BE16(0x86dd),
	};
	static const struct rte_flow_item_ipv6 ip6 = {
		.hdr.dst_addr = { 0xfd, 0x02, [15] = 5 }, .hdr.proto = 6,
	};
	static const struct rte_flow_item_ipv4 ip4 = {
		.hdr.dst_addr = IP4(10, 0, 0, 1), .hdr.next_proto_id = 17,
	};
	static const struct rte_flow_item_ipv4 outer = {
		.hdr.dst_addr = IP4(192, 168, 1, 1),
	};
	static const struct rte_flow_item_ipv4 outer_m = {
		.hdr.dst_addr = RTE_BE32(0xffffffff),
	};
	static const struct rte_flow_item_udp u4789 = {
		.hdr.dst_port = RTE_BE16(4789),
	};
	static const struct rte_flow_item_udp u_m = {
		.hdr.dst_port = RTE_BE16(0xffff),
	};
	static const struct rte_flow_item_vxlan vx = {
		.vni = { 0, 0, 100 },
	};
	static const struct rte_flow_item_tcp tcp = {
		.hdr.src_port = RTE_BE16(1234), .hdr.dst_port = RTE_BE16(80),
	};
	static const struct rte_flow_item_tcp tcp_m = {
		.hdr.src_port = RTE_BE16(0xffff),
		.hdr.dst_port = RTE_BE16(0xff00), .hdr.tcp_flags = 0x07,
	};
	static const struct rte_flow_item_port_id pid = { .id = 6 };
	static const struct rte_flow_action_of_set_vlan_vid vid = {
		.vlan_vid = RTE_BE16(300),
	};
	static const struct rte_flow_action_of_set_vlan_pcp pcp = {
		.vlan_pcp = 7,
	};
	static const struct rte_flow_action_of_push_vlan push = {
		.ethertype = RTE_BE16(0x88a8),
	};
	static const struct rte_flow_action_set_ipv6 s6 = {
		.ipv6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x99 },
	};
	static const struct rte_flow_action_set_ipv4 s4 = {
		.ipv4_addr = IP4(100, 64, 0, 1),
	};
	static const struct rte_flow_action_set_mac sm = {
		.mac_addr = { 2, 0, 0, 0, 0, 0xfe },
	};
	static const struct rte_flow_action_ethdev rep = { .port_id = 7 };
	static const struct rte_flow_action_meter mtr = { .mtr_id = 3 };
	const struct rte_flow_attr prio = { .ingress = 1, .priority = 7 };
	const struct rte_flow_attr xfer = { .transfer = 1 };

	/* §7.2 tagged L2, NULL masks (the formatter uses the defaults) */
	fmt_parse(5, &ing, (const struct rte_flow_item[]){
			IT(ETH, &l2, &eth_full), IT(VLAN, &vl, NULL),
			IT(IPV6, &ip6, &ip6_dst_proto), IT(VXLAN, &vni0, NULL),
			IEND },
		  (const struct rte_flow_action[]){
			AC(COUNT, NULL), AC(OF_SET_VLAN_VID, &vid),
			AC(OF_SET_VLAN_PCP, &pcp), AC(PORT_ID, &to6), AEND });
	/* §7.3.1 encaps: plain IPv4 (TTL 64 written as the default),
	 * -tos-ttl, -with-vlan over IPv6 */
	fmt_parse(5, &ing, (const struct rte_flow_item[]){
			IT(ETH, NULL, NULL), IT(IPV4, &ip4, &ip4_dst_proto),
			IT(VXLAN, &vni0, &vni_full), IEND },
		  (const struct rte_flow_action[]){
			AC(COUNT, NULL), AC(OF_POP_VLAN, NULL),
			AC(VXLAN_ENCAP, &encap4), AC(PORT_ID, &to4), AEND });
	fmt_parse(5, &prio, (const struct rte_flow_item[]){
			IT(ETH, NULL, NULL), IT(IPV4, &ip4, &ip4_dst_proto),
			IEND },
		  (const struct rte_flow_action[]){
			AC(SET_IPV4_SRC, &s4), AC(DEC_TTL, NULL),
			AC(VXLAN_ENCAP, &encap4_tos), AC(PORT_ID, &to4),
			AEND });
	fmt_parse(6, &ing, (const struct rte_flow_item[]){
			IT(ETH, NULL, NULL), IT(IPV6, &ip6, &ip6_dst_proto),
			IT(TCP, &tcp, &tcp_m), IEND },
		  (const struct rte_flow_action[]){
			AC(SET_MAC_SRC, &sm), AC(SET_IPV6_SRC, &s6),
			AC(VXLAN_ENCAP, &encap6_vlan), AC(PORT_ID, &to4),
			AEND });
	/* §7.3.2 standard layering, decap, QinQ push, to a representor by
	 * its ethdev port; a PORT_ID item; transfer */
	fmt_parse(4, &xfer, (const struct rte_flow_item[]){
			IT(PORT_ID, &pid, NULL), IT(ETH, NULL, NULL),
			IT(IPV4, &outer, &outer_m), IT(UDP, &u4789, &u_m),
			IT(VXLAN, &vx, NULL), IT(ETH, NULL, NULL),
			IT(IPV4, &ip4, NULL), IT(UDP, NULL, NULL), IEND },
		  (const struct rte_flow_action[]){
			AC(VXLAN_DECAP, NULL), AC(OF_PUSH_VLAN, &push),
			AC(METER, &mtr), AC(REPRESENTED_PORT, &rep), AEND });
}

NF_TEST(format_parse_mirror_acl)
{
	static const struct rte_flow_action_port_id to9 = { .id = 9 };
	const struct rte_flow_action local[] = { AC(PORT_ID, &to7), AEND };
	const struct rte_flow_action remote[] = {
		AC(VXLAN_ENCAP, &encap4_tos), AC(PORT_ID, &to4), AEND,
	};
	const struct rte_flow_action remote2[] = {
		AC(VXLAN_ENCAP, &encap6_vlan), AC(PORT_ID, &to9), AEND,
	};
	const struct rte_flow_action_sample s1 = {
		.ratio = 1, .actions = local,
	};
	const struct rte_flow_action_sample s2 = {
		.ratio = 4, .actions = remote,
	};
	const struct rte_flow_action_sample s3 = {
		.ratio = 1, .actions = remote2,
	};
	const struct rte_flow_action_modify_field dscp = {
		.operation = RTE_FLOW_MODIFY_SET,
		.dst = { .field = RTE_FLOW_FIELD_IPV6_DSCP },
		.src = { .field = RTE_FLOW_FIELD_VALUE, .value = { 0x2e } },
		.width = 6,
	};
	static const struct rte_flow_item_icmp icmp = {
		.hdr.icmp_type = 8, .hdr.icmp_code = 0,
	};
	static const struct rte_flow_item_tag tag = { .data = 5, .index = 1 };
	static const struct rte_flow_action_set_tag set_tag = {
		.data = 5, .index = 1, .mask = UINT32_MAX,
	};
	static const struct rte_flow_action_set_tag set_tag_m = {
		.data = 6, .index = 0, .mask = 0xff,
	};
	struct rte_flow_attr acl_in = { .ingress = 1, .group = 1 };
	struct rte_flow_attr acl_out = { .egress = 1, .group = 0 };

	/* §7.6: mirror to a local port, and two remote mirrors, one with
	 * the rule's own encap after them; an indirect COUNT; DSCP */
	fmt_parse(5, &ing, (const struct rte_flow_item[]){
			IT(ETH, NULL, NULL), IT(IPV4, NULL, NULL),
			IT(UDP, NULL, NULL), IEND },
		  (const struct rte_flow_action[]){
			{ .type = RTE_FLOW_ACTION_TYPE_INDIRECT,
			  .conf = (void *)0x40 },
			AC(SAMPLE, &s1), AC(SAMPLE, &s2), AC(SAMPLE, &s3),
			AC(MODIFY_FIELD, &dscp), AC(VXLAN_ENCAP, &encap4),
			AC(PORT_ID, &to4), AEND });
	/* §7.8 ACL: ICMP, SET_TAG (full and partial mask), egress TAG with
	 * two indirect COUNTs */
	rte_pmd_snic_flow_type_set(&acl_in, RTE_PMD_SNIC_FLOW_TYPE_ACL);
	rte_pmd_snic_flow_type_set(&acl_out, RTE_PMD_SNIC_FLOW_TYPE_ACL);
	fmt_parse(5, &acl_in, (const struct rte_flow_item[]){
			IT(ETH, NULL, NULL), IT(IPV4, NULL, NULL),
			IT(ICMP, &icmp, NULL), IEND },
		  (const struct rte_flow_action[]){
			AC(SET_TAG, &set_tag), AC(COUNT, NULL), AEND });
	fmt_parse(5, &acl_in, (const struct rte_flow_item[]){
			IT(ETH, NULL, NULL), IEND },
		  (const struct rte_flow_action[]){
			AC(SET_TAG, &set_tag_m), AC(DROP, NULL), AEND });
	fmt_parse(6, &acl_out, (const struct rte_flow_item[]){
			IT(TAG, &tag, NULL), IEND },
		  (const struct rte_flow_action[]){
			{ .type = RTE_FLOW_ACTION_TYPE_INDIRECT,
			  .conf = (void *)0x10 },
			{ .type = RTE_FLOW_ACTION_TYPE_INDIRECT,
			  .conf = (void *)0x20 },
			AC(COUNT, NULL), AEND });
}

/* ------------------------------------------------------------ errors */

struct err_case {
	const char *text;
	const char *msg;
};

NF_TEST(errors)
{
	static const struct err_case cases[] = {
		{ "flow create 4 pattern eth / ipv4 foo is 1 / end actions "
		  "drop / end",
		  "pattern item 2 'ipv4': unknown field 'foo'" },
		{ "flow create 4 pattern eth / ipv5 / end actions drop / end",
		  "pattern item 2: unknown item 'ipv5'" },
		{ "flow create 4 pattern eth / end actions count / port_id / "
		  "end", "action 2 'port_id': needs 'id'" },
		{ "flow create 4 pattern eth / end actions port_id id x / end",
		  "action 1 'port_id': bad value 'x' for 'id' (0..4294967295)" },
		{ "flow create 4 pattern eth / end actions queue index 65536 / "
		  "end",
		  "action 1 'queue': bad value '65536' for 'index' (0..65535)" },
		{ "flow create 4 pattern udp dst is 65536 / end actions drop / "
		  "end",
		  "pattern item 1 'udp': bad value '65536' for field 'dst' "
		  "(0..65535)" },
		{ "flow create 4 pattern vlan vid is 4096 / end actions drop / "
		  "end",
		  "pattern item 1 'vlan': bad value '4096' for field 'vid' "
		  "(0..4095)" },
		{ "flow create 4 pattern ipv4 src is 10.0.0.300 / end actions "
		  "drop / end",
		  "pattern item 1 'ipv4': bad IPv4 address '10.0.0.300' for "
		  "field 'src'" },
		{ "flow create 4 pattern eth dst is 02:00:00 / end actions drop "
		  "/ end",
		  "pattern item 1 'eth': bad MAC address '02:00:00' for field "
		  "'dst'" },
		{ "flow create 4 pattern ipv4 src 1.2.3.4 / end actions drop / "
		  "end",
		  "pattern item 1 'ipv4': field 'src' needs is, spec, last, "
		  "mask or prefix" },
		{ "flow create 4 pattern ipv4 src is / end actions drop / end",
		  "pattern item 1 'ipv4': field 'src' needs a value after 'is'" },
		{ "flow create 4 pattern ipv4 src prefix 33 / end actions drop "
		  "/ end",
		  "pattern item 1 'ipv4': bad prefix '33' for field 'src' "
		  "(0..32)" },
		{ "flow create 4 pattern eth / ipv4", "pattern: missing 'end'" },
		{ "flow create 4 pattern eth / end", "flow create: missing "
		  "'actions' after the pattern's 'end'" },
		{ "flow create 4 pattern eth / end actions drop /",
		  "actions: missing 'end'" },
		{ "flow create 4 pattern eth / end actions drop / end extra",
		  "flow create: unexpected 'extra' after the actions' 'end'" },
		{ "flow create 4 reserved 3 pattern eth / end actions drop / "
		  "end", "flow create: unknown attribute 'reserved'" },
		{ "flow create 4 group x pattern end actions drop / end",
		  "flow create: 'group' needs a number, got 'x'" },
		{ "flow create 4 ingress actions drop / end",
		  "flow create: missing 'pattern'" },
		{ "flow create port4 pattern end actions drop / end",
		  "flow create: needs a port number, got 'port4'" },
		{ "pattern eth / end actions drop / end",
		  "statement 1: unknown command 'pattern eth'" },
		{ "set vxlan ip-version ipv4 vni 1; flow create 4 pattern end "
		  "actions drop / end", "set vxlan: needs 'udp-src'" },
		{ "set vxlan ip-version ipv4 vni 1 udp-src 0 udp-dst 4789 ip-src "
		  "10.0.0.300 ip-dst 1.1.1.1 eth-src 02:00:00:00:00:01 eth-dst "
		  "02:00:00:00:00:02; flow create 4 pattern end actions drop / "
		  "end",
		  "set vxlan: bad IPv4 address '10.0.0.300' for 'ip-src'" },
		{ "set vxlan-with-vlan ip-version ipv4 vni 1 udp-src 0 udp-dst "
		  "4789 ip-src 1.1.1.1 ip-dst 1.1.1.1 eth-src 02:00:00:00:00:01 "
		  "eth-dst 02:00:00:00:00:02; flow create 4 pattern end actions "
		  "drop / end", "set vxlan-with-vlan: needs 'vlan-tci'" },
		{ "flow create 4 pattern end actions vxlan_encap / port_id id 1 "
		  "/ end",
		  "action 1 'vxlan_encap': no definition: give one inline or in "
		  "a preceding 'set vxlan'" },
		{ "flow create 4 pattern end actions vxlan_encap ip-version ipv7 "
		  "vni 1 udp-src 0 udp-dst 1 ip-src 1.1.1.1 ip-dst 1.1.1.1 "
		  "eth-src 02:00:00:00:00:01 eth-dst 02:00:00:00:00:01 / end",
		  "action 1 'vxlan_encap': 'ip-version' is ipv4 or ipv6, not "
		  "'ipv7'" },
		{ "flow create 4 pattern end actions vxlan_encap vni 16777216 / "
		  "end", "action 1 'vxlan_encap': needs 'ip-version'" },
		{ "flow create 4 pattern end actions sample ratio 1 index 2 / "
		  "end", "action 1 'sample': no 'set sample_actions 2' before" },
		{ "flow create 4 pattern end actions sample ratio 1 / end",
		  "action 1 'sample': needs 'index'" },
		{ "set sample_actions 0 port_id / end; flow create 4 pattern end "
		  "actions drop / end",
		  "set sample_actions 0: action 1 'port_id': needs 'id'" },
		{ "set sample_actions 0 sample index 0 / end; flow create 4 "
		  "pattern end actions drop / end",
		  "set sample_actions 0: action 1 'sample': not allowed here" },
		{ "set sample_actions 32 drop / end",
		  "set sample_actions: needs an index 0..31, got '32'" },
		{ "flow create 4 pattern end actions indirect 3 / end",
		  "action 1 'indirect': no indirect action 3" },
		{ "flow create 4 pattern end actions indirect / end",
		  "action 1 'indirect': needs an action id" },
		{ "flow create 4 pattern end actions count foo 1 / end",
		  "action 1 'count': unknown parameter 'foo'" },
		{ "flow create 4 pattern end actions jump / end",
		  "action 1 'jump': needs 'group'" },
		{ "flow create 4 pattern end actions set_ipv6_src ipv6_addr "
		  "1.2.3.4 / end",
		  "action 1 'set_ipv6_src': bad IPv6 address '1.2.3.4' for "
		  "'ipv6_addr'" },
		{ "flow create 4 pattern end actions rss queues 1 2 / end",
		  "action 1 'rss': 'queues' list needs 'end'" },
		{ "flow create 4 pattern end actions rss types ipv9 end / end",
		  "action 1 'rss': unknown type 'ipv9'" },
		{ "flow create 4 pattern end actions modify_field op set width 6 "
		  "/ end", "action 1 'modify_field': needs 'dst_type'" },
		{ "flow create 4 pattern end actions fly / end",
		  "action 1: unknown action 'fly'" },
		{ "flow create 4 pattern end actions drop / end; flow create 5 "
		  "pattern end actions drop / end", "statement 2: a second rule" },
		{ "set vxlan ip-version ipv4", "set vxlan: needs 'vni'" },
		{ "", "no 'flow create' rule" },
		{ " ; ; ", "no 'flow create' rule" },
		{ "flow indirect_action 4 create action_id 1 ingress action "
		  "count / end", "no 'flow create' rule" },
		{ "flow indirect_action 4 create action_id 1 ingress action "
		  "count end", "flow indirect_action: action 1 'count': unknown "
		  "parameter 'end'" },
		{ "flow indirect_action 4 destroy action_id 1",
		  "flow indirect_action: only 'create' is accepted" },
		/* what snic_flow_cmd_format cannot express is refused */
		{ "flow create 3 <flow type 1> ingress pattern eth / end "
		  "actions drop / end",
		  "flow create: unknown attribute '<flow'" },
		{ "flow create 3 ingress pattern <snic_tunnel> / eth / end "
		  "actions drop / end",
		  "pattern item 1: unknown item '<snic_tunnel>'" },
		{ "flow create 3 ingress pattern eth / end actions "
		  "<snic_tunnel_set> / drop / end",
		  "action 1: unknown action '<snic_tunnel_set>'" },
		{ "flow create 4 pattern end actions drop / end",
		  NULL /* control: accepted */ },
	};

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct nf_flowcmd_rule *r = (void *)1;
		char err[256];
		int rc = nf_flowcmd_parse(cases[i].text, NULL, &r, err,
					  sizeof(err));

		if (cases[i].msg == NULL) {
			NF_CHECK_EQ(rc, 0);
			nf_flowcmd_free(r);
			continue;
		}
		NF_CHECK_EQ(rc, -EINVAL);
		NF_CHECK(r == NULL);
		NF_CHECK(strcmp(err, cases[i].msg) == 0);
		if (strcmp(err, cases[i].msg) != 0)
			fprintf(stderr, "case %u\n  got:  %s\n  want: %s\n", i,
				err, cases[i].msg);
	}
}

static int
failing_resolver(void *arg, uint16_t port, uint32_t id,
		 const struct rte_flow_action *def,
		 struct rte_flow_action_handle **h)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(port);
	RTE_SET_USED(id);
	RTE_SET_USED(def);
	RTE_SET_USED(h);
	return -ENOSPC;
}

NF_TEST(errors_resolver_and_truncation)
{
	const struct nf_flowcmd_opts o = {
		.port = -1, .indirect = failing_resolver,
	};
	struct nf_flowcmd_rule *r;
	char err[256], small[8];
	int rc;

	rc = nf_flowcmd_parse("flow create 4 pattern end actions count / "
			      "indirect 2 / end", &o, &r, err, sizeof(err));
	NF_CHECK_EQ(rc, -ENOSPC);
	NF_CHECK(strcmp(err, "action 2 'indirect': action 2: "
			"No space left on device") == 0);
	/* a short buffer is truncated, never overrun; NULL err is fine */
	rc = nf_flowcmd_parse("flow create 4 pattern foo / end", NULL, &r,
			      small, sizeof(small));
	NF_CHECK_EQ(rc, -EINVAL);
	NF_CHECK(strcmp(small, "pattern") == 0);
	NF_CHECK_EQ(nf_flowcmd_parse("flow create 4 pattern foo / end", NULL,
				     &r, NULL, 0), -EINVAL);
	NF_CHECK_EQ(nf_flowcmd_parse(NULL, NULL, &r, err, sizeof(err)),
		    -EINVAL);
	NF_CHECK_EQ(nf_flowcmd_parse("x", NULL, NULL, err, sizeof(err)),
		    -EINVAL);
}

/* Every prefix of valid inputs (cut anywhere, also inside a word): 0 or
 * -EINVAL with a message, never a crash, overread or leak (ASan). */
NF_TEST(truncated_inputs)
{
	static const char *const texts[] = {
		"set vxlan-tos-ttl ip-version ipv6 vni 99 udp-src 0 udp-dst 4789 "
		"ip-tos 16 ip-ttl 32 ip-src fd00::1 ip-dst fd00::2 eth-src "
		"02:aa:00:00:00:01 eth-dst 0a:00:00:00:00:09; set "
		"sample_actions 3 vxlan_encap / port_id id 4 / end; flow "
		"indirect_action 5 create action_id 2 ingress action count / "
		"end; flow create 5 group 1 priority 2 ingress pattern eth src "
		"is 02:00:00:00:00:01 has_vlan is 1 / vlan vid is 3 / ipv4 src "
		"spec 10.0.0.0 src prefix 8 tos last 4 / tcp flags mask 0x07 / "
		"vxlan vni is 0 / tag data is 1 index is 2 / end actions count "
		"identifier 1 / sample ratio 2 index 3 / indirect 2 / rss types "
		"ip end queues 0 1 end / modify_field op set dst_type ipv4_dscp "
		"src_type value src_value 2e width 6 / set_tag data 1 index 2 "
		"mask 3 / vxlan_encap ip-version ipv4 vni 1 udp-src 0 udp-dst "
		"4789 ip-src 1.1.1.1 ip-dst 2.2.2.2 eth-src 02:00:00:00:00:01 "
		"eth-dst 02:00:00:00:00:02 / port_id original 1 id 4 / end",
	};
	struct rte_flow_action_handle *h[3] = { NULL, NULL, (void *)8 };
	const struct nf_flowcmd_opts o = {
		.port = -1, .handles = h, .n_handles = 3,
	};

	for (unsigned int k = 0; k < RTE_DIM(texts); k++) {
		size_t len = strlen(texts[k]);
		unsigned int ok = 0;

		for (size_t cut = 0; cut <= len; cut++) {
			char *t = malloc(cut + 1); /* exact: ASan sees reads */
			struct nf_flowcmd_rule *r = NULL;
			char err[256] = "";
			int rc;

			memcpy(t, texts[k], cut);
			t[cut] = '\0';
			rc = nf_flowcmd_parse(t, &o, &r, err, sizeof(err));
			NF_CHECK(rc == 0 || rc == -EINVAL);
			NF_CHECK(rc == 0 ? r != NULL : r == NULL && err[0]);
			ok += rc == 0;
			nf_flowcmd_free(r);
			free(t);
		}
		NF_CHECK(ok >= 1); /* at least the whole text */
	}
}

/* Token-level mutations of a valid input (delete, duplicate, swap, replace
 * by a keyword of the grammar): never a crash, overread or leak. */
NF_TEST(mutated_inputs)
{
	static const char base[] =
		"set vxlan ip-version ipv4 vni 5 udp-src 0 udp-dst 4789 ip-src "
		"1.1.1.1 ip-dst 2.2.2.2 eth-src 02:00:00:00:00:01 eth-dst "
		"02:00:00:00:00:02 ; set sample_actions 1 vxlan_encap / port_id "
		"id 4 / end ; flow create 5 ingress pattern eth dst is "
		"02:00:00:00:00:02 / vlan vid spec 3 vid mask 0xfff / ipv6 src "
		"prefix 64 / udp dst is 53 / end actions sample index 1 / rss "
		"queues 1 end / set_ipv4_dst ipv4_addr 3.3.3.3 / indirect 0 / "
		"port_id id 4 / end";
	static const char *const words[] = {
		"/", "end", ";", "is", "spec", "mask", "last", "prefix", "eth",
		"ipv4", "vxlan_encap", "sample", "index", "pattern", "actions",
		"flow", "create", "set", "vxlan", "0", "65536", "0x", "::",
		"indirect", "types", "queues", "rss", "ratio",
	};
	struct rte_flow_action_handle *h[1] = { (void *)8 };
	const struct nf_flowcmd_opts o = {
		.port = 5, .handles = h, .n_handles = 1,
	};
	const char *tok[128];
	size_t len[128];
	unsigned int n = 0, ok = 0;
	uint32_t seed = 12345;
	const char *p = base;

	while (*p != '\0' && n < RTE_DIM(tok)) {
		while (*p == ' ')
			p++;
		tok[n] = p;
		while (*p != ' ' && *p != '\0')
			p++;
		len[n] = (size_t)(p - tok[n]);
		n++;
	}
	for (unsigned int iter = 0; iter < 3000; iter++) {
		char text[2048];
		size_t off = 0;
		unsigned int at, what;
		struct nf_flowcmd_rule *r = NULL;
		char err[256] = "";
		int rc;

		seed = seed * 1103515245 + 12345;
		at = (seed >> 8) % n;
		what = (seed >> 4) % 4;
		for (unsigned int i = 0; i < n; i++) {
			const char *w = tok[i];
			size_t l = len[i];

			if (i == at && what == 0)
				continue; /* delete */
			if (i == at && what == 3) { /* replace */
				w = words[(seed >> 16) % RTE_DIM(words)];
				l = strlen(w);
			}
			if (i == at && what == 2 && i + 1 < n) { /* swap */
				off += (size_t)snprintf(text + off,
					sizeof(text) - off, "%.*s ",
					(int)len[i + 1], tok[i + 1]);
			}
			off += (size_t)snprintf(text + off, sizeof(text) - off,
						"%.*s ", (int)l, w);
			if (i == at && what == 1) /* duplicate */
				off += (size_t)snprintf(text + off,
					sizeof(text) - off, "%.*s ", (int)l, w);
			if (i == at && what == 2 && i + 1 < n)
				i++;
		}
		rc = nf_flowcmd_parse(text, &o, &r, err, sizeof(err));
		NF_CHECK(rc == 0 || rc == -EINVAL);
		NF_CHECK(rc == 0 ? r != NULL : r == NULL && err[0]);
		ok += rc == 0;
		nf_flowcmd_free(r);
	}
	NF_CHECK(ok > 0 && ok < 3000);
}

/* ------------------------------------------------ validate on a snic */

/* Resolver creating the indirect COUNT the text defines. */
static struct rte_flow_action_handle *created[4];
static unsigned int n_created;

static int
snic_resolver(void *arg, uint16_t port, uint32_t id,
	      const struct rte_flow_action *def,
	      struct rte_flow_action_handle **h)
{
	const struct rte_flow_indir_action_conf conf = { .ingress = 1 };
	struct rte_flow_error err;

	RTE_SET_USED(arg);
	RTE_SET_USED(id);
	if (def == NULL || n_created == RTE_DIM(created))
		return -ENOENT;
	*h = rte_flow_action_handle_create(port, &conf, def, &err);
	if (*h == NULL)
		return -rte_errno;
	created[n_created++] = *h;
	return 0;
}

static void
validate_text(const char *fmt, ...)
{
	const struct nf_flowcmd_opts o = {
		.port = -1, .indirect = snic_resolver,
	};
	struct rte_flow_error err = { 0 };
	struct nf_flowcmd_rule *r;
	char text[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r = parse_ok(text, &o);
	if (r == NULL)
		return;
	rc = rte_flow_validate(r->port_id, &r->attr, r->pattern, r->actions,
			       &err);
	NF_CHECK_EQ(rc, 0);
	if (rc != 0)
		fprintf(stderr, "validate: %s\n  text: %s\n",
			err.message != NULL ? err.message : "?", text);
	nf_flowcmd_free(r);
}

NF_TEST(validate_on_snic)
{
	unsigned int up = env.port[0], vm1 = env.port[1], vm2 = env.port[2],
		     mir = env.port[3];
	struct rte_flow_error err;

	/* §7.2 */
	validate_text("flow create %u ingress pattern eth src is "
		      "02:00:00:00:00:01 dst is 02:00:00:00:00:02 type is 0x8100 "
		      "has_vlan is 1 / vlan tci is 100 inner_type is 0x0800 / "
		      "ipv4 dst is 10.0.0.2 proto is 6 / vxlan vni is 0 / end "
		      "actions count / of_set_vlan_vid vlan_vid 200 / "
		      "of_set_vlan_pcp vlan_pcp 3 / port_id id %u / end",
		      vm1, vm2);
	/* §7.3.1 with "set vxlan", and with the inline definition */
	validate_text("set vxlan ip-version ipv4 vni 5000 udp-src 0 udp-dst "
		      "4789 ip-src 192.168.1.1 ip-dst 192.168.1.2 eth-src "
		      "02:aa:00:00:00:01 eth-dst 02:aa:00:00:00:02; flow create "
		      "%u ingress pattern eth / ipv4 dst is 10.2.0.5 proto is 6 / "
		      "vxlan vni is 0 / end actions count / vxlan_encap / "
		      "port_id id %u / end", vm1, up);
	validate_text("flow create %u ingress pattern eth / ipv6 dst is fd02::5 "
		      "proto is 17 / vxlan vni is 0 / end actions count / "
		      "set_mac_src mac_addr 02:00:00:00:00:fe / vxlan_encap "
		      "ip-version ipv6 vni 6000 udp-src 0 udp-dst 4789 ip-src "
		      "2001:db8::1 ip-dst 2001:db8::2 vlan-tci 10 eth-src "
		      "02:aa:00:00:00:01 eth-dst 02:aa:00:00:00:02 / dec_ttl / "
		      "port_id id %u / dec_ttl / end", vm1, up);
	/* §7.3.2 / §7.5.2 */
	validate_text("flow create %u ingress pattern eth / ipv4 dst is "
		      "10.0.0.1 proto is 17 / vxlan vni is 5000 / end actions "
		      "vxlan_decap / count / of_push_vlan ethertype 0x8100 / "
		      "of_set_vlan_vid vlan_vid 100 / port_id id %u / end",
		      up, vm1);
	/* §7.4 */
	validate_text("flow create %u ingress pattern eth dst is "
		      "02:00:00:00:00:fe / ipv4 dst is 10.1.0.4 proto is 6 / "
		      "vxlan vni is 0 / end actions count / set_mac_src mac_addr "
		      "02:00:00:00:00:fe / set_mac_dst mac_addr "
		      "02:00:00:00:00:04 / set_ipv4_src ipv4_addr 192.168.100.1 "
		      "/ dec_ttl / port_id id %u / end", vm1, vm2);
	/* §7.6 local and remote mirror */
	validate_text("set sample_actions 0 port_id id %u / end; flow create "
		      "%u ingress pattern eth / ipv4 dst is 10.0.0.2 proto is 17 "
		      "/ udp / end actions count / port_id id %u / sample ratio "
		      "1 index 0 / end", mir, vm1, vm2);
	validate_text("set vxlan ip-version ipv4 vni 99 udp-src 0 udp-dst 4789 "
		      "ip-src 192.168.1.1 ip-dst 172.16.0.9 eth-src "
		      "02:aa:00:00:00:01 eth-dst 0a:00:00:00:00:09; set "
		      "sample_actions 1 vxlan_encap / port_id id %u / end; flow "
		      "create %u ingress pattern eth / ipv4 dst is 10.0.0.2 "
		      "proto is 17 / udp / end actions count / port_id id %u / "
		      "sample index 1 / end", up, vm1, vm2);
	/* §7.7 */
	validate_text("flow create %u priority 2 ingress pattern eth / ipv4 "
		      "proto is 6 dst is 10.0.0.60 / tcp dst is 80 flags spec "
		      "0x00 flags mask 0x07 / end actions count / port_id id %u "
		      "/ end", vm1, vm2);
	validate_text("flow create %u ingress pattern eth / ipv4 dst is "
		      "10.0.0.61 proto is 17 / udp / end actions drop / end",
		      vm1);
	/* §7.8: ACL through the alias; egress TAG with an indirect COUNT
	 * the resolver creates from the text's definition; QUEUE 0 */
	validate_text("flow create %u group 1000 ingress pattern eth / ipv4 src "
		      "is 192.0.2.7 / vxlan / end actions count / set_tag data 7 "
		      "index 1 / end", vm1);
	validate_text("flow indirect_action %u create action_id 0 ingress "
		      "action count / end; flow create %u group 1001 egress "
		      "pattern tag data is 7 index is 1 / end actions indirect 0 "
		      "/ queue index 0 / end", vm2, vm2);
	NF_CHECK_EQ(n_created, 1);
	for (unsigned int i = 0; i < n_created; i++)
		NF_CHECK_EQ(rte_flow_action_handle_destroy(vm2, created[i],
							   &err), 0);
	/* the PMD refuses what it must: proving validate really ran */
	{
		struct nf_flowcmd_rule *r = parse_ok("flow create 0 egress "
			"pattern eth / end actions drop / end", NULL);

		if (r != NULL) {
			r->port_id = (uint16_t)vm1;
			NF_CHECK(rte_flow_validate(r->port_id, &r->attr,
				 r->pattern, r->actions, &err) != 0);
			nf_flowcmd_free(r);
		}
	}
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(tpl_l2_same_node), NF_CASE(tpl_l2_cross_node_egress),
		NF_CASE(tpl_l2_cross_node_ingress), NF_CASE(tpl_l3_same_node),
		NF_CASE(tpl_l3_cross_node), NF_CASE(tpl_mirror),
		NF_CASE(tpl_security_groups), NF_CASE(tpl_acl),
		NF_CASE(spec_mask_semantics),
		NF_CASE(format_parse_forwarding),
		NF_CASE(format_parse_mirror_acl),
		NF_CASE(errors), NF_CASE(errors_resolver_and_truncation),
		NF_CASE(truncated_inputs), NF_CASE(mutated_inputs),
		NF_CASE(validate_on_snic),
	};

	return snic_env_main(snic_env_eal_init("test_flowcmd"), &env,
			     "net_snic_fc", 3, NULL, cases, RTE_DIM(cases),
			     NULL);
}
