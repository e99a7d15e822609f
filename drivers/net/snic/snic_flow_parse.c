/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * rte_flow pattern → struct snic_match (N-4, N-5, N-8).
 *
 * Table-driven: one descriptor per item type lists every field of the
 * item's struct with what the PMD does with it (copy into the flow key,
 * special handling by the item's hook, or refuse), so a refusal always
 * names the item and the field.
 *
 * Semantics (copied into docs/snic.md "Patterns"):
 *
 * Spec, mask, last. A NULL spec matches nothing of the item: only its
 * presence counts (IPV4 → "is IPv4", VXLAN → "is VXLAN", ...). A NULL mask
 * means the item's DPDK default mask (rte_flow_item_xxx_mask). A last that
 * differs from spec under the mask (ignoring zero bytes, as rte_flow
 * documents) is a range: refused (ITEM_LAST). Mask bits on a field the key
 * cannot hold are refused (ITEM_MASK) naming the field. Two items that
 * constrain the same key bits differently are refused (ITEM_SPEC).
 *
 * Header items follow the order ETH, VLAN, IPV4|IPV6, TCP|UDP|ICMP; each at
 * most once (per side of a standard-layering VXLAN). PORT_ID,
 * REPRESENTED_PORT, TAG, OUTER_IPV4/6 and (in the spec layout) VXLAN may be
 * anywhere. VOID is skipped.
 *
 * Ingress port. Forwarding rules (type EXACT) match key.in_port = the
 * rule's port; ACL rules do not match it (an ACL is per port already).
 * PORT_ID (id) and REPRESENTED_PORT (ethdev_port_id) set in_port to that
 * port, which must belong to the same switch; useful for egress ACLs.
 *
 * Two layouts (N-8). Take the first VXLAN item:
 *  - if the item right before it (VOIDs skipped) is UDP, and either an ETH
 *    item follows VXLAN or that UDP matches dst_port 4789: standard DPDK
 *    layering. Items before VXLAN describe the OUTER headers: ETH (no field
 *    may be matched), IPV4|IPV6 (src/dst → outer_src/outer_dst and the
 *    NF_KEY_F_OUTER_V6 flag; proto may only be matched as 17), UDP (dst_port
 *    only 4789, nothing else). VLAN, TCP, ICMP are refused there. VXLAN sets
 *    NF_KEY_F_TUNNEL = 1 and matches vni as given (0 is VNI 0). Items after
 *    VXLAN are the inner headers, with DPDK semantics.
 *  - otherwise: the spec layout (spec §7.2-7.5). ETH/VLAN/IP/L4 items are
 *    the inner (tunnelled) or only headers. VXLAN with a vni matched as 0
 *    (spec vni 0, vni mask non-zero) means "not tunnelled": TUNNEL matched
 *    as 0, nothing else of VXLAN may be matched. Any other VXLAN item
 *    (spec NULL, vni mask 0, or vni != 0) means tunnelled: TUNNEL = 1 and
 *    the vni/rsvd0 as masked. A VLAN item whose spec is entirely zero (tci 0,
 *    inner_type 0, has_more_vlan 0) is the spec's "no VLAN" placeholder
 *    (spec §7.2: "若eth.type!=0x8100, 所有值全为0") and matches nothing.
 * In both layouts OUTER_IPV4 / OUTER_IPV6 (rte_flow_item_ipv4/ipv6; src
 * and dst only, proto only as 17) match the outer addresses and imply
 * TUNNEL = 1 and OUTER_V6 = 0/1. A pattern with neither VXLAN nor OUTER
 * item matches only non-tunnelled packets (TUNNEL matched as 0).
 * Consequences: a spec-layout rule may match inner UDP right before VXLAN
 * ("ETH / IPV4 / UDP / VXLAN vni") as long as it does not match UDP port
 * 4789 there and has no ETH after VXLAN; to match VLAN id 0 in the spec layout, give the
 * VLAN spec has_more_vlan = 1 with that bit unmasked (not all zero then);
 * a tunnelled packet with VNI 0 can only be matched in standard layering.
 * The spec's templates list spec values only: give masks explicitly (the
 * default IPV4 mask matches src and dst, not next_proto_id).
 *
 * Fields (N-5), all copied in network order into struct nf_flow_key:
 *   ETH    dst, src, type (→ eth_type: the TPID when tagged); has_vlan →
 *          NF_KEY_F_VLAN.
 *   VLAN   tci, inner_type; presence → NF_KEY_F_VLAN = 1.
 *   IPV4   src/dst (first 4 bytes of src_ip/dst_ip), next_proto_id,
 *          type_of_service; presence → NF_KEY_F_IPV4 = 1; fragment_offset
 *          only as spec 0 / mask 0x3fff ("not a fragment", as OVS writes
 *          it) → NF_KEY_F_FRAG = 0.
 *   IPV6   src, dst, proto; vtc_flow traffic class only (→ tos);
 *          has_frag_ext → NF_KEY_F_FRAG; presence → NF_KEY_F_IPV6 = 1.
 *   TCP    ports; tcp_flags with a mask within FIN|SYN|RST (0x07);
 *          presence → ip_proto 6.
 *   UDP    ports; presence → ip_proto 17.
 *   ICMP   icmp_type, icmp_code; presence → ip_proto 1 (58 after IPV6).
 *          ACL rules only (N-3).
 *   TAG    key.tag = index << 8 | data (data is 8 bits: mask bits above 0xff
 *          are accepted only where the spec is 0 there, since a tag never
 *          has them); presence → NF_KEY_F_TAG = 1.
 *   VXLAN  vni (key.vni bytes 0..2, as on the wire), rsvd0 (key.vxlan_rsvd0
 *          bytes 1..3), flags only as 0x08 (the datapath only parses such
 *          headers, so it is no constraint).
 * N-3: in forwarding rules a matched IP protocol must be TCP or UDP.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_flow.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "snic.h"

