/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Installed rule → item and action arrays (spec §8.7, N-13).
 *
 * The rebuilt rule is in the PMD's canonical layout and parses back
 * (snic_items_parse / snic_actions_parse on the rule's port, same type) to
 * the same match and the same compiled actions. Items (copied into
 * docs/snic.md "Dump"):
 *
 *   [PORT_ID] ETH VLAN IPV4|IPV6 VXLAN TCP|UDP|ICMP TAG OUTER_IPV4|6 END
 *
 * in the spec layout (N-8), each emitted only when the rule matches
 * something of it, with explicit masks (never NULL):
 *  - PORT_ID: when the ingress port matched is not the rule's own port
 *    (forwarding rules) or is matched at all (ACL rules).
 *  - ETH also carries the VLAN-presence flag (has_vlan).
 *  - VXLAN comes right after the IP item, not after the L4 item: "UDP /
 *    VXLAN" would read as standard layering. Not tunnelled: vni 0 with a
 *    full vni mask. Tunnelled: vni/rsvd0 as matched.
 *  - A VLAN item whose spec would be all zero (tci matched as 0) gets
 *    has_more_vlan = 1 in its spec (mask 0) so it is not read as the
 *    spec's all-zero "no VLAN" placeholder.
 *  - The L4 item appears when its fields are matched, or, without IP item,
 *    to carry the IP protocol it implies.
 * One rule cannot be written in the spec layout: a tunnelled packet with
 * VNI 0 (spec layout reads vni 0 as "not tunnelled"). It is dumped in
 * standard layering: [PORT_ID] UDP VXLAN ETH VLAN IP L4 TAG OUTER END, the
 * outer UDP matching nothing.
 *
 * Actions: METER, COUNT, INDIRECT, SAMPLE, VXLAN_DECAP, OF_POP_VLAN,
 * SET_MAC_SRC, SET_MAC_DST, SET_IPV4|6_SRC, SET_IPV4|6_DST, DEC_TTL,
 * MODIFY_FIELD (DSCP, then VXLAN_RSVD0), OF_PUSH_VLAN, OF_SET_VLAN_VID, OF_SET_VLAN_PCP,
 * VXLAN_ENCAP, SET_TAG, then the fate (PORT_ID, DROP or SNIC_UPCALL), END.
 * Encap definitions are rebuilt from the header bytes (UDP source port 0
 * when it is hashed, N-7). A DSCP rewrite is dumped as IPV6_DSCP when the
 * rule named it (SNIC_A_SET_IP6) or the pattern matches IPv6, else
 * IPV4_DSCP.
 *
 * Everything of one rule lives in one struct snic_dump_buf (one calloc).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_flow.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "snic.h"

#define SNIC_DUMP_ITEMS 12   /* at most 10 used */
#define SNIC_DUMP_ACTIONS 24 /* at most 20 used */

/* A VXLAN_ENCAP action's definition. */
struct snic_dump_encap {
	struct rte_flow_item items[6];
	struct rte_flow_item_eth eth;
	struct rte_flow_item_vlan vlan;
	struct rte_flow_item_ipv4 ipv4;
	struct rte_flow_item_ipv6 ipv6;
	struct rte_flow_item_udp udp;
	struct rte_flow_item_vxlan vxlan;
	struct rte_flow_action_vxlan_encap conf;
};

/* One dumped rule; [0] is an item's spec, [1] its mask. */
struct snic_dump_buf {
	unsigned int n_items;
	unsigned int n_actions;
	struct rte_flow_item items[SNIC_DUMP_ITEMS];
	struct rte_flow_action actions[SNIC_DUMP_ACTIONS];
	struct rte_flow_item_port_id port_id[2];
	struct rte_flow_item_udp outer_udp[2];
	struct rte_flow_item_eth eth[2];
	struct rte_flow_item_vlan vlan[2];
	struct rte_flow_item_ipv4 ipv4[2];
	struct rte_flow_item_ipv6 ipv6[2];
	struct rte_flow_item_vxlan vxlan[2];
	struct rte_flow_item_tcp tcp[2];
	struct rte_flow_item_udp udp[2];
	struct rte_flow_item_icmp icmp[2];
	struct rte_flow_item_tag tag[2];
	struct rte_flow_item_ipv4 outer4[2];
	struct rte_flow_item_ipv6 outer6[2];
	struct rte_flow_action_sample sample;
	struct rte_flow_action_meter meter;
	struct rte_flow_action sample_actions[3];
	struct rte_flow_action_port_id sample_port;
	struct snic_dump_encap sample_encap;
	struct rte_flow_action_set_mac mac_src;
	struct rte_flow_action_set_mac mac_dst;
	struct rte_flow_action_set_ipv4 ip4_src;
	struct rte_flow_action_set_ipv4 ip4_dst;
	struct rte_flow_action_set_ipv6 ip6_src;
	struct rte_flow_action_set_ipv6 ip6_dst;
	struct rte_flow_action_modify_field mod_dscp;
	struct rte_flow_action_modify_field mod_rsvd0;
	struct rte_flow_action_of_push_vlan push;
	struct rte_flow_action_of_set_vlan_vid vid;
	struct rte_flow_action_of_set_vlan_pcp pcp;
	struct snic_dump_encap encap;
	struct rte_flow_action_set_tag set_tag;
	struct rte_flow_action_port_id port;
};

static void
snic_dump_item(struct snic_dump_buf *b, enum rte_flow_item_type type,
	       const void *spec, const void *mask)
{
	struct rte_flow_item *it = &b->items[b->n_items++];

	RTE_ASSERT(b->n_items <= SNIC_DUMP_ITEMS);
	it->type = type;
	it->spec = spec;
	it->mask = mask;
	it->last = NULL;
}

static void
snic_dump_action(struct snic_dump_buf *b, enum rte_flow_action_type type,
		 const void *conf)
{
	struct rte_flow_action *a = &b->actions[b->n_actions++];

	RTE_ASSERT(b->n_actions <= SNIC_DUMP_ACTIONS);
	a->type = type;
	a->conf = conf;
}

/* ------------------------------------------------------------ items */

static void
snic_dump_l2(struct snic_dump_buf *b, const struct snic_match *m)
{
	const struct nf_flow_key *k = &m->key;
	const struct nf_flow_key *mk = &m->mask;
	struct rte_flow_item_vlan *vs = &b->vlan[0];
	struct rte_flow_item_vlan *vm = &b->vlan[1];

	if (!rte_is_zero_ether_addr(&mk->dst_mac) ||
	    !rte_is_zero_ether_addr(&mk->src_mac) || mk->eth_type != 0 ||
	    (mk->flags & NF_KEY_F_VLAN)) {
		b->eth[0].dst = k->dst_mac;
		b->eth[0].src = k->src_mac;
		b->eth[0].type = k->eth_type;
		b->eth[1].dst = mk->dst_mac;
		b->eth[1].src = mk->src_mac;
		b->eth[1].type = mk->eth_type;
		if (mk->flags & NF_KEY_F_VLAN) {
			b->eth[0].has_vlan = !!(k->flags & NF_KEY_F_VLAN);
			b->eth[1].has_vlan = 1;
		}
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_ETH, &b->eth[0],
			       &b->eth[1]);
	}
	if (mk->vlan_tci == 0 && mk->inner_type == 0)
		return;
	vs->tci = k->vlan_tci;
	vs->inner_type = k->inner_type;
	vm->tci = mk->vlan_tci;
	vm->inner_type = mk->inner_type;
	/* Not the spec layout's all-zero placeholder (mask 0: no effect). */
	if (vs->tci == 0 && vs->inner_type == 0)
		vs->has_more_vlan = 1;
	snic_dump_item(b, RTE_FLOW_ITEM_TYPE_VLAN, vs, vm);
}

