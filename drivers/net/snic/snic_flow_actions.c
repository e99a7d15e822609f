/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * rte_flow actions → struct snic_actions (N-6, N-9, N-11).
 *
 * Table-driven: one descriptor per action type with its name, the rule
 * types allowing it and its parse function. The datapath applies actions
 * in a fixed order (SNIC_A_* order in snic.h), whatever their order in the
 * rule: the spec's own templates list DEC_TTL after VXLAN_ENCAP and even
 * twice (§7.5.1), so the order cannot carry meaning.
 *
 * Rules (copied into docs/snic.md "Actions"):
 *  - Forwarding rules (type EXACT) need exactly one fate: PORT_ID
 *    (REPRESENTED_PORT and PORT_REPRESENTOR are synonyms: the packet goes
 *    out of that snic port) or DROP. They cannot upcall (a miss upcalls:
 *    remove the rule instead) and cannot SET_TAG (the spec puts tags on ACL
 *    rules, spec §7.8).
 *  - ACL rules: at most one fate, none meaning "continue"; the fate may also
 *    be SNIC_UPCALL, or QUEUE index 0 as its synonym for testpmd (N-9).
 *  - The output port may be the input port (hairpin). POP + PUSH VLAN
 *    (re-tag) and DECAP + ENCAP (re-tunnel) may be combined.
 *  - Repeating an action is refused, except COUNT and DEC_TTL (given twice
 *    by spec §7.5.1: applied once) and DROP/UPCALL (same fate twice).
 *  - VXLAN_DECAP needs a pattern that matches VXLAN packets (forwarding
 *    rules: the tunnel flag matched as 1; ACL rules: not matched as 0).
 *  - SET_IPV4_* / SET_IPV6_* and MODIFY_FIELD IPV4_DSCP / IPV6_DSCP must
 *    agree with the IP version the pattern matches (if it matches one) and
 *    with each other.
 *  - VXLAN_ENCAP definition: ETH / [VLAN] / IPV4|IPV6 / UDP / VXLAN / END,
 *    specs only (masks ignored; VOID skipped). EtherTypes are derived, IPv4
 *    gets IHL 5, DF and TTL 64 when 0, IPv6 hop limit 64 when 0, UDP
 *    destination 4789 when 0; UDP source 0 asks for the N-7 hash; VXLAN
 *    flags are 0x08. Lengths and checksums are filled per packet.
 *  - SAMPLE: ratio >= 1, sub-actions [VXLAN_ENCAP /] PORT_ID, COUNT and
 *    VOID ignored (the rule's own counter counts the packet).
 *  - INDIRECT: a COUNT handle of this switch; the rule holds a reference.
 *  - METER (forwarding rules): a flow meter (mtr_id direction bits 0) of
 *    the rule's port; the rule holds a reference (N-16). It polices before
 *    every other action: what its policy drops is neither counted by the
 *    rule nor mirrored.
 *  - MODIFY_FIELD: SET/ADD/SUB of an immediate value (RTE_FLOW_FIELD_VALUE:
 *    a big-endian number in the first ceil(field bits / 8) bytes of
 *    src.value, of which the low `width` bits are used) into IPV4_DSCP,
 *    IPV6_DSCP (6 bits) or VXLAN_RSVD0 (24 bits), at dst.offset bits from
 *    the field's least significant bit; dst.level is ignored.
 * Invariant kept for the datapath: a->rw != NULL exactly when a rewrite
 * flag (SNIC_A_REWRITE) is set; a->sample != NULL exactly with SAMPLE.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_flow.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "snic.h"

/* Rule types an action is allowed in. */
#define SNIC_AL_FWD 0x01
#define SNIC_AL_ACL 0x02
#define SNIC_AL_ALL (SNIC_AL_FWD | SNIC_AL_ACL)

struct snic_actx {
	struct snic_port *port;
	uint32_t type;          /* RTE_PMD_SNIC_FLOW_TYPE_* */
	enum snic_dir dir;
	const struct snic_match *m;
	struct snic_actions *a;
	struct rte_flow_error *err;
	uint8_t ipver;          /* 4 or 6 once an IP rewrite fixed it */
};

struct snic_action_desc;
typedef int (*snic_action_parse_t)(struct snic_actx *c,
				   const struct snic_action_desc *d,
				   const struct rte_flow_action *act);

struct snic_action_desc {
	enum rte_flow_action_type type;
	const char *name;
	uint8_t allow;          /* SNIC_AL_* */
	bool needs_conf;
	uint32_t flag;          /* SNIC_A_* the action stands for */
	const char *refusal;    /* why refused where not allowed */
	snic_action_parse_t parse; /* NULL: nothing to do (VOID) */
};



/* ------------------------------------------------------------ encap */

static const char *
snic_item_name(enum rte_flow_item_type t)
{
	switch (t) {
	case RTE_FLOW_ITEM_TYPE_END:
		return "END";
	case RTE_FLOW_ITEM_TYPE_ETH:
		return "ETH";
	case RTE_FLOW_ITEM_TYPE_VLAN:
		return "VLAN";
	case RTE_FLOW_ITEM_TYPE_IPV4:
		return "IPV4";
	case RTE_FLOW_ITEM_TYPE_IPV6:
		return "IPV6";
	case RTE_FLOW_ITEM_TYPE_UDP:
		return "UDP";
	case RTE_FLOW_ITEM_TYPE_TCP:
		return "TCP";
	case RTE_FLOW_ITEM_TYPE_VXLAN:
		return "VXLAN";
	default:
		return "an unsupported item";
	}
}

/* Positions in the definition (spec §7.1.2 #9). */
enum { SNIC_E_ETH, SNIC_E_VLAN, SNIC_E_IP, SNIC_E_UDP, SNIC_E_VXLAN,
       SNIC_E_END, SNIC_E_MAX };

/* Check the definition's shape; it[] receives the items. */
static int
snic_encap_items(const struct rte_flow_item *def,
		 const struct rte_flow_item *it[SNIC_E_MAX],
		 const struct rte_flow_action *act, struct rte_flow_error *err)
{
	static const struct {
		enum rte_flow_item_type t1, t2;
		bool optional;
		const char *name;
	} seq[SNIC_E_MAX] = {
		{ RTE_FLOW_ITEM_TYPE_ETH, RTE_FLOW_ITEM_TYPE_ETH, false, "ETH" },
		{ RTE_FLOW_ITEM_TYPE_VLAN, RTE_FLOW_ITEM_TYPE_VLAN, true,
		  "VLAN" },
		{ RTE_FLOW_ITEM_TYPE_IPV4, RTE_FLOW_ITEM_TYPE_IPV6, false,
		  "IPV4 or IPV6" },
		{ RTE_FLOW_ITEM_TYPE_UDP, RTE_FLOW_ITEM_TYPE_UDP, false, "UDP" },
		{ RTE_FLOW_ITEM_TYPE_VXLAN, RTE_FLOW_ITEM_TYPE_VXLAN, false,
		  "VXLAN" },
		{ RTE_FLOW_ITEM_TYPE_END, RTE_FLOW_ITEM_TYPE_END, false, "END" },
	};
	const struct rte_flow_item *p = def;

	for (unsigned int i = 0; i < SNIC_E_MAX; i++) {
		it[i] = NULL;
		while (p->type == RTE_FLOW_ITEM_TYPE_VOID)
			p++;
		if (p->type != seq[i].t1 && p->type != seq[i].t2) {
			if (seq[i].optional)
				continue;
			return snic_err(err, EINVAL,
				RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				"VXLAN_ENCAP: definition item %u is %s (type %d) where %s was expected (ETH / [VLAN] / IPV4|IPV6 / UDP / VXLAN / END)",
				(unsigned int)(p - def),
				snic_item_name(p->type), (int)p->type,
				seq[i].name);
		}
		if (i != SNIC_E_END && p->spec == NULL)
			return snic_err(err, EINVAL,
				RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				"VXLAN_ENCAP: the %s item of the definition has no spec",
				snic_item_name(p->type));
		it[i] = p++;
	}
	return 0;
}

static uint8_t
snic_encap_ip(struct snic_encap *e, const struct rte_flow_item *ip,
	      uint8_t off)
{
	if (ip->type == RTE_FLOW_ITEM_TYPE_IPV6) {
		const struct rte_flow_item_ipv6 *s = ip->spec;
		struct rte_ipv6_hdr h = s->hdr;
		uint32_t vtc = rte_be_to_cpu_32(s->hdr.vtc_flow);

		/* Traffic class and flow label from the spec, version 6. */
		h.vtc_flow = rte_cpu_to_be_32((6u << 28) | (vtc & 0x0fffffff));
		h.payload_len = 0;
		h.proto = IPPROTO_UDP;
		h.hop_limits = s->hdr.hop_limits ? s->hdr.hop_limits : 64;
		memcpy(e->hdr + off, &h, sizeof(h));
		e->ipv6 = 1;
		return sizeof(h);
	} else {
		const struct rte_flow_item_ipv4 *s = ip->spec;
		struct rte_ipv4_hdr h = { 0 };

		h.version_ihl = 0x45;
		h.type_of_service = s->hdr.type_of_service;
		/* DF: the outer packet must not be fragmented on the way
		 * (N-15 keeps it within the MTU instead). */
		h.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
		h.time_to_live = s->hdr.time_to_live ? s->hdr.time_to_live :
						       64;
		h.next_proto_id = IPPROTO_UDP;
		h.src_addr = s->hdr.src_addr;
		h.dst_addr = s->hdr.dst_addr;
		memcpy(e->hdr + off, &h, sizeof(h));
		return sizeof(h);
	}
}

static void
snic_encap_build(struct snic_encap *e,
		 const struct rte_flow_item *it[SNIC_E_MAX])
{
	const struct rte_flow_item_eth *eth = it[SNIC_E_ETH]->spec;
	const struct rte_flow_item_udp *udp = it[SNIC_E_UDP]->spec;
	const struct rte_flow_item_vxlan *vx = it[SNIC_E_VXLAN]->spec;
	uint16_t l3 = it[SNIC_E_IP]->type == RTE_FLOW_ITEM_TYPE_IPV6 ?
		      RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	struct rte_ether_hdr eh;
	struct rte_udp_hdr uh = { 0 };
	uint8_t off;

	eh.dst_addr = eth->dst;
	eh.src_addr = eth->src;
	eh.ether_type = rte_cpu_to_be_16(it[SNIC_E_VLAN] != NULL ?
					 RTE_ETHER_TYPE_VLAN : l3);
	memcpy(e->hdr, &eh, sizeof(eh));
	off = sizeof(eh);
	if (it[SNIC_E_VLAN] != NULL) {
		const struct rte_flow_item_vlan *v = it[SNIC_E_VLAN]->spec;
		struct rte_vlan_hdr vh = {
			.vlan_tci = v->tci,
			.eth_proto = rte_cpu_to_be_16(l3),
		};

		memcpy(e->hdr + off, &vh, sizeof(vh));
		off += sizeof(vh);
	}
	e->l3_off = off;
	off += snic_encap_ip(e, it[SNIC_E_IP], off);
	e->l4_off = off;
	/* N-7: source port 0 = per-flow hash of the inner packet. */
	uh.src_port = udp->hdr.src_port;
	e->hash_sport = udp->hdr.src_port == 0;
	uh.dst_port = udp->hdr.dst_port ? udp->hdr.dst_port :
					  RTE_BE16(NF_VXLAN_PORT);
	memcpy(e->hdr + off, &uh, sizeof(uh));
	off += sizeof(uh);
	e->hdr[off] = 0x08; /* I flag */
	memcpy(e->hdr + off + 1, vx->rsvd0, 3);
	memcpy(e->hdr + off + 4, vx->vni, 3);
	e->hdr[off + 7] = 0;
	e->len = off + 8;
}

int
snic_encap_parse(const struct rte_flow_item *def, struct snic_encap **out,
		 const struct rte_flow_action *act, struct rte_flow_error *err)
{
	const struct rte_flow_item *it[SNIC_E_MAX];
	struct snic_encap *e;
	int ret;

	if (def == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
				 act, "VXLAN_ENCAP: no definition");
	ret = snic_encap_items(def, it, act, err);
	if (ret != 0)
		return ret;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return snic_err(err, ENOMEM, RTE_FLOW_ERROR_TYPE_ACTION, act,
				 "VXLAN_ENCAP: out of memory");
	snic_encap_build(e, it);
	*out = e;
	return 0;
}

/* ------------------------------------------------------------ helpers */

/* The rule's rewrite parameters, allocated on first use. */
static struct snic_rewrite *
snic_rw(struct snic_actx *c, const char *name,
	const struct rte_flow_action *act)
{
	if (c->a->rw == NULL) {
		c->a->rw = calloc(1, sizeof(*c->a->rw));
		if (c->a->rw == NULL)
			snic_err(c->err, ENOMEM, RTE_FLOW_ERROR_TYPE_ACTION,
				  act, "%s: out of memory", name);
	}
	return c->a->rw;
}

/* Set d->flag once; repeating the action is refused. */
static int
snic_once(struct snic_actx *c, const struct snic_action_desc *d,
	  const struct rte_flow_action *act)
{
	if (c->a->flags & d->flag)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "%s: given twice", d->name);
	c->a->flags |= d->flag;
	return 0;
}

