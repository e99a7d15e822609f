/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic action execution: apply a rule's compiled rewrites to one packet
 * (datapath; no locks, no allocation, no logging).
 *
 * Order (N-6, docs/snic.md "Action order"), whatever the rule's order:
 *   DECAP -> POP_VLAN -> SET_MAC_SRC/DST -> SET_IP_SRC/DST -> DEC_TTL ->
 *   MOD_DSCP -> PUSH_VLAN -> SET_VID/PCP -> ENCAP -> MOD_RSVD0 -> SET_TAG
 * so header rewrites act on the inner packet of a rule that encapsulates
 * and on the decapsulated packet after DECAP. COUNT and SAMPLE are the
 * caller's, and so is the fate: snic_actions_apply() only reports it.
 *
 * The "inner" rewrites (POP .. SET_VID/PCP) always act on the headers the
 * key and layout describe. For a VXLAN packet that is not decapsulated those
 * are the inner headers, i.e. UDP payload of the outer datagram; then the
 * outer IP/UDP lengths follow a pushed or popped tag and a non-zero outer
 * UDP checksum is corrected from the sum of the inner header bytes before
 * and after (the bytes between them do not change, and shifting them by a
 * 4-byte tag keeps their word alignment).
 *
 * Only the first segment is read or written. Every access is bounded by its
 * data_len, whatever the layout says; a header the layout places beyond it
 * fails the packet as SNIC_V_ERR_HEADROOM, like a failed prepend. A failed
 * packet may be half rewritten: the caller drops it.
 *
 * Checksums are updated incrementally (RFC 1624 eqn 3, nf_csum_update*),
 * which gives the bytes a recomputation from scratch gives.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_flow.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "nf_pkt.h"
#include "snic.h"

#define VLAN_LEN 4          /* TPID + TCI */
#define MACS_LEN 12         /* dst + src MAC: a tag goes right after them */
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8
#define VXLAN_HLEN 8
#define TCP_CSUM_END 18     /* TCP header up to and with its checksum */
#define ICMP6_CSUM_END 4
#define DSCP_BITS 6
#define RSVD0_BITS 24

/* Byte offsets inside the headers. */
#define IP4_TOS 1
#define IP4_TOTLEN 2
#define IP4_TTL 8           /* TTL, then protocol: one checksum word */
#define IP4_CSUM 10
#define IP4_SRC 12
#define IP4_DST 16
#define IP6_PLEN 4
#define IP6_HOPS 7
#define IP6_SRC 8
#define IP6_DST 24
#define UDP_SPORT 0
#define UDP_LEN 4
#define UDP_CSUM 6
#define VXLAN_VNI 4

#define VLAN_VID_MASK 0x0fffu
#define VLAN_PCP_SHIFT 13
#define IP6_DSCP_SHIFT 22   /* DSCP: bits 22..27 of the first IPv6 word */
#define IP6_TC_SHIFT 20

/* Rewrites of the headers the key describes, between DECAP and ENCAP. */
#define A_INNER (SNIC_A_POP_VLAN | SNIC_A_SET_MAC_SRC | SNIC_A_SET_MAC_DST | \
	SNIC_A_SET_IP_SRC | SNIC_A_SET_IP_DST | SNIC_A_DEC_TTL | \
	SNIC_A_MOD_DSCP | SNIC_A_PUSH_VLAN | SNIC_A_SET_VID | SNIC_A_SET_PCP)
/* Actions whose parameters live in a->rw. */
#define A_NEED_RW (SNIC_A_SET_MAC_SRC | SNIC_A_SET_MAC_DST | \
	SNIC_A_SET_IP_SRC | SNIC_A_SET_IP_DST | SNIC_A_MOD_DSCP | \
	SNIC_A_PUSH_VLAN | SNIC_A_SET_VID | SNIC_A_SET_PCP | SNIC_A_ENCAP | \
	SNIC_A_MOD_RSVD0)

/* One packet being rewritten. */
struct act_ctx {
	struct rte_mbuf *m;
	uint8_t *p;               /* frame start, first segment */
	uint32_t dlen;            /* bytes readable at p */
	struct nf_flow_key *key;
	struct nf_pkt_layout *lay;
	const struct snic_rewrite *rw;
	uint32_t f;               /* effective SNIC_A_* flags */
	int grow;                 /* bytes added by POP/PUSH so far */
};

/* ------------------------------------------------------------ helpers */