/* Returns true when an IP item was emitted. */
static bool
snic_dump_l3(struct snic_dump_buf *b, const struct snic_match *m)
{
	const struct nf_flow_key *k = &m->key;
	const struct nf_flow_key *mk = &m->mask;
	uint8_t fl = k->flags & mk->flags;

	if (fl & NF_KEY_F_IPV4) {
		struct rte_ipv4_hdr *s = &b->ipv4[0].hdr;
		struct rte_ipv4_hdr *e = &b->ipv4[1].hdr;

		memcpy(&s->src_addr, k->src_ip, 4);
		memcpy(&s->dst_addr, k->dst_ip, 4);
		memcpy(&e->src_addr, mk->src_ip, 4);
		memcpy(&e->dst_addr, mk->dst_ip, 4);
		s->next_proto_id = k->ip_proto;
		e->next_proto_id = mk->ip_proto;
		s->type_of_service = k->tos;
		e->type_of_service = mk->tos;
		/* Only "not a fragment" is expressible for IPv4. */
		if (mk->flags & NF_KEY_F_FRAG)
			e->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
						      RTE_IPV4_HDR_OFFSET_MASK);
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_IPV4, &b->ipv4[0],
			       &b->ipv4[1]);
		return true;
	}
	if (fl & NF_KEY_F_IPV6) {
		struct rte_flow_item_ipv6 *s = &b->ipv6[0];
		struct rte_flow_item_ipv6 *e = &b->ipv6[1];

		memcpy(s->hdr.src_addr, k->src_ip, 16);
		memcpy(s->hdr.dst_addr, k->dst_ip, 16);
		memcpy(e->hdr.src_addr, mk->src_ip, 16);
		memcpy(e->hdr.dst_addr, mk->dst_ip, 16);
		s->hdr.proto = k->ip_proto;
		e->hdr.proto = mk->ip_proto;
		s->hdr.vtc_flow = rte_cpu_to_be_32((uint32_t)k->tos <<
						   RTE_IPV6_HDR_TC_SHIFT);
		e->hdr.vtc_flow = rte_cpu_to_be_32((uint32_t)mk->tos <<
						   RTE_IPV6_HDR_TC_SHIFT);
		if (mk->flags & NF_KEY_F_FRAG) {
			s->has_frag_ext = !!(k->flags & NF_KEY_F_FRAG);
			e->has_frag_ext = 1;
		}
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_IPV6, s, e);
		return true;
	}
	return false;
}