/* ethdev port id → index of a port of this switch. */
static int
snic_port_resolve(struct snic_actx *c, const char *name,
		  const struct rte_flow_action *act, uint32_t ethdev,
		  uint16_t *index)
{
	struct snic_port *p = NULL;

	if (ethdev <= UINT16_MAX)
		p = snic_port_by_ethdev((uint16_t)ethdev);
	if (p == NULL || p->sw != c->port->sw)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "%s: port %u is not in this switch domain",
				 name, ethdev);
	*index = p->index;
	return 0;
}

static uint32_t
snic_act_ethdev(const struct rte_flow_action *act)
{
	if (act->type == RTE_FLOW_ACTION_TYPE_PORT_ID)
		return ((const struct rte_flow_action_port_id *)act->conf)->id;
	return ((const struct rte_flow_action_ethdev *)act->conf)->port_id;
}

static bool
snic_is_port_action(enum rte_flow_action_type t)
{
	return t == RTE_FLOW_ACTION_TYPE_PORT_ID ||
	       t == RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT ||
	       t == RTE_FLOW_ACTION_TYPE_PORT_REPRESENTOR;
}

/* One fate per rule (DROP or UPCALL twice is still one fate). */
static int
snic_fate(struct snic_actx *c, const struct snic_action_desc *d,
	  const struct rte_flow_action *act, uint32_t fate)
{
	uint32_t have = c->a->flags & SNIC_A_FATE;

	if (have == SNIC_A_PORT && fate == SNIC_A_PORT)
		return snic_err(c->err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "%s: only one PORT_ID fate; use SAMPLE to mirror",
				 d->name);
	if (have != 0 && have != fate)
		return snic_err(c->err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "%s: a rule has at most one fate (PORT_ID, DROP or UPCALL)",
				 d->name);
	c->a->flags |= fate;
	return 0;
}