/* Memory-order (network) 16/32-bit words at any alignment. */
static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Is [off, off + n) a real offset inside the first segment? */
static inline bool
has(const struct act_ctx *c, uint32_t off, uint32_t n)
{
	return off != NF_OFF_NONE && off + n <= c->dlen;
}

/* Re-read the frame start after a prepend or an adj. */
static inline void
ctx_sync(struct act_ctx *c)
{
	c->p = rte_pktmbuf_mtod(c->m, uint8_t *);
	c->dlen = rte_pktmbuf_data_len(c->m);
}

static inline uint16_t
off_shift(uint16_t off, int d)
{
	return off == NF_OFF_NONE ? off : (uint16_t)(off + d);
}

static inline bool
is_tpid(rte_be16_t t)
{
	return t == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		t == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

/* A tag right after the (inner) MACs: the only one POP/SET_VID touch. */
static inline bool
lay_tagged(const struct nf_pkt_layout *lay)
{
	return lay->vlan != NF_OFF_NONE && lay->l2 != NF_OFF_NONE &&
		lay->vlan == lay->l2 + MACS_LEN;
}

/* A UDP checksum field after an update: 0 is sent as all ones (RFC 768). */
static inline rte_be16_t
udp_csum_fix(rte_be16_t csum)
{
	return csum == 0 ? RTE_BE16(0xffff) : csum;
}

/* Flags that can run: parameterised actions need their parameters. */
static inline uint32_t
eff_flags(const struct snic_actions *a)
{
	uint32_t f = a->flags;

	if (a->rw == NULL)
		f &= ~A_NEED_RW;
	else if (a->rw->encap == NULL)
		f &= ~SNIC_A_ENCAP;
	return f;
}

/*
 * MODIFY_FIELD on a field of `bits` bits: op on `width` bits `offset` bits
 * above its LSB; ADD/SUB wrap modulo 2^width. Out-of-range parameters are
 * clipped to the field (the rule parser refuses them; this only keeps the
 * shifts defined).
 */
static uint32_t
modify_bits(uint32_t field, unsigned int bits, const struct snic_modify *md)
{
	unsigned int off = md->offset;
	unsigned int w = md->width;
	uint32_t mask, cur, v;

	if (w == 0 || off >= bits)
		return field;
	if (w > bits - off)
		w = bits - off;
	mask = (1u << w) - 1;
	cur = (field >> off) & mask;
	v = md->value & mask;
	switch (md->op) {
	case RTE_FLOW_MODIFY_SET:
		cur = v;
		break;
	case RTE_FLOW_MODIFY_ADD:
		cur = (cur + v) & mask;
		break;
	case RTE_FLOW_MODIFY_SUB:
		cur = (cur - v) & mask;
		break;
	default:
		return field;
	}
	return (field & ~(mask << off)) | (cur << off);
}

/* ------------------------------------------------------------ DECAP */

static int
act_decap(struct act_ctx *c)
{
	struct nf_pkt_layout *lay = c->lay;
	struct nf_flow_key *key = c->key;
	uint16_t l2 = lay->l2;

	if (!(key->flags & NF_KEY_F_TUNNEL))
		return 0;
	if (!has(c, l2, RTE_ETHER_HDR_LEN) || rte_pktmbuf_adj(c->m, l2) == NULL)
		return -1;
	ctx_sync(c);
	lay->l2 = 0;
	lay->l3 = off_shift(lay->l3, -l2);
	lay->l4 = off_shift(lay->l4, -l2);
	lay->vlan = lay->vlan >= l2 ? off_shift(lay->vlan, -l2) : NF_OFF_NONE;
	lay->outer_l3 = NF_OFF_NONE;
	lay->outer_l4 = NF_OFF_NONE;
	lay->vxlan = NF_OFF_NONE;
	/* What a parse of the decapsulated frame would say. */
	key->flags &= ~(NF_KEY_F_TUNNEL | NF_KEY_F_OUTER_V6);
	key->vni = 0;
	key->vxlan_rsvd0 = 0;
	memset(key->outer_src, 0, sizeof(key->outer_src));
	memset(key->outer_dst, 0, sizeof(key->outer_dst));
	return 0;
}

/* ------------------------------------------------------------ VLAN */

/* After a pop: the key and layout follow whatever now follows the MACs. */
static void
vlan_refresh(struct act_ctx *c)
{
	struct nf_pkt_layout *lay = c->lay;
	struct nf_flow_key *key = c->key;
	uint32_t t = lay->l2 + MACS_LEN;

	key->eth_type = rd16(c->p + t);
	if (is_tpid(key->eth_type) && has(c, t, VLAN_LEN + 2)) {
		/* Was QinQ: the next tag is now the first one. */
		lay->vlan = t;
		key->vlan_tci = rd16(c->p + t + 2);
		key->inner_type = rd16(c->p + t + 4);
		return;
	}
	lay->vlan = NF_OFF_NONE;
	key->flags &= ~NF_KEY_F_VLAN;
	key->vlan_tci = 0;
	key->inner_type = 0;
}

/*
 * Slide everything before the tag (outer headers, if any, and the MACs)
 * 4 bytes forward over it: the shorter move of the two.
 */
static int
act_pop_vlan(struct act_ctx *c)
{
	struct nf_pkt_layout *lay = c->lay;
	uint32_t pre = lay->vlan;

	if (!lay_tagged(lay))
		return 0;
	if (!has(c, pre, VLAN_LEN + 2))
		return -1;
	memmove(c->p + VLAN_LEN, c->p, pre);
	if (rte_pktmbuf_adj(c->m, VLAN_LEN) == NULL)
		return -1;
	ctx_sync(c);
	c->grow -= VLAN_LEN;
	lay->l3 = off_shift(lay->l3, -VLAN_LEN);
	lay->l4 = off_shift(lay->l4, -VLAN_LEN);
	vlan_refresh(c);
	return 0;
}

/* New first tag with TCI 0; SET_VID/SET_PCP, applied next, fill it in. */
static int
act_push_vlan(struct act_ctx *c)
{
	struct nf_pkt_layout *lay = c->lay;
	struct nf_flow_key *key = c->key;
	uint32_t pre = (uint32_t)lay->l2 + MACS_LEN;

	if (!has(c, lay->l2, MACS_LEN + 2))
		return -1;
	if (rte_pktmbuf_prepend(c->m, VLAN_LEN) == NULL)
		return -1;
	ctx_sync(c);
	memmove(c->p, c->p + VLAN_LEN, pre);
	wr16(c->p + pre, c->rw->push_tpid);
	wr16(c->p + pre + 2, 0);
	c->grow += VLAN_LEN;
	lay->l3 = off_shift(lay->l3, VLAN_LEN);
	lay->l4 = off_shift(lay->l4, VLAN_LEN);
	lay->vlan = pre;
	key->flags |= NF_KEY_F_VLAN;
	key->eth_type = c->rw->push_tpid;
	key->vlan_tci = 0;
	key->inner_type = rd16(c->p + pre + VLAN_LEN);
	return 0;
}

/* SET_VID / SET_PCP on the first tag; an untagged packet is left alone. */
static int
act_set_tci(struct act_ctx *c)
{
	uint32_t t = c->lay->vlan;
	uint16_t tci;

	if (!lay_tagged(c->lay))
		return 0;
	if (!has(c, t, VLAN_LEN))
		return -1;
	tci = rte_be_to_cpu_16(rd16(c->p + t + 2));
	if (c->f & SNIC_A_SET_VID)
		tci = (tci & ~VLAN_VID_MASK) | (c->rw->vid & VLAN_VID_MASK);
	if (c->f & SNIC_A_SET_PCP)
		tci = (uint16_t)((tci & ~(7u << VLAN_PCP_SHIFT)) |
			((c->rw->pcp & 7u) << VLAN_PCP_SHIFT));
	c->key->vlan_tci = rte_cpu_to_be_16(tci);
	wr16(c->p + t + 2, c->key->vlan_tci);
	return 0;
}

/* ------------------------------------------------------------ MAC */

static int
act_set_mac(struct act_ctx *c)
{
	uint8_t *eth = c->p + c->lay->l2;

	if (!has(c, c->lay->l2, MACS_LEN))
		return -1;
	if (c->f & SNIC_A_SET_MAC_DST) {
		memcpy(eth, &c->rw->mac_dst, RTE_ETHER_ADDR_LEN);
		c->key->dst_mac = c->rw->mac_dst;
	}
	if (c->f & SNIC_A_SET_MAC_SRC) {
		memcpy(eth + RTE_ETHER_ADDR_LEN, &c->rw->mac_src,
		       RTE_ETHER_ADDR_LEN);
		c->key->src_mac = c->rw->mac_src;
	}
	return 0;
}

/* ------------------------------------------------------------ IP */

/*
 * The L4 checksums that cover the addresses through the pseudo-header:
 * TCP, UDP and (IPv6) ICMPv6. A later fragment has no L4 header.
 */
static int
l4_csum_addr(struct act_ctx *c, const uint8_t *old_a, const uint8_t *new_a,
	     unsigned int alen)
{
	uint8_t proto = c->key->ip_proto;
	uint32_t l4 = c->lay->l4;
	uint8_t *h = c->p + l4;

	if (l4 == NF_OFF_NONE || (c->key->flags & NF_KEY_F_LATER_FRAG))
		return 0;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		if (!has(c, l4, proto == IPPROTO_TCP ? TCP_CSUM_END : UDP_HLEN))
			return -1;
		nf_pkt_l4_csum_addr(h, proto, old_a, new_a, alen, alen == 16);
	} else if (proto == IPPROTO_ICMPV6 && alen == 16) {
		if (!has(c, l4, ICMP6_CSUM_END))
			return -1;
		wr16(h + 2, nf_csum_update(rd16(h + 2), old_a, new_a, alen));
	}
	return 0;
}