static void
snic_dump_l4(struct snic_dump_buf *b, const struct snic_match *m,
	     bool ip_item)
{
	const struct nf_flow_key *k = &m->key;
	const struct nf_flow_key *mk = &m->mask;
	bool ports = mk->src_port != 0 || mk->dst_port != 0;

	/* TCP/UDP/ICMP items imply the protocol with a full mask. */
	if (mk->ip_proto != 0xff)
		return;
	switch (k->ip_proto) {
	case IPPROTO_TCP:
		if (!ports && mk->tcp_flags == 0 && ip_item)
			return;
		b->tcp[0].hdr.src_port = k->src_port;
		b->tcp[0].hdr.dst_port = k->dst_port;
		b->tcp[0].hdr.tcp_flags = k->tcp_flags;
		b->tcp[1].hdr.src_port = mk->src_port;
		b->tcp[1].hdr.dst_port = mk->dst_port;
		b->tcp[1].hdr.tcp_flags = mk->tcp_flags;
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_TCP, &b->tcp[0],
			       &b->tcp[1]);
		break;
	case IPPROTO_UDP:
		if (!ports && ip_item)
			return;
		b->udp[0].hdr.src_port = k->src_port;
		b->udp[0].hdr.dst_port = k->dst_port;
		b->udp[1].hdr.src_port = mk->src_port;
		b->udp[1].hdr.dst_port = mk->dst_port;
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_UDP, &b->udp[0],
			       &b->udp[1]);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (mk->icmp_type == 0 && mk->icmp_code == 0 && ip_item)
			return;
		b->icmp[0].hdr.icmp_type = k->icmp_type;
		b->icmp[0].hdr.icmp_code = k->icmp_code;
		b->icmp[1].hdr.icmp_type = mk->icmp_type;
		b->icmp[1].hdr.icmp_code = mk->icmp_code;
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_ICMP, &b->icmp[0],
			       &b->icmp[1]);
		break;
	default:
		break;
	}
}