/* The IP version an address/DSCP rewrite assumes must be the one the
 * pattern matches, if any, and the one of the other IP rewrites. */
static int
snic_ipver(struct snic_actx *c, const struct snic_action_desc *d,
	   const struct rte_flow_action *act, bool v6)
{
	uint8_t fl = c->m != NULL ? c->m->key.flags & c->m->mask.flags : 0;
	uint8_t other = v6 ? NF_KEY_F_IPV4 : NF_KEY_F_IPV6;

	if (fl & other)
		return snic_err(c->err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "%s: the pattern matches IPv%c packets",
				 d->name, v6 ? '4' : '6');
	if (c->ipver != 0 && c->ipver != (v6 ? 6 : 4))
		return snic_err(c->err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "%s: IPv4 and IPv6 rewrites cannot be mixed",
				 d->name);
	c->ipver = v6 ? 6 : 4;
	return 0;
}

/* ------------------------------------------------------------ actions */

/* COUNT, DEC_TTL: repeating them changes nothing. */
static int
snic_act_flag(struct snic_actx *c, const struct snic_action_desc *d,
	      const struct rte_flow_action *act)
{
	RTE_SET_USED(act);
	c->a->flags |= d->flag;
	return 0;
}

static int
snic_act_port(struct snic_actx *c, const struct snic_action_desc *d,
	      const struct rte_flow_action *act)
{
	uint16_t idx = 0; /* set on success; -O3 cannot see it (release) */
	int ret;

	/* PORT_ID's "original" bit has no meaning for a software switch. */
	ret = snic_port_resolve(c, d->name, act, snic_act_ethdev(act), &idx);
	if (ret == 0)
		ret = snic_fate(c, d, act, SNIC_A_PORT);
	if (ret == 0)
		c->a->out_port = idx;
	return ret;
}