/* What the parser does with a field of an item. */
enum snic_fkind {
	SNIC_F_NONE, /* the key has no room for it: masking it is refused */
	SNIC_F_COPY, /* spec & mask copied into the key at key_off */
	SNIC_F_HOOK, /* interpreted by the item's hook */
};

struct snic_field {
	const char *name;
	uint8_t off;     /* in the item struct */
	uint8_t size;
	uint8_t kind;    /* enum snic_fkind */
	uint8_t key_off; /* SNIC_F_COPY: in struct nf_flow_key */
};

struct snic_pctx;
struct snic_item_desc;

typedef int (*snic_item_hook_t)(struct snic_pctx *c,
				const struct snic_item_desc *d,
				const struct rte_flow_item *it,
				const void *spec, const void *mask);

/* Item flags. */
#define SNIC_IT_ACL_ONLY 0x01    /* refused in forwarding rules (N-3) */
#define SNIC_IT_PLACEHOLDER 0x02 /* all-zero spec = absent (spec layout) */

struct snic_item_desc {
	enum rte_flow_item_type type;
	const char *name;
	uint8_t size;          /* of the spec struct */
	uint8_t layer;         /* 1 L2, 2 VLAN, 3 L3, 4 L4; 0 anywhere */
	uint8_t flags;         /* SNIC_IT_* */
	uint8_t n_fields;
	const void *dmask;     /* DPDK default mask */
	const struct snic_field *fields;
	const char *nomatch;   /* message replacing "matching on X ..." */
	snic_item_hook_t hook; /* presence implications, special fields */
};

/* Parse state of one pattern. */
struct snic_pctx {
	struct snic_port *port;
	uint32_t type;       /* RTE_PMD_SNIC_FLOW_TYPE_* */
	struct snic_match *m;
	struct rte_flow_error *err;
	const struct rte_flow_item *vxlan; /* first VXLAN item */
	bool std;            /* standard DPDK layering */
	bool outer;          /* before VXLAN in standard layering */
	bool spec_null;      /* current item has no spec */
	bool vxlan_done;
	bool in_port_set;
	uint16_t in_port;
	uint8_t layer;       /* last header layer seen */
};

/* Stands for spec and mask of an item given without spec. */
static const uint8_t snic_zero[64];



static bool
snic_all_zero(const void *p, size_t n)
{
	/* Word by word: called for every field of every item, it was a
	 * quarter of a rule create as a byte loop (callgrind). */
	const uint8_t *b = p;
	uint64_t acc = 0, w8;
	uint32_t w4;
	uint16_t w2;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w8, b + i, 8);
		acc |= w8;
	}
	if (i + 4 <= n) {
		memcpy(&w4, b + i, 4);
		acc |= w4;
		i += 4;
	}
	if (i + 2 <= n) {
		memcpy(&w2, b + i, 2);
		acc |= w2;
		i += 2;
	}
	if (i < n)
		acc |= b[i];
	return acc == 0;
}

/*
 * Merge value/mask bytes into the key. Two items may constrain the same
 * bits (IPV4 next_proto_id and TCP, OUTER_IPV4 and VXLAN on the tunnel
 * flag): fine when they agree, refused when they cannot both hold.
 */
static int
snic_key_set(struct snic_pctx *c, const struct rte_flow_item *it,
	     const char *item, const char *field, size_t key_off,
	     const void *val, const void *msk, size_t len)
{
	uint8_t *k = (uint8_t *)&c->m->key + key_off;
	uint8_t *km = (uint8_t *)&c->m->mask + key_off;
	const uint8_t *v = val;
	const uint8_t *mk = msk;
	size_t i;

	for (i = 0; i < len; i++)
		if ((k[i] ^ (v[i] & mk[i])) & km[i] & mk[i])
			return snic_err(c->err, EINVAL,
				RTE_FLOW_ERROR_TYPE_ITEM_SPEC, it,
				"%s: %s conflicts with an earlier item",
				item, field);
	for (i = 0; i < len; i++) {
		k[i] |= v[i] & mk[i];
		km[i] |= mk[i];
	}
	return 0;
}

static int
snic_flag_set(struct snic_pctx *c, const struct rte_flow_item *it,
	      const char *item, uint8_t flag, bool on)
{
	static const struct {
		uint8_t flag;
		const char *name;
	} names[] = {
		{ NF_KEY_F_VLAN, "VLAN presence" },
		{ NF_KEY_F_IPV4, "IPv4" },
		{ NF_KEY_F_IPV6, "IPv6" },
		{ NF_KEY_F_TUNNEL, "tunnelled or not" },
		{ NF_KEY_F_FRAG, "fragment or not" },
		{ NF_KEY_F_TAG, "tag presence" },
		{ NF_KEY_F_OUTER_V6, "outer IP version" },
	};
	const char *name = "a flag";
	uint8_t v = on ? flag : 0;

	for (size_t i = 0; i < RTE_DIM(names); i++)
		if (names[i].flag == flag)
			name = names[i].name;
	return snic_key_set(c, it, item, name,
			    offsetof(struct nf_flow_key, flags), &v, &flag, 1);
}

static int
snic_ip_proto_set(struct snic_pctx *c, const struct rte_flow_item *it,
		  const char *item, uint8_t proto)
{
	static const uint8_t full = 0xff;

	return snic_key_set(c, it, item, "the implied IP protocol",
			    offsetof(struct nf_flow_key, ip_proto), &proto,
			    &full, 1);
}

/* N-3: the forwarding table only holds TCP and UDP flows. */
static int
snic_proto_check(struct snic_pctx *c, const struct rte_flow_item *it,
		 const char *item, const char *field, uint8_t proto,
		 uint8_t pmask)
{
	if (c->type != RTE_PMD_SNIC_FLOW_TYPE_EXACT || pmask == 0)
		return 0;
	if (((IPPROTO_TCP ^ proto) & pmask) == 0 ||
	    ((IPPROTO_UDP ^ proto) & pmask) == 0)
		return 0;
	return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC, it,
			 "%s: %s %u: only TCP and UDP flows are offloaded (N-3)",
			 item, field, proto);
}