static void
snic_dump_vxlan(struct snic_dump_buf *b, const struct snic_match *m)
{
	const struct nf_flow_key *k = &m->key;
	const struct nf_flow_key *mk = &m->mask;
	struct rte_flow_item_vxlan *s = &b->vxlan[0];
	struct rte_flow_item_vxlan *e = &b->vxlan[1];

	if (!(mk->flags & NF_KEY_F_TUNNEL))
		return;
	if (!(k->flags & NF_KEY_F_TUNNEL)) {
		/* Spec layout: vni 0 = not tunnelled. */
		memset(e->vni, 0xff, sizeof(e->vni));
	} else {
		memcpy(s->vni, &k->vni, 3);
		memcpy(e->vni, &mk->vni, 3);
		memcpy(s->rsvd0, (const uint8_t *)&k->vxlan_rsvd0 + 1, 3);
		memcpy(e->rsvd0, (const uint8_t *)&mk->vxlan_rsvd0 + 1, 3);
	}
	snic_dump_item(b, RTE_FLOW_ITEM_TYPE_VXLAN, s, e);
}

static void
snic_dump_meta(struct snic_dump_buf *b, const struct snic_match *m)
{
	const struct nf_flow_key *k = &m->key;
	const struct nf_flow_key *mk = &m->mask;

	if (mk->flags & NF_KEY_F_TAG) {
		b->tag[0].index = k->tag >> 8;
		b->tag[0].data = k->tag & 0xff;
		b->tag[1].index = mk->tag >> 8;
		b->tag[1].data = mk->tag & 0xff;
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_TAG, &b->tag[0],
			       &b->tag[1]);
	}
	if (!(mk->flags & NF_KEY_F_OUTER_V6))
		return;
	if (k->flags & NF_KEY_F_OUTER_V6) {
		memcpy(b->outer6[0].hdr.src_addr, k->outer_src, 16);
		memcpy(b->outer6[0].hdr.dst_addr, k->outer_dst, 16);
		memcpy(b->outer6[1].hdr.src_addr, mk->outer_src, 16);
		memcpy(b->outer6[1].hdr.dst_addr, mk->outer_dst, 16);
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_OUTER_IPV6,
			       &b->outer6[0], &b->outer6[1]);
	} else {
		memcpy(&b->outer4[0].hdr.src_addr, k->outer_src, 4);
		memcpy(&b->outer4[0].hdr.dst_addr, k->outer_dst, 4);
		memcpy(&b->outer4[1].hdr.src_addr, mk->outer_src, 4);
		memcpy(&b->outer4[1].hdr.dst_addr, mk->outer_dst, 4);
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_OUTER_IPV4,
			       &b->outer4[0], &b->outer4[1]);
	}
}

/* Tunnelled with VNI 0: only standard layering can say it. */
static bool
snic_dump_needs_std(const struct snic_match *m)
{
	const struct nf_flow_key *k = &m->key;
	const struct nf_flow_key *mk = &m->mask;

	return (mk->flags & k->flags & NF_KEY_F_TUNNEL) && mk->vni != 0 &&
	       (k->vni & mk->vni) == 0;
}