/* DROP, SNIC_UPCALL. */
static int
snic_act_fate(struct snic_actx *c, const struct snic_action_desc *d,
	      const struct rte_flow_action *act)
{
	return snic_fate(c, d, act, d->flag);
}

static int
snic_act_queue(struct snic_actx *c, const struct snic_action_desc *d,
	       const struct rte_flow_action *act)
{
	const struct rte_flow_action_queue *q = act->conf;

	if (q->index != 0)
		return snic_err(c->err, ENOTSUP,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "QUEUE: index %u: only QUEUE 0 (= SNIC_UPCALL) is supported",
				 q->index);
	return snic_fate(c, d, act, SNIC_A_UPCALL);
}

static int
snic_act_decap(struct snic_actx *c, const struct snic_action_desc *d,
	       const struct rte_flow_action *act)
{
	uint8_t fm = c->m != NULL ? c->m->mask.flags : 0;
	uint8_t fk = c->m != NULL ? c->m->key.flags : 0;
	bool tun = (fm & NF_KEY_F_TUNNEL) && (fk & NF_KEY_F_TUNNEL);
	bool plain = (fm & NF_KEY_F_TUNNEL) && !(fk & NF_KEY_F_TUNNEL);

	if (c->type == RTE_PMD_SNIC_FLOW_TYPE_EXACT ? !tun : plain)
		return snic_err(c->err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "VXLAN_DECAP: the pattern does not match VXLAN packets (match a VNI)");
	return snic_once(c, d, act);
}

static int
snic_act_encap(struct snic_actx *c, const struct snic_action_desc *d,
	       const struct rte_flow_action *act)
{
	const struct rte_flow_action_vxlan_encap *conf = act->conf;
	struct snic_rewrite *rw;
	int ret;

	ret = snic_once(c, d, act);
	if (ret != 0)
		return ret;
	rw = snic_rw(c, d->name, act);
	if (rw == NULL)
		return -rte_errno;
	return snic_encap_parse(conf->definition, &rw->encap, act, c->err);
}

static int
snic_act_push_vlan(struct snic_actx *c, const struct snic_action_desc *d,
		   const struct rte_flow_action *act)
{
	const struct rte_flow_action_of_push_vlan *conf = act->conf;
	uint16_t tpid = rte_be_to_cpu_16(conf->ethertype);
	struct snic_rewrite *rw;

	if (tpid != RTE_ETHER_TYPE_VLAN && tpid != RTE_ETHER_TYPE_QINQ)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "OF_PUSH_VLAN: ethertype 0x%04x: only 0x8100 and 0x88a8",
				 tpid);
	if (snic_once(c, d, act) != 0)
		return -rte_errno;
	rw = snic_rw(c, d->name, act);
	if (rw == NULL)
		return -rte_errno;
	rw->push_tpid = conf->ethertype;
	return 0;
}

static int
snic_act_vid(struct snic_actx *c, const struct snic_action_desc *d,
	     const struct rte_flow_action *act)
{
	const struct rte_flow_action_of_set_vlan_vid *conf = act->conf;
	uint16_t vid = rte_be_to_cpu_16(conf->vlan_vid);
	struct snic_rewrite *rw;

	if (vid > 4095)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "OF_SET_VLAN_VID: vlan_vid %u is above 4095", vid);
	if (snic_once(c, d, act) != 0)
		return -rte_errno;
	rw = snic_rw(c, d->name, act);
	if (rw == NULL)
		return -rte_errno;
	rw->vid = vid;
	return 0;
}

static int
snic_act_pcp(struct snic_actx *c, const struct snic_action_desc *d,
	     const struct rte_flow_action *act)
{
	const struct rte_flow_action_of_set_vlan_pcp *conf = act->conf;
	struct snic_rewrite *rw;

	if (conf->vlan_pcp > 7)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "OF_SET_VLAN_PCP: vlan_pcp %u is above 7",
				 conf->vlan_pcp);
	if (snic_once(c, d, act) != 0)
		return -rte_errno;
	rw = snic_rw(c, d->name, act);
	if (rw == NULL)
		return -rte_errno;
	rw->pcp = conf->vlan_pcp;
	return 0;
}

/* SET_MAC_SRC, SET_MAC_DST. */
static int
snic_act_mac(struct snic_actx *c, const struct snic_action_desc *d,
	     const struct rte_flow_action *act)
{
	const struct rte_flow_action_set_mac *conf = act->conf;
	struct snic_rewrite *rw;

	if (snic_once(c, d, act) != 0)
		return -rte_errno;
	rw = snic_rw(c, d->name, act);
	if (rw == NULL)
		return -rte_errno;
	memcpy(d->flag == SNIC_A_SET_MAC_SRC ? &rw->mac_src : &rw->mac_dst,
	       conf->mac_addr, RTE_ETHER_ADDR_LEN);
	return 0;
}