/* ------------------------------------------------------------ hooks */

static int
snic_eth_hook(struct snic_pctx *c, const struct snic_item_desc *d,
	      const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_eth *s = sp;
	const struct rte_flow_item_eth *m = mk;

	if (m->reserved)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "%s: matching on reserved is not supported",
				 d->name);
	if (m->has_vlan)
		return snic_flag_set(c, it, d->name, NF_KEY_F_VLAN,
				     s->has_vlan);
	return 0;
}

static int
snic_vlan_hook(struct snic_pctx *c, const struct snic_item_desc *d,
	       const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_vlan *m = mk;

	RTE_SET_USED(sp);
	/* The key holds the first tag only: "more tags or not" is unknown. */
	if (m->has_more_vlan || m->reserved)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "%s: matching on has_more_vlan is not supported",
				 d->name);
	return snic_flag_set(c, it, d->name, NF_KEY_F_VLAN, true);
}

static int
snic_ipv4_hook(struct snic_pctx *c, const struct snic_item_desc *d,
	       const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_ipv4 *s = sp;
	const struct rte_flow_item_ipv4 *m = mk;
	uint16_t fm = rte_be_to_cpu_16(m->hdr.fragment_offset);
	uint16_t fv = rte_be_to_cpu_16(s->hdr.fragment_offset) & fm;
	uint16_t nofrag = RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK;
	int ret;

	ret = snic_flag_set(c, it, d->name, NF_KEY_F_IPV4, true);
	if (ret != 0)
		return ret;
	/* The key knows "fragment or not" (and "later fragment"), not DF
	 * nor offsets; OVS writes "not a fragment" as 0/0x3fff. */
	if (fm != 0) {
		if (fm != nofrag || fv != 0)
			return snic_err(c->err, ENOTSUP, fm != nofrag ?
				RTE_FLOW_ERROR_TYPE_ITEM_MASK :
				RTE_FLOW_ERROR_TYPE_ITEM_SPEC, it,
				"%s: hdr.fragment_offset: only \"not a fragment\" (spec 0, mask 0x3fff) can be matched",
				d->name);
		ret = snic_flag_set(c, it, d->name, NF_KEY_F_FRAG, false);
		if (ret != 0)
			return ret;
	}
	return snic_proto_check(c, it, d->name, "next_proto_id",
				s->hdr.next_proto_id & m->hdr.next_proto_id,
				m->hdr.next_proto_id);
}

static int
snic_ipv6_hook(struct snic_pctx *c, const struct snic_item_desc *d,
	       const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_ipv6 *s = sp;
	const struct rte_flow_item_ipv6 *m = mk;
	uint32_t vm = rte_be_to_cpu_32(m->hdr.vtc_flow);
	uint32_t vs = rte_be_to_cpu_32(s->hdr.vtc_flow);
	uint8_t tcm = (vm & RTE_IPV6_HDR_TC_MASK) >> RTE_IPV6_HDR_TC_SHIFT;
	uint8_t tcv = ((vs & RTE_IPV6_HDR_TC_MASK) >> RTE_IPV6_HDR_TC_SHIFT) &
		      tcm;
	int ret;

	if (vm & ~(uint32_t)RTE_IPV6_HDR_TC_MASK)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "%s: hdr.vtc_flow: only the traffic class can be matched, not the version or flow label",
				 d->name);
	if (m->has_hop_ext || m->has_route_ext || m->has_auth_ext ||
	    m->has_esp_ext || m->has_dest_ext || m->has_mobil_ext ||
	    m->has_hip_ext || m->has_shim6_ext || m->reserved)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "%s: of the extension-header bits only has_frag_ext can be matched",
				 d->name);
	ret = snic_key_set(c, it, d->name, "hdr.vtc_flow",
			   offsetof(struct nf_flow_key, tos), &tcv, &tcm, 1);
	if (ret == 0)
		ret = snic_flag_set(c, it, d->name, NF_KEY_F_IPV6, true);
	if (ret == 0 && m->has_frag_ext)
		ret = snic_flag_set(c, it, d->name, NF_KEY_F_FRAG,
				    s->has_frag_ext);
	if (ret != 0)
		return ret;
	return snic_proto_check(c, it, d->name, "proto",
				s->hdr.proto & m->hdr.proto, m->hdr.proto);
}

static int
snic_tcp_hook(struct snic_pctx *c, const struct snic_item_desc *d,
	      const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_tcp *s = sp;
	const struct rte_flow_item_tcp *m = mk;
	uint8_t fl = RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG;
	uint8_t fm = m->hdr.tcp_flags;
	uint8_t fv = s->hdr.tcp_flags & fm;
	int ret;

	/* Spec §7.1.1 #6 / §7.7: only FIN, SYN, RST, so that connection
	 * set-up and tear-down keep reaching software (V-5). */
	if (fm & ~fl)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "TCP: only FIN, SYN and RST flags can be matched");
	ret = snic_key_set(c, it, d->name, "hdr.tcp_flags",
			   offsetof(struct nf_flow_key, tcp_flags), &fv, &fm,
			   1);
	if (ret != 0)
		return ret;
	return snic_ip_proto_set(c, it, d->name, IPPROTO_TCP);
}

static int
snic_udp_hook(struct snic_pctx *c, const struct snic_item_desc *d,
	      const struct rte_flow_item *it, const void *sp, const void *mk)
{
	RTE_SET_USED(sp);
	RTE_SET_USED(mk);
	return snic_ip_proto_set(c, it, d->name, IPPROTO_UDP);
}