/* Write one address at ip + field; the key keeps the new value. */
static int
ip_addr_write(struct act_ctx *c, uint32_t field, const uint8_t *new_a,
	      uint8_t *key_a, unsigned int alen)
{
	uint8_t *ip = c->p + c->lay->l3;
	uint8_t old_a[16];

	memcpy(old_a, ip + field, alen);
	memcpy(ip + field, new_a, alen);
	memcpy(key_a, new_a, alen);
	if (alen == 4)
		wr16(ip + IP4_CSUM, nf_csum_update(rd16(ip + IP4_CSUM),
			old_a, new_a, alen));
	return l4_csum_addr(c, old_a, new_a, alen);
}

/* SET_IPV4/IPV6_SRC/DST; a packet of the other IP version is left alone. */
static int
act_set_ip(struct act_ctx *c)
{
	bool v6 = c->f & SNIC_A_SET_IP6;
	unsigned int alen = v6 ? 16 : 4;
	int rc = 0;

	if (!(c->key->flags & (v6 ? NF_KEY_F_IPV6 : NF_KEY_F_IPV4)))
		return 0;
	if (!has(c, c->lay->l3, v6 ? IPV6_HLEN : IPV4_HLEN))
		return -1;
	if (c->f & SNIC_A_SET_IP_SRC)
		rc = ip_addr_write(c, v6 ? IP6_SRC : IP4_SRC, c->rw->ip_src,
				   c->key->src_ip, alen);
	if (rc == 0 && (c->f & SNIC_A_SET_IP_DST))
		rc = ip_addr_write(c, v6 ? IP6_DST : IP4_DST, c->rw->ip_dst,
				   c->key->dst_ip, alen);
	return rc;
}