/* SET_IPV4_SRC/DST, SET_IPV6_SRC/DST. */
static int
snic_act_ip(struct snic_actx *c, const struct snic_action_desc *d,
	    const struct rte_flow_action *act)
{
	bool v6 = act->type == RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC ||
		  act->type == RTE_FLOW_ACTION_TYPE_SET_IPV6_DST;
	struct snic_rewrite *rw;
	uint8_t *dst;

	if (snic_ipver(c, d, act, v6) != 0 || snic_once(c, d, act) != 0)
		return -rte_errno;
	rw = snic_rw(c, d->name, act);
	if (rw == NULL)
		return -rte_errno;
	dst = d->flag == SNIC_A_SET_IP_SRC ? rw->ip_src : rw->ip_dst;
	if (v6) {
		const struct rte_flow_action_set_ipv6 *conf = act->conf;

		memcpy(dst, conf->ipv6_addr, 16);
		c->a->flags |= SNIC_A_SET_IP6;
	} else {
		const struct rte_flow_action_set_ipv4 *conf = act->conf;

		memcpy(dst, &conf->ipv4_addr, 4);
	}
	return 0;
}

static int
snic_act_set_tag(struct snic_actx *c, const struct snic_action_desc *d,
		 const struct rte_flow_action *act)
{
	const struct rte_flow_action_set_tag *conf = act->conf;

	/* N-10: index << 8 | data in 16 bits; conf->mask is ignored (the
	 * whole 8-bit data is written). */
	if (conf->data > 0xff)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "SET_TAG: data 0x%x does not fit in 8 bits",
				 conf->data);
	if (snic_once(c, d, act) != 0)
		return -rte_errno;
	c->a->tag = (uint16_t)(conf->index << 8 | conf->data);
	return 0;
}

static int
snic_act_indirect(struct snic_actx *c, const struct snic_action_desc *d,
		  const struct rte_flow_action *act)
{
	struct rte_flow_action_handle *h = (void *)(uintptr_t)act->conf;
	struct snic_switch *sw = c->port->sw;
	bool known = false;

	/* Look the pointer up before dereferencing it: a stale or foreign
	 * handle must be refused, not followed. */
	for (unsigned int i = 0; i < RTE_PMD_SNIC_MAX_HANDLES; i++)
		if (sw->handles[i] == h)
			known = true;
	if (!known || h->magic != SNIC_HANDLE_MAGIC || h->sw != sw)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "INDIRECT: not a COUNT handle of this switch");
	if (snic_once(c, d, act) != 0)
		return -rte_errno;
	/* N-11: the caller holds sw->lock; handle destroy checks refcnt. */
	h->refcnt++;
	c->a->shared = h;
	return 0;
}

static int
snic_act_modify_check(struct snic_actx *c,
		      const struct rte_flow_action_modify_field *mf,
		      const struct rte_flow_action *act, uint32_t bits)
{
	if (mf->operation != RTE_FLOW_MODIFY_SET &&
	    mf->operation != RTE_FLOW_MODIFY_ADD &&
	    mf->operation != RTE_FLOW_MODIFY_SUB)
		return snic_err(c->err, ENOTSUP,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "MODIFY_FIELD: operation %d is not supported (SET, ADD, SUB)",
				 (int)mf->operation);
	if (mf->src.field != RTE_FLOW_FIELD_VALUE)
		return snic_err(c->err, ENOTSUP,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "MODIFY_FIELD: source field %d is not supported: only an immediate value (RTE_FLOW_FIELD_VALUE)",
				 (int)mf->src.field);
	if (mf->width == 0 || mf->width > bits)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "MODIFY_FIELD: width %u: the field has %u bits",
				 mf->width, bits);
	if (mf->dst.offset > bits - mf->width)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "MODIFY_FIELD: offset %u + width %u exceed the field's %u bits",
				 mf->dst.offset, mf->width, bits);
	return 0;
}

static int
snic_act_modify(struct snic_actx *c, const struct snic_action_desc *d,
		const struct rte_flow_action *act)
{
	const struct rte_flow_action_modify_field *mf = act->conf;
	enum rte_flow_field_id f = mf->dst.field;
	struct snic_rewrite *rw;
	struct snic_modify *md;
	uint32_t bits, flag, v = 0;
	const char *name;

	if (f == RTE_FLOW_FIELD_IPV4_DSCP || f == RTE_FLOW_FIELD_IPV6_DSCP) {
		bits = 6;
		flag = SNIC_A_MOD_DSCP;
		name = "DSCP";
		if (snic_ipver(c, d, act, f == RTE_FLOW_FIELD_IPV6_DSCP) != 0)
			return -rte_errno;
		/* The field names an IP version (one per rule, snic_ipver):
		 * the datapath leaves packets of the other one alone. */
		if (f == RTE_FLOW_FIELD_IPV6_DSCP)
			c->a->flags |= SNIC_A_SET_IP6;
	} else if (f == RTE_FLOW_FIELD_VXLAN_RSVD0) {
		bits = 24;
		flag = SNIC_A_MOD_RSVD0;
		name = "VXLAN_RSVD0";
	} else {
		return snic_err(c->err, ENOTSUP,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "MODIFY_FIELD: destination field %d is not supported (IPV4_DSCP, IPV6_DSCP, VXLAN_RSVD0)",
				 (int)f);
	}
	if (snic_act_modify_check(c, mf, act, bits) != 0)
		return -rte_errno;
	if (c->a->flags & flag)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "MODIFY_FIELD: %s modified twice", name);
	rw = snic_rw(c, d->name, act);
	if (rw == NULL)
		return -rte_errno;
	/* Big-endian number in the field's bytes, low `width` bits used. */
	for (uint32_t i = 0; i < (bits + 7) / 8; i++)
		v = v << 8 | mf->src.value[i];
	md = flag == SNIC_A_MOD_DSCP ? &rw->dscp : &rw->rsvd0;
	md->op = (uint8_t)mf->operation;
	md->offset = (uint8_t)mf->dst.offset;
	md->width = (uint8_t)mf->width;
	md->value = mf->width < 32 ? v & ((1u << mf->width) - 1) : v;
	c->a->flags |= flag;
	return 0;
}