static int
snic_icmp_hook(struct snic_pctx *c, const struct snic_item_desc *d,
	       const struct rte_flow_item *it, const void *sp, const void *mk)
{
	uint8_t v6 = c->m->key.flags & c->m->mask.flags & NF_KEY_F_IPV6;

	RTE_SET_USED(sp);
	RTE_SET_USED(mk);
	/* The key's icmp_type/code also hold ICMPv6 ones: after IPV6 the
	 * ICMP item means ICMPv6. */
	return snic_ip_proto_set(c, it, d->name,
				 v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

static int
snic_tag_hook(struct snic_pctx *c, const struct snic_item_desc *d,
	      const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_tag *s = sp;
	const struct rte_flow_item_tag *m = mk;
	uint16_t v, vm;
	int ret;

	/* N-10: tags are index << 8 | 8-bit data. The default mask has all
	 * 32 data bits: harmless as long as the spec has none above 0xff. */
	if (s->data & m->data & ~0xffu)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
				 it, "%s: data 0x%x: tags carry 8 bits of data",
				 d->name, s->data & m->data);
	vm = (uint16_t)(m->index << 8 | (m->data & 0xff));
	v = (uint16_t)(s->index << 8 | (s->data & 0xff)) & vm;
	ret = snic_key_set(c, it, d->name, "data/index",
			   offsetof(struct nf_flow_key, tag), &v, &vm, 2);
	if (ret != 0)
		return ret;
	return snic_flag_set(c, it, d->name, NF_KEY_F_TAG, true);
}

static int
snic_vxlan_hook(struct snic_pctx *c, const struct snic_item_desc *d,
		const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_vxlan *s = sp;
	const struct rte_flow_item_vxlan *m = mk;
	uint8_t vni[3], rsvd[3];
	bool vni_masked = !snic_all_zero(m->vni, 3);

	if (c->vxlan_done)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM, it,
				 "%s: only one VXLAN item (no nested tunnels)",
				 d->name);
	c->vxlan_done = true;
	if ((s->flags ^ 0x08) & m->flags)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
				 it, "%s: flags can only be matched as 0x08 (I flag)",
				 d->name);
	for (int i = 0; i < 3; i++) {
		vni[i] = s->vni[i] & m->vni[i];
		rsvd[i] = s->rsvd0[i] & m->rsvd0[i];
	}
	/* N-8 spec layout: a VNI matched as 0 means "not tunnelled". */
	if (!c->std && !c->spec_null && vni_masked && snic_all_zero(vni, 3)) {
		if (!snic_all_zero(m->rsvd0, 3))
			return snic_err(c->err, EINVAL,
				RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
				"%s: vni 0 means \"not tunnelled\": rsvd0 cannot be matched too",
				d->name);
		return snic_flag_set(c, it, d->name, NF_KEY_F_TUNNEL, false);
	}
	if (snic_key_set(c, it, d->name, "vni",
			 offsetof(struct nf_flow_key, vni), vni, m->vni, 3) ||
	    snic_key_set(c, it, d->name, "rsvd0",
			 offsetof(struct nf_flow_key, vxlan_rsvd0) + 1, rsvd,
			 m->rsvd0, 3))
		return -rte_errno;
	return snic_flag_set(c, it, d->name, NF_KEY_F_TUNNEL, true);
}

/* The outer header's protocol is UDP by definition of VXLAN: matching it
 * as 17 is no constraint, anything else could never match. */
static int
snic_outer_proto(struct snic_pctx *c, const struct snic_item_desc *d,
		 const struct rte_flow_item *it, uint8_t v, uint8_t m)
{
	if ((v ^ IPPROTO_UDP) & m)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
				 it, "%s: the outer protocol can only be matched as UDP (17)",
				 d->name);
	return 0;
}

static int
snic_outer4_hook(struct snic_pctx *c, const struct snic_item_desc *d,
		 const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_ipv4 *s = sp;
	const struct rte_flow_item_ipv4 *m = mk;

	if (snic_outer_proto(c, d, it, s->hdr.next_proto_id,
			     m->hdr.next_proto_id) ||
	    snic_flag_set(c, it, d->name, NF_KEY_F_OUTER_V6, false))
		return -rte_errno;
	return snic_flag_set(c, it, d->name, NF_KEY_F_TUNNEL, true);
}

static int
snic_outer6_hook(struct snic_pctx *c, const struct snic_item_desc *d,
		 const struct rte_flow_item *it, const void *sp, const void *mk)
{
	const struct rte_flow_item_ipv6 *s = sp;
	const struct rte_flow_item_ipv6 *m = mk;

	if (m->has_hop_ext || m->has_route_ext || m->has_frag_ext ||
	    m->has_auth_ext || m->has_esp_ext || m->has_dest_ext ||
	    m->has_mobil_ext || m->has_hip_ext || m->has_shim6_ext ||
	    m->reserved)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "%s: matching on extension-header bits is not supported",
				 d->name);
	if (snic_outer_proto(c, d, it, s->hdr.proto, m->hdr.proto) ||
	    snic_flag_set(c, it, d->name, NF_KEY_F_OUTER_V6, true))
		return -rte_errno;
	return snic_flag_set(c, it, d->name, NF_KEY_F_TUNNEL, true);
}

static int
snic_outer_udp_hook(struct snic_pctx *c, const struct snic_item_desc *d,
		    const struct rte_flow_item *it, const void *sp,
		    const void *mk)
{
	const struct rte_flow_item_udp *s = sp;
	const struct rte_flow_item_udp *m = mk;

	/* Only 4789 packets are parsed as VXLAN (nf_pkt). */
	if ((s->hdr.dst_port ^ RTE_BE16(NF_VXLAN_PORT)) & m->hdr.dst_port)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
				 it, "%s: hdr.dst_port can only be matched as %u",
				 d->name, NF_VXLAN_PORT);
	return 0;
}

static int
snic_outer_eth_hook(struct snic_pctx *c, const struct snic_item_desc *d,
		    const struct rte_flow_item *it, const void *sp,
		    const void *mk)
{
	const struct rte_flow_item_eth *m = mk;

	RTE_SET_USED(sp);
	if (m->has_vlan || m->reserved)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "%s", d->nomatch);
	return 0;
}