/*
 * A TTL of 0 is left as is rather than wrapped: snic_actions_precheck()
 * sends packets with TTL <= 1 to software before we get here (N-6, V-3).
 */
static int
act_dec_ttl(struct act_ctx *c)
{
	uint32_t l3 = c->lay->l3;
	uint8_t *ip = c->p + l3;
	rte_be16_t old_w;

	if (c->key->flags & NF_KEY_F_IPV4) {
		if (!has(c, l3, IPV4_HLEN))
			return -1;
		if (ip[IP4_TTL] == 0)
			return 0;
		old_w = rd16(ip + IP4_TTL);
		ip[IP4_TTL]--;
		wr16(ip + IP4_CSUM, nf_csum_update16(rd16(ip + IP4_CSUM),
			old_w, rd16(ip + IP4_TTL)));
		c->key->ttl = ip[IP4_TTL];
	} else if (c->key->flags & NF_KEY_F_IPV6) {
		if (!has(c, l3, IPV6_HLEN))
			return -1;
		if (ip[IP6_HOPS] == 0)
			return 0;
		ip[IP6_HOPS]--;
		c->key->ttl = ip[IP6_HOPS];
	}
	return 0;
}

/* MODIFY_FIELD IPV4_DSCP / IPV6_DSCP: the upper 6 bits of TOS / TC. A
 * packet of the other IP version than the field's is left alone, like
 * SET_IP_* (SNIC_A_SET_IP6: the rule named IPV6_DSCP). */