static int
snic_sample_sub(struct snic_actx *c, struct snic_sample *s,
		const struct rte_flow_action *sa, bool *have_port)
{
	const char *shape = "sub-actions are [VXLAN_ENCAP /] PORT_ID";

	if (sa->type == RTE_FLOW_ACTION_TYPE_VOID ||
	    sa->type == RTE_FLOW_ACTION_TYPE_COUNT)
		return 0;
	if (sa->type != RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP &&
	    !snic_is_port_action(sa->type))
		return snic_err(c->err, ENOTSUP,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, sa,
				 "SAMPLE: sub-action type %d is not supported: %s",
				 (int)sa->type, shape);
	if (*have_port || (sa->type == RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP &&
			   s->encap != NULL))
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, sa,
				 "SAMPLE: %s", shape);
	if (sa->conf == NULL)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, sa,
				 "SAMPLE: a sub-action has no configuration");
	if (sa->type == RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP)
		return snic_encap_parse(((const struct
			rte_flow_action_vxlan_encap *)sa->conf)->definition,
			&s->encap, sa, c->err);
	*have_port = true;
	return snic_port_resolve(c, "SAMPLE", sa, snic_act_ethdev(sa),
				 &s->out_port);
}

static int
snic_act_sample(struct snic_actx *c, const struct snic_action_desc *d,
		const struct rte_flow_action *act)
{
	const struct rte_flow_action_sample *conf = act->conf;
	const struct rte_flow_action *sa;
	struct snic_sample *s;
	bool have_port = false;
	int ret;

	if (conf->ratio == 0)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "SAMPLE: ratio 0 is invalid (1 mirrors every packet)");
	if (conf->actions == NULL)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "SAMPLE: no sub-actions");
	if (snic_once(c, d, act) != 0)
		return -rte_errno;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return snic_err(c->err, ENOMEM, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "SAMPLE: out of memory");
	c->a->sample = s;
	s->ratio = conf->ratio;
	for (sa = conf->actions; sa->type != RTE_FLOW_ACTION_TYPE_END; sa++) {
		ret = snic_sample_sub(c, s, sa, &have_port);
		if (ret != 0)
			return ret;
	}
	if (!have_port)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "SAMPLE: no PORT_ID sub-action");
	return 0;
}

/* N-17: the action rte_flow_tunnel_decap_set() returned; the endpoint
 * restriction is switch wide, so accepting it is all there is to do. */
static int
snic_act_tunnel_set(struct snic_actx *c, const struct snic_action_desc *d,
		    const struct rte_flow_action *act)
{
	RTE_SET_USED(d);
	return snic_tunnel_pmd_check(c->port, act->conf, act, c->err);
}

/*
 * N-15: a rule whose encapsulation would take a packet as big as its input
 * representor's MTU over the uplink's MTU is refused, not left to drop or
 * upcall every large packet. The input frame is MTU + 14 bytes (+4 if the
 * rule pushes a tag; a decapsulated input is at least 50 bytes smaller).
 */
static int
snic_encap_mtu_check(struct snic_actx *c, const struct snic_encap *e,
		     uint16_t out, const struct rte_flow_action *cause,
		     const char *what)
{
	const struct snic_actions *a = c->a;
	struct snic_port *in = c->port;
	struct snic_port *o = snic_port_get(in->sw, out);
	uint32_t l2 = RTE_ETHER_HDR_LEN, frame, outer;

	/* The case N-15 names: a VM's packet tunnelled out of the uplink.
	 * Other combinations are left to the per-packet check. */
	if (o == NULL || c->dir != SNIC_DIR_IN || in->is_uplink ||
	    !o->is_uplink)
		return 0;
	if (e->len >= RTE_ETHER_HDR_LEN + 4 &&
	    (e->hdr[12] == 0x81 || e->hdr[12] == 0x88) &&
	    (e->hdr[13] == 0x00 || e->hdr[13] == 0xa8))
		l2 += 4;
	frame = in->mtu + RTE_ETHER_HDR_LEN +
		((a->flags & SNIC_A_PUSH_VLAN) ? 4 : 0);
	if ((a->flags & SNIC_A_DECAP) && frame > 50 + RTE_ETHER_HDR_LEN)
		frame -= 50;
	outer = frame + e->len - l2;
	if (outer <= o->mtu)
		return 0;
	return snic_err(c->err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION, cause,
			 "%s: a packet of port %u's MTU %u becomes a %u-byte IP packet, over the MTU %u of port %u: raise port %u's MTU to %u or lower port %u's (N-15)",
			 what, in->port_id, in->mtu, outer, o->mtu, o->port_id,
			 o->port_id, outer, in->port_id);
}