/* PORT_ID / REPRESENTED_PORT: the packet entered through that port. */
static int
snic_in_port_set(struct snic_pctx *c, const struct snic_item_desc *d,
		 const struct rte_flow_item *it, uint32_t ethdev)
{
	struct snic_port *p = NULL;

	if (ethdev <= UINT16_MAX)
		p = snic_port_by_ethdev((uint16_t)ethdev);
	if (p == NULL || p->sw != c->port->sw)
		return snic_err(c->err, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
				 it, "%s: port %u is not in this switch domain",
				 d->name, ethdev);
	if (c->in_port_set && c->in_port != p->index)
		return snic_err(c->err, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM_SPEC,
				 it, "%s: a different ingress port was already given",
				 d->name);
	c->in_port_set = true;
	c->in_port = p->index;
	return 0;
}

static int
snic_port_id_hook(struct snic_pctx *c, const struct snic_item_desc *d,
		  const struct rte_flow_item *it, const void *sp,
		  const void *mk)
{
	const struct rte_flow_item_port_id *s = sp;
	const struct rte_flow_item_port_id *m = mk;

	if (m->id == 0)
		return 0;
	if (m->id != UINT32_MAX)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "%s: id can only be matched with a full mask",
				 d->name);
	return snic_in_port_set(c, d, it, s->id);
}

static int
snic_ethdev_hook(struct snic_pctx *c, const struct snic_item_desc *d,
		 const struct rte_flow_item *it, const void *sp,
		 const void *mk)
{
	const struct rte_flow_item_ethdev *s = sp;
	const struct rte_flow_item_ethdev *m = mk;

	if (m->port_id == 0)
		return 0;
	if (m->port_id != UINT16_MAX)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_MASK,
				 it, "%s: port_id can only be matched with a full mask",
				 d->name);
	return snic_in_port_set(c, d, it, s->port_id);
}

/* ------------------------------------------------------------ tables */

#define KOFF(f) offsetof(struct nf_flow_key, f)
#define FLD(st, f, kind, koff) \
	{ #f, offsetof(struct st, f), RTE_SIZEOF_FIELD(struct st, f), \
	  kind, koff }
#define F_NONE(st, f) FLD(st, f, SNIC_F_NONE, 0)
#define F_HOOK(st, f) FLD(st, f, SNIC_F_HOOK, 0)
#define F_COPY(st, f, kf) FLD(st, f, SNIC_F_COPY, KOFF(kf))
/* The bit-field word after the header (has_vlan, has_frag_ext, ...): its
 * bits have no offset of their own; the hook reads them by name. */
#define F_BITS(st, hdr_size, name) \
	{ name, hdr_size, sizeof(struct st) - (hdr_size), SNIC_F_HOOK, 0 }

#define FIELDS(a) .fields = a, .n_fields = RTE_DIM(a)

static const struct snic_field snic_eth_fields[] = {
	F_COPY(rte_flow_item_eth, dst, dst_mac),
	F_COPY(rte_flow_item_eth, src, src_mac),
	F_COPY(rte_flow_item_eth, type, eth_type),
	F_BITS(rte_flow_item_eth, sizeof(struct rte_ether_hdr), "has_vlan"),
};

static const struct snic_field snic_vlan_fields[] = {
	F_COPY(rte_flow_item_vlan, tci, vlan_tci),
	F_COPY(rte_flow_item_vlan, inner_type, inner_type),
	F_BITS(rte_flow_item_vlan, sizeof(struct rte_vlan_hdr),
	       "has_more_vlan"),
};

static const struct snic_field snic_ipv4_fields[] = {
	F_NONE(rte_flow_item_ipv4, hdr.version_ihl),
	F_COPY(rte_flow_item_ipv4, hdr.type_of_service, tos),
	F_NONE(rte_flow_item_ipv4, hdr.total_length),
	F_NONE(rte_flow_item_ipv4, hdr.packet_id),
	F_HOOK(rte_flow_item_ipv4, hdr.fragment_offset),
	F_NONE(rte_flow_item_ipv4, hdr.time_to_live),
	F_COPY(rte_flow_item_ipv4, hdr.next_proto_id, ip_proto),
	F_NONE(rte_flow_item_ipv4, hdr.hdr_checksum),
	F_COPY(rte_flow_item_ipv4, hdr.src_addr, src_ip),
	F_COPY(rte_flow_item_ipv4, hdr.dst_addr, dst_ip),
};

static const struct snic_field snic_ipv6_fields[] = {
	F_HOOK(rte_flow_item_ipv6, hdr.vtc_flow),
	F_NONE(rte_flow_item_ipv6, hdr.payload_len),
	F_COPY(rte_flow_item_ipv6, hdr.proto, ip_proto),
	F_NONE(rte_flow_item_ipv6, hdr.hop_limits),
	F_COPY(rte_flow_item_ipv6, hdr.src_addr, src_ip),
	F_COPY(rte_flow_item_ipv6, hdr.dst_addr, dst_ip),
	F_BITS(rte_flow_item_ipv6, sizeof(struct rte_ipv6_hdr),
	       "has_frag_ext"),
};

static const struct snic_field snic_tcp_fields[] = {
	F_COPY(rte_flow_item_tcp, hdr.src_port, src_port),
	F_COPY(rte_flow_item_tcp, hdr.dst_port, dst_port),
	F_NONE(rte_flow_item_tcp, hdr.sent_seq),
	F_NONE(rte_flow_item_tcp, hdr.recv_ack),
	F_NONE(rte_flow_item_tcp, hdr.data_off),
	F_HOOK(rte_flow_item_tcp, hdr.tcp_flags),
	F_NONE(rte_flow_item_tcp, hdr.rx_win),
	F_NONE(rte_flow_item_tcp, hdr.cksum),
	F_NONE(rte_flow_item_tcp, hdr.tcp_urp),
};

static const struct snic_field snic_udp_fields[] = {
	F_COPY(rte_flow_item_udp, hdr.src_port, src_port),
	F_COPY(rte_flow_item_udp, hdr.dst_port, dst_port),
	F_NONE(rte_flow_item_udp, hdr.dgram_len),
	F_NONE(rte_flow_item_udp, hdr.dgram_cksum),
};