static int
act_mod_dscp(struct act_ctx *c)
{
	const struct snic_modify *md = &c->rw->dscp;
	bool v6 = c->f & SNIC_A_SET_IP6;
	uint32_t l3 = c->lay->l3;
	uint8_t *ip = c->p + l3;

	if (!(c->key->flags & (v6 ? NF_KEY_F_IPV6 : NF_KEY_F_IPV4)))
		return 0;
	if (c->key->flags & NF_KEY_F_IPV4) {
		rte_be16_t old_w;
		uint8_t tos;

		if (!has(c, l3, IPV4_HLEN))
			return -1;
		old_w = rd16(ip);
		tos = ip[IP4_TOS];
		ip[IP4_TOS] = (uint8_t)(modify_bits(tos >> 2, DSCP_BITS, md)
			<< 2 | (tos & 3u));
		wr16(ip + IP4_CSUM, nf_csum_update16(rd16(ip + IP4_CSUM),
			old_w, rd16(ip)));
		c->key->tos = ip[IP4_TOS];
	} else if (c->key->flags & NF_KEY_F_IPV6) {
		uint32_t w, dscp;

		if (!has(c, l3, IPV6_HLEN))
			return -1;
		w = rte_be_to_cpu_32(rd32(ip));
		dscp = modify_bits((w >> IP6_DSCP_SHIFT) & 0x3fu, DSCP_BITS,
				   md);
		w = (w & ~(0x3fu << IP6_DSCP_SHIFT)) | dscp << IP6_DSCP_SHIFT;
		wr32(ip, rte_cpu_to_be_32(w));
		c->key->tos = (uint8_t)(w >> IP6_TC_SHIFT);
	}
	return 0;
}

/* ----------------------------------------- inner rewrites in a tunnel */

/*
 * End of the inner header bytes [l2, end) the inner rewrites may change:
 * MACs and a tag, the fixed IP header, the L4 checksum. Extra unchanged
 * bytes do no harm; after a push or pop the same bytes end at end + grow.
 */
static uint32_t
inner_end(const struct act_ctx *c)
{
	const struct nf_pkt_layout *lay = c->lay;
	uint32_t end = (uint32_t)lay->l2 + RTE_ETHER_HDR_LEN + VLAN_LEN;

	if (lay->l3 != NF_OFF_NONE)
		end = RTE_MAX(end, (uint32_t)lay->l3 + IPV6_HLEN);
	if (lay->l4 != NF_OFF_NONE)
		end = RTE_MAX(end, (uint32_t)lay->l4 + TCP_CSUM_END);
	return end;
}

/* One's-complement sum of [l2, end), memory order, within the segment. */
static uint16_t
inner_sum(const struct act_ctx *c, uint32_t end)
{
	uint32_t l2 = c->lay->l2;

	if (end > c->dlen)
		end = c->dlen;
	if (l2 >= end)
		return 0;
	return rte_raw_cksum(c->p + l2, end - l2);
}

/* Does the outer UDP checksum of a tunnelled packet need maintaining? */
static bool
outer_csum_on(const struct act_ctx *c)
{
	uint32_t udp = c->lay->outer_l4;

	return has(c, udp, UDP_HLEN) && rd16(c->p + udp + UDP_CSUM) != 0;
}

/* Outer IP length fields after the inner frame grew by d bytes. */
static int
outer_ip_len(struct act_ctx *c, int d)
{
	uint32_t l3 = c->lay->outer_l3;
	uint8_t *ip = c->p + l3;
	rte_be16_t old_w, new_w;

	if (!has(c, l3, IPV4_HLEN))
		return -1;
	if ((ip[0] >> 4) == 4) {
		old_w = rd16(ip + IP4_TOTLEN);
		new_w = rte_cpu_to_be_16(rte_be_to_cpu_16(old_w) + d);
		wr16(ip + IP4_TOTLEN, new_w);
		wr16(ip + IP4_CSUM, nf_csum_update16(rd16(ip + IP4_CSUM),
			old_w, new_w));
		return 0;
	}
	if (!has(c, l3, IPV6_HLEN))
		return -1;
	old_w = rd16(ip + IP6_PLEN);
	wr16(ip + IP6_PLEN, rte_cpu_to_be_16(rte_be_to_cpu_16(old_w) + d));
	return 0;
}

/*
 * The inner frame of a still-tunnelled packet changed: fix the outer
 * lengths and, when it is in use, the outer UDP checksum. s0 is the
 * inner_sum() up to end0 from before the change. The UDP length counts
 * twice in the checksum: in the header and in the pseudo-header.
 */