static int
snic_actions_mtu_check(struct snic_actx *c,
		       const struct rte_flow_action *actions)
{
	const struct rte_flow_action *enc = NULL, *smp = NULL, *act;
	const struct snic_actions *a = c->a;
	int rc = 0;

	for (act = actions; act->type != RTE_FLOW_ACTION_TYPE_END; act++) {
		if (act->type == RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP)
			enc = act;
		else if (act->type == RTE_FLOW_ACTION_TYPE_SAMPLE)
			smp = act;
	}
	if ((a->flags & SNIC_A_ENCAP) && (a->flags & SNIC_A_PORT))
		rc = snic_encap_mtu_check(c, a->rw->encap, a->out_port, enc,
					  "VXLAN_ENCAP");
	if (rc == 0 && a->sample != NULL && a->sample->encap != NULL)
		rc = snic_encap_mtu_check(c, a->sample->encap,
					  a->sample->out_port, smp,
					  "SAMPLE VXLAN_ENCAP");
	return rc;
}

static int
snic_act_meter(struct snic_actx *c, const struct snic_action_desc *d,
	       const struct rte_flow_action *act)
{
	const struct rte_flow_action_meter *conf = act->conf;

	if (snic_once(c, d, act) != 0)
		return -rte_errno;
	c->a->mtr = snic_mtr_flow_ref(c->port, conf->mtr_id, act, c->err);
	if (c->a->mtr == NULL) {
		/* Keep "mtr != NULL iff SNIC_A_METER" for release. */
		c->a->flags &= ~SNIC_A_METER;
		return -rte_errno;
	}
	return 0;
}

/* ------------------------------------------------------------ table */

#define FWD_NO_TAG "SET_TAG: only ACL rules set tags"
#define FWD_NO_UPCALL "forwarding rules cannot upcall: remove the rule instead"

static const struct snic_action_desc snic_actions[] = {
	{ RTE_FLOW_ACTION_TYPE_VOID, "VOID", SNIC_AL_ALL, false, 0, NULL,
	  NULL },
	{ RTE_FLOW_ACTION_TYPE_COUNT, "COUNT", SNIC_AL_ALL, false,
	  SNIC_A_COUNT, NULL, snic_act_flag },
	{ RTE_FLOW_ACTION_TYPE_PORT_ID, "PORT_ID", SNIC_AL_ALL, true,
	  SNIC_A_PORT, NULL, snic_act_port },
	{ RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, "REPRESENTED_PORT",
	  SNIC_AL_ALL, true, SNIC_A_PORT, NULL, snic_act_port },
	{ RTE_FLOW_ACTION_TYPE_PORT_REPRESENTOR, "PORT_REPRESENTOR",
	  SNIC_AL_ALL, true, SNIC_A_PORT, NULL, snic_act_port },
	{ RTE_FLOW_ACTION_TYPE_DROP, "DROP", SNIC_AL_ALL, false, SNIC_A_DROP,
	  NULL, snic_act_fate },
	{ RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, "SNIC_UPCALL", SNIC_AL_ACL, false,
	  SNIC_A_UPCALL, FWD_NO_UPCALL, snic_act_fate },
	{ RTE_FLOW_ACTION_TYPE_QUEUE, "QUEUE", SNIC_AL_ACL, true,
	  SNIC_A_UPCALL, FWD_NO_UPCALL, snic_act_queue },
	{ RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, "OF_POP_VLAN", SNIC_AL_ALL, false,
	  SNIC_A_POP_VLAN, NULL, snic_once },
	{ RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN, "OF_PUSH_VLAN", SNIC_AL_ALL, true,
	  SNIC_A_PUSH_VLAN, NULL, snic_act_push_vlan },
	{ RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, "OF_SET_VLAN_VID", SNIC_AL_ALL,
	  true, SNIC_A_SET_VID, NULL, snic_act_vid },
	{ RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP, "OF_SET_VLAN_PCP", SNIC_AL_ALL,
	  true, SNIC_A_SET_PCP, NULL, snic_act_pcp },
	{ RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, "VXLAN_DECAP", SNIC_AL_ALL, false,
	  SNIC_A_DECAP, NULL, snic_act_decap },
	{ RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, "VXLAN_ENCAP", SNIC_AL_ALL, true,
	  SNIC_A_ENCAP, NULL, snic_act_encap },
	{ RTE_FLOW_ACTION_TYPE_DEC_TTL, "DEC_TTL", SNIC_AL_ALL, false,
	  SNIC_A_DEC_TTL, NULL, snic_act_flag },
	{ RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, "SET_MAC_SRC", SNIC_AL_ALL, true,
	  SNIC_A_SET_MAC_SRC, NULL, snic_act_mac },
	{ RTE_FLOW_ACTION_TYPE_SET_MAC_DST, "SET_MAC_DST", SNIC_AL_ALL, true,
	  SNIC_A_SET_MAC_DST, NULL, snic_act_mac },
	{ RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC, "SET_IPV4_SRC", SNIC_AL_ALL, true,
	  SNIC_A_SET_IP_SRC, NULL, snic_act_ip },
	{ RTE_FLOW_ACTION_TYPE_SET_IPV4_DST, "SET_IPV4_DST", SNIC_AL_ALL, true,
	  SNIC_A_SET_IP_DST, NULL, snic_act_ip },
	{ RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC, "SET_IPV6_SRC", SNIC_AL_ALL, true,
	  SNIC_A_SET_IP_SRC, NULL, snic_act_ip },
	{ RTE_FLOW_ACTION_TYPE_SET_IPV6_DST, "SET_IPV6_DST", SNIC_AL_ALL, true,
	  SNIC_A_SET_IP_DST, NULL, snic_act_ip },
	{ RTE_FLOW_ACTION_TYPE_SAMPLE, "SAMPLE", SNIC_AL_ALL, true,
	  SNIC_A_SAMPLE, NULL, snic_act_sample },
	{ RTE_FLOW_ACTION_TYPE_SET_TAG, "SET_TAG", SNIC_AL_ACL, true,
	  SNIC_A_SET_TAG, FWD_NO_TAG, snic_act_set_tag },
	{ RTE_FLOW_ACTION_TYPE_INDIRECT, "INDIRECT", SNIC_AL_ALL, true,
	  SNIC_A_SHARED_CNT, NULL, snic_act_indirect },
	{ RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, "MODIFY_FIELD", SNIC_AL_ALL, true,
	  0, NULL, snic_act_modify },
	{ RTE_FLOW_ACTION_TYPE_SNIC_TUNNEL_SET, "SNIC_TUNNEL_SET", SNIC_AL_ALL,
	  false, 0, NULL, snic_act_tunnel_set },
	{ RTE_FLOW_ACTION_TYPE_METER, "METER", SNIC_AL_FWD, true,
	  SNIC_A_METER, "METER: only forwarding rules are metered (ACL "
	  "traffic: use a port meter)", snic_act_meter },
};