static const struct snic_field snic_icmp_fields[] = {
	F_COPY(rte_flow_item_icmp, hdr.icmp_type, icmp_type),
	F_COPY(rte_flow_item_icmp, hdr.icmp_code, icmp_code),
	F_NONE(rte_flow_item_icmp, hdr.icmp_cksum),
	F_NONE(rte_flow_item_icmp, hdr.icmp_ident),
	F_NONE(rte_flow_item_icmp, hdr.icmp_seq_nb),
};

static const struct snic_field snic_tag_fields[] = {
	F_HOOK(rte_flow_item_tag, data),
	F_HOOK(rte_flow_item_tag, index),
};

static const struct snic_field snic_vxlan_fields[] = {
	F_HOOK(rte_flow_item_vxlan, flags),
	F_HOOK(rte_flow_item_vxlan, rsvd0),
	F_HOOK(rte_flow_item_vxlan, vni),
	F_NONE(rte_flow_item_vxlan, rsvd1),
};

/* OUTER_IPV4 and, in standard layering, IPV4 before VXLAN. */
static const struct snic_field snic_outer4_fields[] = {
	F_NONE(rte_flow_item_ipv4, hdr.version_ihl),
	F_NONE(rte_flow_item_ipv4, hdr.type_of_service),
	F_NONE(rte_flow_item_ipv4, hdr.total_length),
	F_NONE(rte_flow_item_ipv4, hdr.packet_id),
	F_NONE(rte_flow_item_ipv4, hdr.fragment_offset),
	F_NONE(rte_flow_item_ipv4, hdr.time_to_live),
	F_HOOK(rte_flow_item_ipv4, hdr.next_proto_id),
	F_NONE(rte_flow_item_ipv4, hdr.hdr_checksum),
	F_COPY(rte_flow_item_ipv4, hdr.src_addr, outer_src),
	F_COPY(rte_flow_item_ipv4, hdr.dst_addr, outer_dst),
};

static const struct snic_field snic_outer6_fields[] = {
	F_NONE(rte_flow_item_ipv6, hdr.vtc_flow),
	F_NONE(rte_flow_item_ipv6, hdr.payload_len),
	F_HOOK(rte_flow_item_ipv6, hdr.proto),
	F_NONE(rte_flow_item_ipv6, hdr.hop_limits),
	F_COPY(rte_flow_item_ipv6, hdr.src_addr, outer_src),
	F_COPY(rte_flow_item_ipv6, hdr.dst_addr, outer_dst),
	F_BITS(rte_flow_item_ipv6, sizeof(struct rte_ipv6_hdr),
	       "extension-header bits"),
};

static const struct snic_field snic_outer_eth_fields[] = {
	F_NONE(rte_flow_item_eth, dst),
	F_NONE(rte_flow_item_eth, src),
	F_NONE(rte_flow_item_eth, type),
	F_BITS(rte_flow_item_eth, sizeof(struct rte_ether_hdr), "has_vlan"),
};

static const struct snic_field snic_outer_udp_fields[] = {
	F_NONE(rte_flow_item_udp, hdr.src_port),
	F_HOOK(rte_flow_item_udp, hdr.dst_port),
	F_NONE(rte_flow_item_udp, hdr.dgram_len),
	F_NONE(rte_flow_item_udp, hdr.dgram_cksum),
};

static const struct snic_field snic_port_id_fields[] = {
	F_HOOK(rte_flow_item_port_id, id),
};

static const struct snic_field snic_ethdev_fields[] = {
	F_HOOK(rte_flow_item_ethdev, port_id),
};

/* Spec-layout items, inner items of standard layering, position-free
 * items. */
static const struct snic_item_desc snic_items[] = {
	{ RTE_FLOW_ITEM_TYPE_ETH, "ETH", sizeof(struct rte_flow_item_eth), 1,
	  0, FIELDS(snic_eth_fields), .dmask = &rte_flow_item_eth_mask,
	  .hook = snic_eth_hook },
	{ RTE_FLOW_ITEM_TYPE_VLAN, "VLAN", sizeof(struct rte_flow_item_vlan),
	  2, SNIC_IT_PLACEHOLDER, FIELDS(snic_vlan_fields),
	  .dmask = &rte_flow_item_vlan_mask, .hook = snic_vlan_hook },
	{ RTE_FLOW_ITEM_TYPE_IPV4, "IPV4", sizeof(struct rte_flow_item_ipv4),
	  3, 0, FIELDS(snic_ipv4_fields), .dmask = &rte_flow_item_ipv4_mask,
	  .hook = snic_ipv4_hook },
	{ RTE_FLOW_ITEM_TYPE_IPV6, "IPV6", sizeof(struct rte_flow_item_ipv6),
	  3, 0, FIELDS(snic_ipv6_fields), .dmask = &rte_flow_item_ipv6_mask,
	  .hook = snic_ipv6_hook },
	{ RTE_FLOW_ITEM_TYPE_TCP, "TCP", sizeof(struct rte_flow_item_tcp), 4,
	  0, FIELDS(snic_tcp_fields), .dmask = &rte_flow_item_tcp_mask,
	  .hook = snic_tcp_hook },
	{ RTE_FLOW_ITEM_TYPE_UDP, "UDP", sizeof(struct rte_flow_item_udp), 4,
	  0, FIELDS(snic_udp_fields), .dmask = &rte_flow_item_udp_mask,
	  .hook = snic_udp_hook },
	{ RTE_FLOW_ITEM_TYPE_ICMP, "ICMP", sizeof(struct rte_flow_item_icmp),
	  4, SNIC_IT_ACL_ONLY, FIELDS(snic_icmp_fields),
	  .dmask = &rte_flow_item_icmp_mask, .hook = snic_icmp_hook },
	{ RTE_FLOW_ITEM_TYPE_TAG, "TAG", sizeof(struct rte_flow_item_tag), 0,
	  0, FIELDS(snic_tag_fields), .dmask = &rte_flow_item_tag_mask,
	  .hook = snic_tag_hook },
	{ RTE_FLOW_ITEM_TYPE_VXLAN, "VXLAN",
	  sizeof(struct rte_flow_item_vxlan), 0, 0, FIELDS(snic_vxlan_fields),
	  .dmask = &rte_flow_item_vxlan_mask, .hook = snic_vxlan_hook },
	{ RTE_FLOW_ITEM_TYPE_OUTER_IPV4, "OUTER_IPV4",
	  sizeof(struct rte_flow_item_ipv4), 0, 0, FIELDS(snic_outer4_fields),
	  .dmask = &rte_flow_item_ipv4_mask, .hook = snic_outer4_hook },
	{ RTE_FLOW_ITEM_TYPE_OUTER_IPV6, "OUTER_IPV6",
	  sizeof(struct rte_flow_item_ipv6), 0, 0, FIELDS(snic_outer6_fields),
	  .dmask = &rte_flow_item_ipv6_mask, .hook = snic_outer6_hook },
	{ RTE_FLOW_ITEM_TYPE_PORT_ID, "PORT_ID",
	  sizeof(struct rte_flow_item_port_id), 0, 0,
	  FIELDS(snic_port_id_fields), .dmask = &rte_flow_item_port_id_mask,
	  .hook = snic_port_id_hook },
	{ RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT, "REPRESENTED_PORT",
	  sizeof(struct rte_flow_item_ethdev), 0, 0,
	  FIELDS(snic_ethdev_fields), .dmask = &rte_flow_item_ethdev_mask,
	  .hook = snic_ethdev_hook },
};