static int
snic_dump_items(struct snic_dump_buf *b, const struct rte_flow *f,
		const struct snic_match *m)
{
	const struct nf_flow_key *k = &m->key;
	bool std = snic_dump_needs_std(m);
	bool ip;

	if (m->mask.in_port != 0 && (f->type == RTE_PMD_SNIC_FLOW_TYPE_ACL ||
				     k->in_port != f->port->index)) {
		const struct snic_port *p = snic_port_get(f->port->sw,
							  k->in_port);

		if (p == NULL)
			return -ENODEV;
		b->port_id[0].id = p->port_id;
		b->port_id[1].id = UINT32_MAX;
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_PORT_ID, &b->port_id[0],
			       &b->port_id[1]);
	}
	if (std) {
		snic_dump_item(b, RTE_FLOW_ITEM_TYPE_UDP, &b->outer_udp[0],
			       &b->outer_udp[1]);
		snic_dump_vxlan(b, m);
	}
	snic_dump_l2(b, m);
	ip = snic_dump_l3(b, m);
	if (!std)
		snic_dump_vxlan(b, m);
	snic_dump_l4(b, m, ip);
	snic_dump_meta(b, m);
	snic_dump_item(b, RTE_FLOW_ITEM_TYPE_END, NULL, NULL);
	return 0;
}

/* ------------------------------------------------------------ actions */

/* Encap header bytes → ETH / [VLAN] / IPV4|IPV6 / UDP / VXLAN / END. */
static const struct rte_flow_action_vxlan_encap *
snic_dump_encap_def(struct snic_dump_encap *d, const struct snic_encap *e)
{
	struct rte_flow_item *it = d->items;
	struct rte_ether_hdr eh;

	memcpy(&eh, e->hdr, sizeof(eh));
	d->eth.dst = eh.dst_addr;
	d->eth.src = eh.src_addr;
	d->eth.type = eh.ether_type;
	it->type = RTE_FLOW_ITEM_TYPE_ETH;
	(it++)->spec = &d->eth;
	if (e->l3_off > sizeof(eh)) {
		struct rte_vlan_hdr vh;

		memcpy(&vh, e->hdr + sizeof(eh), sizeof(vh));
		d->eth.has_vlan = 1;
		d->vlan.tci = vh.vlan_tci;
		d->vlan.inner_type = vh.eth_proto;
		it->type = RTE_FLOW_ITEM_TYPE_VLAN;
		(it++)->spec = &d->vlan;
	}
	if (e->ipv6) {
		memcpy(&d->ipv6.hdr, e->hdr + e->l3_off, sizeof(d->ipv6.hdr));
		it->type = RTE_FLOW_ITEM_TYPE_IPV6;
		(it++)->spec = &d->ipv6;
	} else {
		memcpy(&d->ipv4.hdr, e->hdr + e->l3_off, sizeof(d->ipv4.hdr));
		it->type = RTE_FLOW_ITEM_TYPE_IPV4;
		(it++)->spec = &d->ipv4;
	}
	memcpy(&d->udp.hdr, e->hdr + e->l4_off, sizeof(d->udp.hdr));
	if (e->hash_sport)
		d->udp.hdr.src_port = 0; /* N-7: "hash it" */
	it->type = RTE_FLOW_ITEM_TYPE_UDP;
	(it++)->spec = &d->udp;
	memcpy(&d->vxlan, e->hdr + e->l4_off + sizeof(struct rte_udp_hdr),
	       sizeof(struct rte_vxlan_hdr));
	it->type = RTE_FLOW_ITEM_TYPE_VXLAN;
	(it++)->spec = &d->vxlan;
	it->type = RTE_FLOW_ITEM_TYPE_END;
	d->conf.definition = d->items;
	return &d->conf;
}

static int
snic_dump_sample(struct snic_dump_buf *b, const struct snic_switch *sw,
		 const struct snic_sample *s)
{
	const struct snic_port *p = snic_port_get(sw, s->out_port);
	struct rte_flow_action *sa = b->sample_actions;

	if (p == NULL)
		return -ENODEV;
	if (s->encap != NULL) {
		sa->type = RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP;
		(sa++)->conf = snic_dump_encap_def(&b->sample_encap, s->encap);
	}
	b->sample_port.id = p->port_id;
	sa->type = RTE_FLOW_ACTION_TYPE_PORT_ID;
	(sa++)->conf = &b->sample_port;
	sa->type = RTE_FLOW_ACTION_TYPE_END;
	b->sample.ratio = s->ratio;
	b->sample.actions = b->sample_actions;
	snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SAMPLE, &b->sample);
	return 0;
}