static int
outer_fix(struct act_ctx *c, bool csum_on, uint16_t s0, uint32_t end0)
{
	uint32_t udp = c->lay->outer_l4;
	uint8_t *uh = c->p + udp;
	rte_be16_t csum, old_w, new_w;

	if (!has(c, udp, UDP_HLEN))
		return -1;
	csum = rd16(uh + UDP_CSUM);
	if (c->grow != 0) {
		if (outer_ip_len(c, c->grow) != 0)
			return -1;
		old_w = rd16(uh + UDP_LEN);
		new_w = rte_cpu_to_be_16(rte_be_to_cpu_16(old_w) + c->grow);
		wr16(uh + UDP_LEN, new_w);
		csum = nf_csum_update16(csum, old_w, new_w);
		csum = nf_csum_update16(csum, old_w, new_w);
	}
	if (!csum_on)
		return 0;
	/* Word pairing must match the UDP checksum's: VXLAN keeps l2 even. */
	if ((c->lay->l2 - udp) & 1)
		csum = 0;
	else
		csum = udp_csum_fix(nf_csum_update16(csum, s0,
			inner_sum(c, end0 + c->grow)));
	wr16(uh + UDP_CSUM, csum);
	return 0;
}

static int
inner_rewrites(struct act_ctx *c)
{
	uint32_t f = c->f;

	if ((f & SNIC_A_POP_VLAN) && act_pop_vlan(c) != 0)
		return -1;
	if ((f & (SNIC_A_SET_MAC_SRC | SNIC_A_SET_MAC_DST)) &&
	    act_set_mac(c) != 0)
		return -1;
	if ((f & (SNIC_A_SET_IP_SRC | SNIC_A_SET_IP_DST)) &&
	    act_set_ip(c) != 0)
		return -1;
	if ((f & SNIC_A_DEC_TTL) && act_dec_ttl(c) != 0)
		return -1;
	if ((f & SNIC_A_MOD_DSCP) && act_mod_dscp(c) != 0)
		return -1;
	if ((f & SNIC_A_PUSH_VLAN) && act_push_vlan(c) != 0)
		return -1;
	if ((f & (SNIC_A_SET_VID | SNIC_A_SET_PCP)) && act_set_tci(c) != 0)
		return -1;
	return 0;
}

static int
act_inner(struct act_ctx *c)
{
	bool tun = c->key->flags & NF_KEY_F_TUNNEL;
	bool csum_on = tun && outer_csum_on(c);
	uint32_t end0 = csum_on ? inner_end(c) : 0;
	uint16_t s0 = csum_on ? inner_sum(c, end0) : 0;

	if (inner_rewrites(c) != 0)
		return -1;
	return tun ? outer_fix(c, csum_on, s0, end0) : 0;
}

/* ------------------------------------------------------------ ENCAP */

/* Lengths of the outer IP header; tot: outer IP header to end of packet. */
static void
encap_fill_ip(uint8_t *ip, bool v6, uint32_t tot)
{
	if (v6) {
		wr16(ip + IP6_PLEN, rte_cpu_to_be_16(tot - IPV6_HLEN));
		return;
	}
	wr16(ip + IP4_TOTLEN, rte_cpu_to_be_16(tot));
	wr16(ip + IP4_CSUM, nf_ipv4_csum(ip));
}

/*
 * UDP checksum 0: allowed for VXLAN over IPv4 (RFC 7348) and for tunnels
 * over IPv6 (RFC 6935). Source port from the inner flow when the
 * definition left it 0 (N-7: fragments of a datagram share it).
 */
static void
encap_fill_udp(uint8_t *uh, uint32_t ulen, const struct snic_encap *e,
	       const struct nf_flow_key *inner)
{
	wr16(uh + UDP_LEN, rte_cpu_to_be_16(ulen));
	wr16(uh + UDP_CSUM, 0);
	if (e->hash_sport && inner != NULL)
		wr16(uh + UDP_SPORT,
		     rte_cpu_to_be_16(nf_vxlan_src_port(inner)));
}

/* A definition the parser should never produce; refused, not trusted. */
static bool
encap_sane(const struct snic_encap *e)
{
	uint32_t hl = e->ipv6 ? IPV6_HLEN : IPV4_HLEN;

	return e->len <= sizeof(e->hdr) && e->l3_off >= RTE_ETHER_HDR_LEN &&
		(uint32_t)e->l3_off + hl <= e->l4_off &&
		(uint32_t)e->l4_off + UDP_HLEN + VXLAN_HLEN <= e->len;
}

int
snic_encap_apply(const struct snic_encap *e, struct rte_mbuf *m,
		 const struct nf_flow_key *inner)
{
	uint32_t tot;
	uint8_t *p;

	if (!encap_sane(e))
		return -EINVAL;
	tot = rte_pktmbuf_pkt_len(m) + e->len - e->l3_off;
	if (tot > UINT16_MAX)
		return -EINVAL;
	p = (uint8_t *)rte_pktmbuf_prepend(m, e->len);
	if (p == NULL)
		return -ENOSPC;
	memcpy(p, e->hdr, e->len);
	encap_fill_ip(p + e->l3_off, e->ipv6, tot);
	encap_fill_udp(p + e->l4_off, tot - (e->l4_off - e->l3_off), e, inner);
	return 0;
}