static const struct snic_action_desc *
snic_action_find(enum rte_flow_action_type type)
{
	for (size_t i = 0; i < RTE_DIM(snic_actions); i++)
		if (snic_actions[i].type == type)
			return &snic_actions[i];
	return NULL;
}

/* ------------------------------------------------------------ API */

static int
snic_action_one(struct snic_actx *c, const struct rte_flow_action *act)
{
	const struct snic_action_desc *d = snic_action_find(act->type);
	uint8_t al = c->type == RTE_PMD_SNIC_FLOW_TYPE_EXACT ? SNIC_AL_FWD :
							       SNIC_AL_ACL;

	if (d == NULL)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "action type %d is not supported",
				 (int)act->type);
	if (!(d->allow & al))
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
				 act, "%s", d->refusal);
	if (d->needs_conf && act->conf == NULL)
		return snic_err(c->err, EINVAL,
				 RTE_FLOW_ERROR_TYPE_ACTION_CONF, act,
				 "%s: missing configuration", d->name);
	return d->parse != NULL ? d->parse(c, d, act) : 0;
}

int
snic_actions_parse(struct snic_port *port,
		   const struct rte_flow_action *actions, uint32_t type,
		   enum snic_dir dir, const struct snic_match *m,
		   struct snic_actions *a, struct rte_flow_error *err)
{
	struct snic_actx c = {
		.port = port, .type = type, .dir = dir, .m = m, .a = a,
		.err = err,
	};
	const struct rte_flow_action *act;
	int ret;

	memset(a, 0, sizeof(*a));
	if (type != RTE_PMD_SNIC_FLOW_TYPE_EXACT &&
	    type != RTE_PMD_SNIC_FLOW_TYPE_ACL)
		return snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR, NULL,
				 "flow type %u is not supported (N-4)", type);
	if (actions == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_NUM,
				 NULL, "no actions");
	for (act = actions; act->type != RTE_FLOW_ACTION_TYPE_END; act++) {
		ret = snic_action_one(&c, act);
		if (ret != 0)
			goto fail;
	}
	if (type == RTE_PMD_SNIC_FLOW_TYPE_EXACT &&
	    !(a->flags & SNIC_A_FATE)) {
		ret = snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION, act,
				"forwarding rule: no fate action (PORT_ID or DROP)");
		goto fail;
	}
	ret = snic_actions_mtu_check(&c, actions);
	if (ret != 0)
		goto fail;
	/* DECAP, POP_VLAN, DEC_TTL have no parameters but are rewrites:
	 * keep "rw != NULL iff a rewrite flag" for the datapath. */
	if ((a->flags & SNIC_A_REWRITE) && a->rw == NULL &&
	    snic_rw(&c, "rewrite", act) == NULL) {
		ret = -rte_errno;
		goto fail;
	}
	return 0;
fail:
	snic_actions_release(a);
	return ret;
}

void
snic_actions_release(struct snic_actions *a)
{
	if (a == NULL)
		return;
	if (a->rw != NULL) {
		free(a->rw->encap);
		free(a->rw);
	}
	if (a->sample != NULL) {
		free(a->sample->encap);
		free(a->sample);
	}
	/* The caller holds sw->lock (N-11). */
	if ((a->flags & SNIC_A_SHARED_CNT) && a->shared != NULL &&
	    a->shared->refcnt > 0)
		a->shared->refcnt--;
	if ((a->flags & SNIC_A_METER) && a->mtr != NULL)
		snic_mtr_flow_unref(a->mtr);
	memset(a, 0, sizeof(*a));
}