static void
snic_dump_modify(struct snic_dump_buf *b,
		 struct rte_flow_action_modify_field *mf,
		 enum rte_flow_field_id field, const struct snic_modify *md,
		 unsigned int bits)
{
	unsigned int nb = (bits + 7) / 8;

	mf->operation = md->op;
	mf->dst.field = field;
	mf->dst.offset = md->offset;
	mf->src.field = RTE_FLOW_FIELD_VALUE;
	/* Big-endian in the field's bytes, as snic_actions_parse reads. */
	for (unsigned int i = 0; i < nb; i++)
		mf->src.value[nb - 1 - i] = (uint8_t)(md->value >> (8 * i));
	mf->width = md->width;
	snic_dump_action(b, RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, mf);
}

/* Rewrites, in datapath order (snic.h SNIC_A_*). */
static void
snic_dump_rewrites(struct snic_dump_buf *b, const struct snic_actions *a,
		   const struct snic_match *m)
{
	const struct snic_rewrite *rw = a->rw;
	bool v6 = a->flags & SNIC_A_SET_IP6;

	if (a->flags & SNIC_A_DECAP)
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	if (a->flags & SNIC_A_POP_VLAN)
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, NULL);
	if (a->flags & SNIC_A_SET_MAC_SRC) {
		memcpy(b->mac_src.mac_addr, &rw->mac_src, RTE_ETHER_ADDR_LEN);
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC,
				 &b->mac_src);
	}
	if (a->flags & SNIC_A_SET_MAC_DST) {
		memcpy(b->mac_dst.mac_addr, &rw->mac_dst, RTE_ETHER_ADDR_LEN);
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SET_MAC_DST,
				 &b->mac_dst);
	}
	if ((a->flags & SNIC_A_SET_IP_SRC) && v6) {
		memcpy(b->ip6_src.ipv6_addr, rw->ip_src, 16);
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC,
				 &b->ip6_src);
	} else if (a->flags & SNIC_A_SET_IP_SRC) {
		memcpy(&b->ip4_src.ipv4_addr, rw->ip_src, 4);
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC,
				 &b->ip4_src);
	}
	if ((a->flags & SNIC_A_SET_IP_DST) && v6) {
		memcpy(b->ip6_dst.ipv6_addr, rw->ip_dst, 16);
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SET_IPV6_DST,
				 &b->ip6_dst);
	} else if (a->flags & SNIC_A_SET_IP_DST) {
		memcpy(&b->ip4_dst.ipv4_addr, rw->ip_dst, 4);
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SET_IPV4_DST,
				 &b->ip4_dst);
	}
	if (a->flags & SNIC_A_DEC_TTL)
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	/* IPV6_DSCP sets SNIC_A_SET_IP6; a pattern's IP version agrees. */
	v6 = v6 || (m->key.flags & m->mask.flags & NF_KEY_F_IPV6);
	if (a->flags & SNIC_A_MOD_DSCP)
		snic_dump_modify(b, &b->mod_dscp,
				 v6 ? RTE_FLOW_FIELD_IPV6_DSCP :
				      RTE_FLOW_FIELD_IPV4_DSCP, &rw->dscp, 6);
	if (a->flags & SNIC_A_MOD_RSVD0)
		snic_dump_modify(b, &b->mod_rsvd0, RTE_FLOW_FIELD_VXLAN_RSVD0,
				 &rw->rsvd0, 24);
}