/* Outer headers: items before VXLAN in standard layering (N-8). */
static const struct snic_item_desc snic_outer_items[] = {
	{ RTE_FLOW_ITEM_TYPE_ETH, "outer ETH",
	  sizeof(struct rte_flow_item_eth), 1, 0,
	  FIELDS(snic_outer_eth_fields), .dmask = &rte_flow_item_eth_mask,
	  .hook = snic_outer_eth_hook,
	  .nomatch = "outer ETH fields cannot be matched; match the outer addresses with IPV4/IPV6 before VXLAN" },
	{ RTE_FLOW_ITEM_TYPE_IPV4, "outer IPV4",
	  sizeof(struct rte_flow_item_ipv4), 3, 0, FIELDS(snic_outer4_fields),
	  .dmask = &rte_flow_item_ipv4_mask, .hook = snic_outer4_hook },
	{ RTE_FLOW_ITEM_TYPE_IPV6, "outer IPV6",
	  sizeof(struct rte_flow_item_ipv6), 3, 0, FIELDS(snic_outer6_fields),
	  .dmask = &rte_flow_item_ipv6_mask, .hook = snic_outer6_hook },
	{ RTE_FLOW_ITEM_TYPE_UDP, "outer UDP",
	  sizeof(struct rte_flow_item_udp), 4, 0,
	  FIELDS(snic_outer_udp_fields), .dmask = &rte_flow_item_udp_mask,
	  .hook = snic_outer_udp_hook },
};

_Static_assert(sizeof(struct rte_flow_item_ipv6) <= sizeof(snic_zero),
	       "snic_zero must cover the largest item");

static const struct snic_item_desc *
snic_item_find(const struct snic_item_desc *tbl, size_t n,
	       enum rte_flow_item_type type)
{
	for (size_t i = 0; i < n; i++)
		if (tbl[i].type == type)
			return &tbl[i];
	return NULL;
}

/* ------------------------------------------------------------ driver */

/* rte_flow: bytes of last that are 0 or equal to spec (under the mask) do
 * not make a range. */
static bool
snic_is_range(const uint8_t *spec, const uint8_t *last, const uint8_t *mask,
	      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t l = last[i] & mask[i];

		if (l != 0 && l != (spec[i] & mask[i]))
			return true;
	}
	return false;
}

static int
snic_fields_apply(struct snic_pctx *c, const struct snic_item_desc *d,
		  const struct rte_flow_item *it, const uint8_t *spec,
		  const uint8_t *mask)
{
	uint8_t v[16];

	for (unsigned int i = 0; i < d->n_fields; i++) {
		const struct snic_field *f = &d->fields[i];

		if (snic_all_zero(mask + f->off, f->size))
			continue;
		if (f->kind == SNIC_F_NONE) {
			if (d->nomatch != NULL)
				return snic_err(c->err, ENOTSUP,
					RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
					"%s", d->nomatch);
			return snic_err(c->err, ENOTSUP,
				RTE_FLOW_ERROR_TYPE_ITEM_MASK, it,
				"%s: matching on %s is not supported",
				d->name, f->name);
		}
		if (f->kind != SNIC_F_COPY)
			continue;
		for (unsigned int j = 0; j < f->size; j++)
			v[j] = spec[f->off + j] & mask[f->off + j];
		if (snic_key_set(c, it, d->name, f->name, f->key_off, v,
				 mask + f->off, f->size) != 0)
			return -rte_errno;
	}
	return 0;
}