/* The key's outer fields, as a parse of the encapsulated packet sets them. */
static void
encap_key(struct act_ctx *c, const struct snic_encap *e)
{
	struct nf_flow_key *key = c->key;
	const uint8_t *ip = c->p + e->l3_off;
	const uint8_t *vx = c->p + e->l4_off + UDP_HLEN;

	key->flags |= NF_KEY_F_TUNNEL;
	key->flags &= ~NF_KEY_F_OUTER_V6;
	key->vni = rd32(vx + VXLAN_VNI) & RTE_BE32(0xffffff00);
	key->vxlan_rsvd0 = rd32(vx) & RTE_BE32(0x00ffffff);
	memset(key->outer_src, 0, sizeof(key->outer_src));
	memset(key->outer_dst, 0, sizeof(key->outer_dst));
	if (e->ipv6) {
		key->flags |= NF_KEY_F_OUTER_V6;
		memcpy(key->outer_src, ip + IP6_SRC, 16);
		memcpy(key->outer_dst, ip + IP6_DST, 16);
	} else {
		memcpy(key->outer_src, ip + IP4_SRC, 4);
		memcpy(key->outer_dst, ip + IP4_DST, 4);
	}
}

static int
act_encap(struct act_ctx *c)
{
	const struct snic_encap *e = c->rw->encap;
	struct nf_pkt_layout *lay = c->lay;

	if (snic_encap_apply(e, c->m, c->key) != 0)
		return -1;
	ctx_sync(c);
	lay->l2 = off_shift(lay->l2, e->len);
	lay->l3 = off_shift(lay->l3, e->len);
	lay->l4 = off_shift(lay->l4, e->len);
	lay->vlan = off_shift(lay->vlan, e->len);
	lay->outer_l3 = e->l3_off;
	lay->outer_l4 = e->l4_off;
	lay->vxlan = e->l4_off + UDP_HLEN;
	encap_key(c, e);
	return 0;
}

/* ------------------------------------------------------------ RSVD0 */

/*
 * MODIFY_FIELD VXLAN_RSVD0: bytes 1..3 of the VXLAN header (the new one
 * after ENCAP, else the received one). A received datagram may carry a
 * UDP checksum: it is updated, the VXLAN header being at an even offset.
 */
static int
act_mod_rsvd0(struct act_ctx *c)
{
	uint32_t vx = c->lay->vxlan;
	uint32_t udp = c->lay->outer_l4;
	uint8_t *uh = c->p + udp;
	uint32_t old_w, h;
	rte_be16_t csum;

	if (!(c->key->flags & NF_KEY_F_TUNNEL))
		return 0;
	if (!has(c, vx, VXLAN_HLEN) || !has(c, udp, UDP_HLEN))
		return -1;
	old_w = rd32(c->p + vx);
	h = rte_be_to_cpu_32(old_w);
	h = (h & 0xff000000u) | modify_bits(h & 0x00ffffffu, RSVD0_BITS,
					    &c->rw->rsvd0);
	wr32(c->p + vx, rte_cpu_to_be_32(h));
	c->key->vxlan_rsvd0 = rte_cpu_to_be_32(h & 0x00ffffffu);
	csum = rd16(uh + UDP_CSUM);
	if (csum == 0)
		return 0;
	if ((vx - udp) & 1)
		csum = 0;
	else
		csum = udp_csum_fix(nf_csum_update(csum, &old_w, c->p + vx, 4));
	wr16(uh + UDP_CSUM, csum);
	return 0;
}

/* ------------------------------------------------------------ entry */

static int
act_all(struct act_ctx *c)
{
	uint32_t f = c->f;

	if ((f & SNIC_A_DECAP) && act_decap(c) != 0)
		return -1;
	if ((f & A_INNER) && act_inner(c) != 0)
		return -1;
	if ((f & SNIC_A_ENCAP) && act_encap(c) != 0)
		return -1;
	if ((f & SNIC_A_MOD_RSVD0) && act_mod_rsvd0(c) != 0)
		return -1;
	return 0;
}

int
snic_actions_apply(const struct snic_actions *a, struct rte_mbuf *m,
		   struct nf_flow_key *key, struct nf_pkt_layout *lay)
{
	uint32_t f = eff_flags(a);