/* Rewrites applied last (SNIC_A_PUSH_VLAN .. SNIC_A_SET_TAG). */
static void
snic_dump_late(struct snic_dump_buf *b, const struct snic_actions *a)
{
	const struct snic_rewrite *rw = a->rw;

	if (a->flags & SNIC_A_PUSH_VLAN) {
		b->push.ethertype = rw->push_tpid;
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN,
				 &b->push);
	}
	if (a->flags & SNIC_A_SET_VID) {
		b->vid.vlan_vid = rte_cpu_to_be_16(rw->vid);
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID,
				 &b->vid);
	}
	if (a->flags & SNIC_A_SET_PCP) {
		b->pcp.vlan_pcp = rw->pcp;
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP,
				 &b->pcp);
	}
	if ((a->flags & SNIC_A_ENCAP) && rw->encap != NULL)
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP,
				 snic_dump_encap_def(&b->encap, rw->encap));
	if (a->flags & SNIC_A_SET_TAG) {
		b->set_tag.index = a->tag >> 8;
		b->set_tag.data = a->tag & 0xff;
		b->set_tag.mask = 0xff;
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SET_TAG, &b->set_tag);
	}
}

static int
snic_dump_actions(struct snic_dump_buf *b, const struct rte_flow *f,
		  const struct snic_match *m)
{
	const struct snic_actions *a = &f->act;
	const struct snic_switch *sw = f->port->sw;
	int ret;

	/* Every rewrite flag but these three has parameters in rw. */
	if ((a->flags & SNIC_A_REWRITE & ~(SNIC_A_DECAP | SNIC_A_POP_VLAN |
					   SNIC_A_DEC_TTL)) && a->rw == NULL)
		return -EINVAL;
	if ((a->flags & SNIC_A_METER) && a->mtr != NULL) {
		b->meter.mtr_id = snic_mtr_id(a->mtr);
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_METER, &b->meter);
	}
	if (a->flags & SNIC_A_COUNT)
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_COUNT, NULL);
	if ((a->flags & SNIC_A_SHARED_CNT) && a->shared != NULL)
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_INDIRECT, a->shared);
	if ((a->flags & SNIC_A_SAMPLE) && a->sample != NULL) {
		ret = snic_dump_sample(b, sw, a->sample);
		if (ret != 0)
			return ret;
	}
	snic_dump_rewrites(b, a, m);
	snic_dump_late(b, a);
	if (a->flags & SNIC_A_PORT) {
		const struct snic_port *p = snic_port_get(sw, a->out_port);

		if (p == NULL)
			return -ENODEV;
		b->port.id = p->port_id;
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_PORT_ID, &b->port);
	} else if (a->flags & SNIC_A_DROP) {
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	} else if (a->flags & SNIC_A_UPCALL) {
		snic_dump_action(b, RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL);
	}
	snic_dump_action(b, RTE_FLOW_ACTION_TYPE_END, NULL);
	return 0;
}

/* ------------------------------------------------------------ API */

int
snic_dump_rule(const struct rte_flow *f, struct snic_dump_buf **buf,
	       const struct rte_flow_item **pattern,
	       const struct rte_flow_action **actions)
{
	struct snic_dump_buf *b;
	struct snic_match m;
	int ret;

	if (f == NULL || f->port == NULL || buf == NULL || pattern == NULL ||
	    actions == NULL)
		return -(rte_errno = EINVAL);
	if (f->type == RTE_PMD_SNIC_FLOW_TYPE_ACL) {
		if (f->acl == NULL)
			return -(rte_errno = EINVAL);
		m.key = f->acl->key;
		m.mask = f->acl->mask;
	} else {
		ret = snic_tbl_rule_match(f, &m);
		if (ret != 0)
			return -(rte_errno = ret < 0 ? -ret : ret);
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -(rte_errno = ENOMEM);
	ret = snic_dump_items(b, f, &m);
	if (ret == 0)
		ret = snic_dump_actions(b, f, &m);
	if (ret != 0) {
		free(b);
		return -(rte_errno = -ret);
	}
	*buf = b;
	*pattern = b->items;
	*actions = b->actions;
	return 0;
}

void
snic_dump_buf_free(struct snic_dump_buf *buf)
{
	free(buf);
}