static int
snic_item_apply(struct snic_pctx *c, const struct snic_item_desc *d,
		const struct rte_flow_item *it)
{
	const uint8_t *spec = it->spec;
	const uint8_t *mask = it->mask != NULL ? it->mask : d->dmask;
	int ret;

	if ((d->flags & SNIC_IT_ACL_ONLY) &&
	    c->type == RTE_PMD_SNIC_FLOW_TYPE_EXACT)
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM, it,
				 "%s is never offloaded; use an ACL rule (N-3)",
				 d->name);
	c->spec_null = spec == NULL;
	if (spec == NULL) {
		spec = snic_zero;
		mask = snic_zero;
	} else if (it->last != NULL &&
		   snic_is_range(spec, it->last, mask, d->size)) {
		return snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM_LAST,
				 it, "%s: ranges are not supported", d->name);
	}
	if ((d->flags & SNIC_IT_PLACEHOLDER) && !c->std && !c->spec_null &&
	    snic_all_zero(spec, d->size))
		return 0;
	if (d->layer != 0) {
		if (d->layer <= c->layer)
			return snic_err(c->err, EINVAL,
				RTE_FLOW_ERROR_TYPE_ITEM, it,
				"%s: out of order or repeated; header items go ETH, VLAN, IPV4|IPV6, TCP|UDP|ICMP",
				d->name);
		c->layer = d->layer;
	}
	/* A mask of nothing (NULL spec, or all-zero mask) sets no field. */
	ret = c->spec_null || snic_all_zero(mask, d->size) ? 0 :
		snic_fields_apply(c, d, it, spec, mask);
	if (ret == 0 && d->hook != NULL)
		ret = d->hook(c, d, it, spec, mask);
	return ret;
}

static const struct snic_item_desc *
snic_item_desc_get(struct snic_pctx *c, const struct rte_flow_item *it)
{
	const struct snic_item_desc *d;

	if (c->outer) {
		d = snic_item_find(snic_outer_items, RTE_DIM(snic_outer_items),
				   it->type);
		if (d != NULL)
			return d;
	}
	d = snic_item_find(snic_items, RTE_DIM(snic_items), it->type);
	if (d == NULL) {
		snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM, it,
			  "item type %d is not supported", (int)it->type);
		return NULL;
	}
	if (c->outer && d->layer != 0) {
		snic_err(c->err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM, it,
			  "%s before VXLAN is not supported (standard layering: [ETH] / IPV4|IPV6 / UDP / VXLAN / inner items)",
			  d->name);
		return NULL;
	}
	return d;
}

/* Does this UDP item match destination port 4789 (the VXLAN port)? */
static bool
snic_udp_is_vxlan_port(const struct rte_flow_item *it)
{
	const struct rte_flow_item_udp *spec = it->spec;
	const struct rte_flow_item_udp *mask = it->mask ? it->mask :
		&rte_flow_item_udp_mask;

	return spec != NULL && mask->hdr.dst_port != 0 &&
	       (spec->hdr.dst_port & mask->hdr.dst_port) ==
	       (RTE_BE16(NF_VXLAN_PORT) & mask->hdr.dst_port);
}

/*
 * N-8: standard DPDK layering needs UDP right before the first VXLAN item
 * AND either an ETH item after VXLAN (inner headers follow) or that UDP
 * matching destination port 4789. Anything else is the spec layout, so the
 * spec's templates with an L4 match (§7.7: "ETH / IPV4 / UDP / VXLAN vni")
 * keep their meaning.
 */
static void
snic_layout_detect(struct snic_pctx *c, const struct rte_flow_item *items)
{
	const struct rte_flow_item *prev = NULL;
	const struct rte_flow_item *it;

	for (it = items; it->type != RTE_FLOW_ITEM_TYPE_END; it++) {
		if (it->type == RTE_FLOW_ITEM_TYPE_VXLAN) {
			const struct rte_flow_item *n = it + 1;
			bool inner_eth = false;

			for (; n->type != RTE_FLOW_ITEM_TYPE_END; n++)
				inner_eth |= n->type == RTE_FLOW_ITEM_TYPE_ETH;
			c->vxlan = it;
			c->std = prev != NULL &&
				 prev->type == RTE_FLOW_ITEM_TYPE_UDP &&
				 (inner_eth || snic_udp_is_vxlan_port(prev));
			return;
		}
		if (it->type != RTE_FLOW_ITEM_TYPE_VOID)
			prev = it;
	}
}

int
snic_items_parse(struct snic_port *port, const struct rte_flow_item *items,
		 uint32_t type, struct snic_match *m,
		 struct rte_flow_error *err)
{
	struct snic_pctx c = {
		.port = port, .type = type, .m = m, .err = err,
	};
	const struct rte_flow_item *it;
	int ret;

	memset(m, 0, sizeof(*m));
	if (type != RTE_PMD_SNIC_FLOW_TYPE_EXACT &&
	    type != RTE_PMD_SNIC_FLOW_TYPE_ACL)
		return snic_err(err, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR, NULL,
				 "flow type %u is not supported: only 0 (exact-match forwarding) and 3 (ACL) (N-4)",
				 type);
	if (items == NULL)
		return snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM_NUM,
				 NULL, "no pattern");
	snic_layout_detect(&c, items);
	c.outer = c.std;
	for (it = items; it->type != RTE_FLOW_ITEM_TYPE_END; it++) {
		const struct snic_item_desc *d;

		if (it->type == RTE_FLOW_ITEM_TYPE_VOID)
			continue;
		/* N-17: what rte_flow_tunnel_match() returned; the endpoint
		 * check is switch wide (snic_tunnel.c). */
		if (it->type == RTE_FLOW_ITEM_TYPE_SNIC_TUNNEL) {
			if (it->spec != NULL)
				continue;
			ret = snic_err(err, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM,
				       it, "SNIC_TUNNEL: no spec (use the items rte_flow_tunnel_match returns)");
			goto fail;
		}
		if (it == c.vxlan && c.std) {
			/* Inner headers start after VXLAN. */
			c.outer = false;
			c.layer = 0;
		}
		d = snic_item_desc_get(&c, it);
		ret = d != NULL ? snic_item_apply(&c, d, it) : -rte_errno;
		if (ret != 0)
			goto fail;
	}
	/* Neither VXLAN nor OUTER item: non-tunnelled packets only. */
	if (!(m->mask.flags & NF_KEY_F_TUNNEL))
		m->mask.flags |= NF_KEY_F_TUNNEL;
	if (c.in_port_set || type == RTE_PMD_SNIC_FLOW_TYPE_EXACT) {
		m->key.in_port = c.in_port_set ? c.in_port : port->index;
		m->mask.in_port = 0xffff;
	}
	return 0;
fail:
	memset(m, 0, sizeof(*m));
	return ret;
}