	if (f & SNIC_A_REWRITE) {
		struct act_ctx c = {
			.m = m, .key = key, .lay = lay, .rw = a->rw, .f = f,
		};

		ctx_sync(&c);
		if (act_all(&c) != 0)
			return SNIC_V_ERR_HEADROOM;
	}
	return snic_actions_verdict(a, key);
}

int
snic_actions_len_delta(const struct snic_actions *a,
		       const struct nf_flow_key *key,
		       const struct nf_pkt_layout *lay)
{
	uint32_t f = eff_flags(a);
	int d = 0;

	if ((f & SNIC_A_DECAP) && (key->flags & NF_KEY_F_TUNNEL))
		d -= lay->l2;
	if ((f & SNIC_A_POP_VLAN) && lay_tagged(lay))
		d -= VLAN_LEN;
	if (f & SNIC_A_PUSH_VLAN)
		d += VLAN_LEN;
	if (f & SNIC_A_ENCAP)
		d += a->rw->encap->len;
	return d;
}

/* Does the frame's outermost Ethernet header carry a tag after a's rewrites? */
static bool
result_outer_tagged(const struct snic_actions *a, uint32_t f,
		    const struct rte_mbuf *m, const struct nf_flow_key *key,
		    const struct nf_pkt_layout *lay)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t dlen = rte_pktmbuf_data_len(m);

	if (f & SNIC_A_ENCAP)
		return a->rw->encap->len >= RTE_ETHER_HDR_LEN &&
			is_tpid(rd16(a->rw->encap->hdr + MACS_LEN));
	if ((key->flags & NF_KEY_F_TUNNEL) && !(f & SNIC_A_DECAP))
		return dlen >= RTE_ETHER_HDR_LEN && is_tpid(rd16(p + MACS_LEN));
	if (f & SNIC_A_PUSH_VLAN)
		return true;
	if (!lay_tagged(lay))
		return false;
	if (!(f & SNIC_A_POP_VLAN))
		return true;
	/* Popping one tag of a QinQ stack leaves the next. */
	return lay->vlan + VLAN_LEN + 2u <= dlen &&
		is_tpid(rd16(p + lay->vlan + VLAN_LEN));
}

/* N-15: the L3 packet the port would send must fit its MTU. */
static bool
too_big(const struct snic_switch *sw, const struct snic_actions *a,
	uint32_t f, const struct rte_mbuf *m, const struct nf_flow_key *key,
	const struct nf_pkt_layout *lay)
{
	const struct snic_port *port = snic_port_get(sw, a->out_port);
	int64_t l3len;

	if (port == NULL)
		return false;  /* the caller drops it as port down */
	/* Fast path: a frame that fits even after the largest growth these
	 * actions can make (a tag and an encapsulation) needs no layout walk;
	 * this is nearly every packet, and the walk cost ~10 ns each. */
	if (rte_pktmbuf_pkt_len(m) + VLAN_LEN +
	    ((f & SNIC_A_ENCAP) ? a->rw->encap->len : 0) <=
	    (uint32_t)__atomic_load_n(&port->mtu, __ATOMIC_RELAXED) +
	    RTE_ETHER_HDR_LEN)
		return false;
	l3len = (int64_t)rte_pktmbuf_pkt_len(m) +
		snic_actions_len_delta(a, key, lay) - RTE_ETHER_HDR_LEN -
		(result_outer_tagged(a, f, m, key, lay) ? VLAN_LEN : 0);
	return l3len > __atomic_load_n(&port->mtu, __ATOMIC_RELAXED);
}

int
snic_actions_precheck(const struct snic_switch *sw,
		      const struct snic_actions *a, const struct rte_mbuf *m,
		      const struct nf_flow_key *key,
		      const struct nf_pkt_layout *lay)
{
	uint32_t f = eff_flags(a);

	if ((f & SNIC_A_PORT) && sw != NULL && too_big(sw, a, f, m, key, lay))
		return SNIC_V_MISS_MTU;
	/* N-17: only VXLAN addressed to a configured local endpoint. */
	if ((f & SNIC_A_DECAP) && (key->flags & NF_KEY_F_TUNNEL) &&
	    sw != NULL && !snic_tunnel_accepts(sw, key))
		return SNIC_V_MISS_TUNNEL;
	/* Software answers ICMP time exceeded (V-3). */
	if ((f & SNIC_A_DEC_TTL) &&
	    (key->flags & (NF_KEY_F_IPV4 | NF_KEY_F_IPV6)) && key->ttl <= 1)
		return SNIC_V_MISS_TTL;
	return SNIC_V_FWD;
}
