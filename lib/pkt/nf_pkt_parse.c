/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Frame -> struct nf_flow_key + struct nf_pkt_layout.
 *
 * Each layer is handled by a short function picked from a table keyed by
 * the value the previous layer names it with (EtherType, IP protocol, IPv6
 * extension header type), so adding a protocol is adding a table row.
 *
 * Two bounds are carried while parsing:
 *  - ps->rd: the bytes we may read, i.e. the first segment. Every header must
 *    lie entirely inside it; this is what keeps the parser from ever touching
 *    memory past data_len.
 *  - end: the logical end of the enclosing unit (the frame, then the IP
 *    datagram, then the UDP datagram carrying VXLAN). Length fields are
 *    checked against it only, so a valid multi-segment packet whose payload
 *    sits in later segments is not refused; for a single-segment mbuf the
 *    two are the same at the outer level.
 * Offsets are kept in 32 bits while computing so that "off + len" cannot wrap
 * before being compared.
 *
 * Choices nf_pkt.h leaves open: lay->l4 is set only for the protocols of
 * l4_ops (TCP, UDP, ICMP, ICMPv6), since only there is a header known to
 * exist; lay->l3_len is 0 for a non-IP frame; a first fragment's UDP length
 * is only checked against 8, as it covers the whole datagram.
 */

#include <assert.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_common.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_vxlan.h>
#include <rte_mbuf.h>

#include "nf_pkt.h"

/* Longest chain of IPv6 extension headers walked before giving up. */
#define NF_IPV6_MAX_EXT 8
/* VXLAN flags byte: I (valid VNI) set, every other flag bit clear. */
#define NF_VXLAN_FLAGS_I 0x08
/* Minimum ICMPv4 header: type, code, checksum and the 4-byte rest. */
#define NF_ICMP4_HLEN 8
/* ICMPv6 header common to all messages: type, code, checksum. */
#define NF_ICMP6_HLEN 4
/* Every IPv6 extension header is a multiple of 8 bytes, at least 8. */
#define NF_IPV6_EXT_UNIT 8

struct parse_state {
	const uint8_t *p;          /* frame start (mtod) */
	uint32_t rd;               /* readable bytes: the first segment */
	struct nf_flow_key *key;
	struct nf_pkt_layout *lay;
	bool inner;                /* inside VXLAN: no second tunnel level */
};

/* Walk state for IPv6 extension headers. */
struct ip6_walk {
	uint32_t off;  /* start of the header of type nh */
	uint32_t end;  /* end of the IPv6 payload */
	uint8_t nh;    /* type of the header at off */
	bool stop;     /* a later fragment: what follows is data, not headers */
};

typedef int (*l3_parse_fn)(struct parse_state *ps, uint32_t off, uint32_t end);
typedef int (*l4_parse_fn)(struct parse_state *ps, uint32_t off, uint32_t end);
typedef int (*ext_walk_fn)(struct parse_state *ps, struct ip6_walk *w);

static int parse_eth(struct parse_state *ps, uint32_t off, uint32_t end);
static int parse_ipv4(struct parse_state *ps, uint32_t off, uint32_t end);
static int parse_ipv6(struct parse_state *ps, uint32_t off, uint32_t end);
static int parse_tcp(struct parse_state *ps, uint32_t off, uint32_t end);
static int parse_udp(struct parse_state *ps, uint32_t off, uint32_t end);
static int parse_icmp(struct parse_state *ps, uint32_t off, uint32_t end);
static int walk_opts(struct parse_state *ps, struct ip6_walk *w);
static int walk_frag(struct parse_state *ps, struct ip6_walk *w);

static const char *const err_names[NF_PKT_ERR_MAX] = {
	[NF_PKT_OK] = "ok",
	[NF_PKT_ERR_TRUNC_ETH] = "trunc_eth",
	[NF_PKT_ERR_TRUNC_VLAN] = "trunc_vlan",
	[NF_PKT_ERR_TRUNC_IPV4] = "trunc_ipv4",
	[NF_PKT_ERR_IPV4_IHL] = "ipv4_ihl",
	[NF_PKT_ERR_IPV4_LEN] = "ipv4_len",
	[NF_PKT_ERR_TRUNC_IPV6] = "trunc_ipv6",
	[NF_PKT_ERR_IPV6_LEN] = "ipv6_len",
	[NF_PKT_ERR_IPV6_EXT] = "ipv6_ext",
	[NF_PKT_ERR_TRUNC_TCP] = "trunc_tcp",
	[NF_PKT_ERR_TCP_DOFF] = "tcp_doff",
	[NF_PKT_ERR_TRUNC_UDP] = "trunc_udp",
	[NF_PKT_ERR_UDP_LEN] = "udp_len",
	[NF_PKT_ERR_TRUNC_ICMP] = "trunc_icmp",
	[NF_PKT_ERR_TRUNC_VXLAN] = "trunc_vxlan",
	[NF_PKT_ERR_VXLAN_FLAGS] = "vxlan_flags",
};

/* L3 by EtherType (after at most one VLAN tag); anything else is non-IP. */
static const struct {
	uint16_t ether_type;
	l3_parse_fn parse;
} l3_ops[] = {
	{ RTE_ETHER_TYPE_IPV4, parse_ipv4 },
	{ RTE_ETHER_TYPE_IPV6, parse_ipv6 },
};

/*
 * L4 by IP protocol. min_len is what must be present before parse() may
 * look at the header; a protocol without a row is keyed by ip_proto only.
 * ICMP and ICMPv6 are accepted over either IP version: the key only needs
 * type and code, and refusing the odd combination would buy nothing.
 */
static const struct l4_ops {
	uint8_t min_len;
	uint8_t trunc_err;
	l4_parse_fn parse;
} l4_ops[UINT8_MAX + 1] = {
	[IPPROTO_TCP] = { sizeof(struct rte_tcp_hdr), NF_PKT_ERR_TRUNC_TCP,
		parse_tcp },
	[IPPROTO_UDP] = { sizeof(struct rte_udp_hdr), NF_PKT_ERR_TRUNC_UDP,
		parse_udp },
	[IPPROTO_ICMP] = { NF_ICMP4_HLEN, NF_PKT_ERR_TRUNC_ICMP, parse_icmp },
	[IPPROTO_ICMPV6] = { NF_ICMP6_HLEN, NF_PKT_ERR_TRUNC_ICMP, parse_icmp },
};

/* IPv6 extension headers we step over; any other type is the upper layer. */
static const ext_walk_fn ext_ops[UINT8_MAX + 1] = {
	[IPPROTO_HOPOPTS] = walk_opts,
	[IPPROTO_ROUTING] = walk_opts,
	[IPPROTO_DSTOPTS] = walk_opts,
	[IPPROTO_FRAGMENT] = walk_frag,
};

const char *
nf_pkt_err_name(enum nf_pkt_err err)
{
	if ((unsigned int)err >= RTE_DIM(err_names) || err_names[err] == NULL)
		return "unknown";
	return err_names[err];
}

/* Does [off, off + len) lie inside both the unit and the first segment? */
static inline bool
fits(const struct parse_state *ps, uint32_t off, uint32_t len, uint32_t end)
{
	return off + len <= end && off + len <= ps->rd;
}

/* Host-order value of the big-endian 16-bit field at p, any alignment. */
static inline uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
layout_reset(struct nf_pkt_layout *lay, uint16_t l2)
{
	lay->l2 = l2;
	lay->l3 = NF_OFF_NONE;
	lay->l4 = NF_OFF_NONE;
	lay->vlan = NF_OFF_NONE;
	lay->l3_len = 0;
}

static int
parse_l3(struct parse_state *ps, uint16_t type, uint32_t off, uint32_t end)
{
	for (unsigned int i = 0; i < RTE_DIM(l3_ops); i++)
		if (l3_ops[i].ether_type == type)
			return l3_ops[i].parse(ps, off, end);
	/* ARP, LLDP, QinQ stacks, ...: keyed by L2 alone, not an error. */
	return NF_PKT_OK;
}

static int
parse_eth(struct parse_state *ps, uint32_t off, uint32_t end)
{
	struct nf_flow_key *key = ps->key;
	const uint8_t *h = ps->p + off;
	uint16_t type;

	if (!fits(ps, off, RTE_ETHER_HDR_LEN, end))
		return NF_PKT_ERR_TRUNC_ETH;
	memcpy(&key->dst_mac, h, RTE_ETHER_ADDR_LEN);
	memcpy(&key->src_mac, h + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(&key->eth_type, h + 2 * RTE_ETHER_ADDR_LEN, 2);
	type = get_be16(h + 2 * RTE_ETHER_ADDR_LEN);
	off += RTE_ETHER_HDR_LEN;

	if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
		const uint8_t *tag = ps->p + off;

		if (!fits(ps, off, sizeof(struct rte_vlan_hdr), end))
			return NF_PKT_ERR_TRUNC_VLAN;
		key->flags |= NF_KEY_F_VLAN;
		memcpy(&key->vlan_tci, tag, 2);
		memcpy(&key->inner_type, tag + 2, 2);
		/* The tag starts with its TPID, i.e. at the outer EtherType. */
		ps->lay->vlan = off - 2;
		type = get_be16(tag + 2);
		off += sizeof(struct rte_vlan_hdr);
	}
	return parse_l3(ps, type, off, end);
}

/*
 * Dispatch the upper layer at off, bounded by the IP datagram's end. A later
 * fragment carries no L4 header, so it is keyed by addresses and proto only.
 */
static int
parse_l4(struct parse_state *ps, uint8_t proto, uint32_t off, uint32_t end)
{
	const struct l4_ops *ops = &l4_ops[proto];

	ps->key->ip_proto = proto;
	if ((ps->key->flags & NF_KEY_F_LATER_FRAG) || ops->parse == NULL)
		return NF_PKT_OK;
	if (!fits(ps, off, ops->min_len, end))
		return ops->trunc_err;
	ps->lay->l4 = off;
	return ops->parse(ps, off, end);
}

static int
parse_ipv4(struct parse_state *ps, uint32_t off, uint32_t end)
{
	const struct rte_ipv4_hdr *ip = (const void *)(ps->p + off);
	struct nf_flow_key *key = ps->key;
	uint32_t hlen, tlen;
	uint16_t frag;

	if (!fits(ps, off, sizeof(*ip), end))
		return NF_PKT_ERR_TRUNC_IPV4;
	hlen = (ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
		RTE_IPV4_IHL_MULTIPLIER;
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) ||
	    !fits(ps, off, hlen, end))
		return NF_PKT_ERR_IPV4_IHL;
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (tlen < hlen || off + tlen > end)
		return NF_PKT_ERR_IPV4_LEN;

	key->flags |= NF_KEY_F_IPV4;
	key->tos = ip->type_of_service;
	key->ttl = ip->time_to_live;
	memcpy(key->src_ip, &ip->src_addr, sizeof(ip->src_addr));
	memcpy(key->dst_ip, &ip->dst_addr, sizeof(ip->dst_addr));
	ps->lay->l3 = off;
	ps->lay->l3_len = tlen;

	frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		key->flags |= NF_KEY_F_FRAG;
	if (frag & RTE_IPV4_HDR_OFFSET_MASK)
		key->flags |= NF_KEY_F_LATER_FRAG;
	/* Ethernet padding after the datagram is not part of it. */
	return parse_l4(ps, ip->next_proto_id, off + hlen, off + tlen);
}

/* Hop-by-hop, routing, destination options: length in 8-byte units - 1. */
static int
walk_opts(struct parse_state *ps, struct ip6_walk *w)
{
	const uint8_t *h = ps->p + w->off;
	uint32_t len;

	if (!fits(ps, w->off, NF_IPV6_EXT_UNIT, w->end))
		return NF_PKT_ERR_IPV6_EXT;
	len = (h[1] + 1u) * NF_IPV6_EXT_UNIT;
	if (!fits(ps, w->off, len, w->end))
		return NF_PKT_ERR_IPV6_EXT;
	w->nh = h[0];
	w->off += len;
	return NF_PKT_OK;
}

static int
walk_frag(struct parse_state *ps, struct ip6_walk *w)
{
	const struct rte_ipv6_fragment_ext *fh = (const void *)(ps->p + w->off);
	uint16_t data;

	if (!fits(ps, w->off, sizeof(*fh), w->end))
		return NF_PKT_ERR_IPV6_EXT;
	data = rte_be_to_cpu_16(fh->frag_data);
	if (data & (RTE_IPV6_EHDR_MF_MASK | RTE_IPV6_EHDR_FO_MASK))
		ps->key->flags |= NF_KEY_F_FRAG;
	if (RTE_IPV6_GET_FO(data) != 0) {
		ps->key->flags |= NF_KEY_F_LATER_FRAG;
		w->stop = true;
	}
	w->nh = fh->next_header;
	w->off += sizeof(*fh);
	return NF_PKT_OK;
}

static int
parse_ipv6(struct parse_state *ps, uint32_t off, uint32_t end)
{
	const struct rte_ipv6_hdr *ip = (const void *)(ps->p + off);
	struct nf_flow_key *key = ps->key;
	struct ip6_walk w;
	uint32_t vtc, plen;
	unsigned int n;
	int rc;

	if (!fits(ps, off, sizeof(*ip), end))
		return NF_PKT_ERR_TRUNC_IPV6;
	vtc = rte_be_to_cpu_32(ip->vtc_flow);
	plen = rte_be_to_cpu_16(ip->payload_len);
	if ((vtc >> 28) != 6 || off + sizeof(*ip) + plen > end)
		return NF_PKT_ERR_IPV6_LEN;

	key->flags |= NF_KEY_F_IPV6;
	key->tos = (uint8_t)(vtc >> 20);
	key->ttl = ip->hop_limits;
	memcpy(key->src_ip, ip->src_addr, sizeof(key->src_ip));
	memcpy(key->dst_ip, ip->dst_addr, sizeof(key->dst_ip));
	ps->lay->l3 = off;
	/* Only a multi-segment frame can exceed 16 bits here: saturate. */
	ps->lay->l3_len = RTE_MIN(sizeof(*ip) + plen, (uint32_t)UINT16_MAX);

	w.off = off + sizeof(*ip);
	w.end = w.off + plen;
	w.nh = ip->proto;
	w.stop = false;
	for (n = 0; ext_ops[w.nh] != NULL && !w.stop; n++) {
		if (n == NF_IPV6_MAX_EXT)
			return NF_PKT_ERR_IPV6_EXT;
		rc = ext_ops[w.nh](ps, &w);
		if (rc != NF_PKT_OK)
			return rc;
	}
	return parse_l4(ps, w.nh, w.off, w.end);
}

static int
parse_tcp(struct parse_state *ps, uint32_t off, uint32_t end)
{
	const struct rte_tcp_hdr *th = (const void *)(ps->p + off);
	uint32_t hlen = (th->data_off >> 4) * 4u;

	if (hlen < sizeof(*th) || off + hlen > end)
		return NF_PKT_ERR_TCP_DOFF;
	ps->key->src_port = th->src_port;
	ps->key->dst_port = th->dst_port;
	ps->key->tcp_flags = th->tcp_flags;
	return NF_PKT_OK;
}

static int
parse_icmp(struct parse_state *ps, uint32_t off, uint32_t end)
{
	const uint8_t *h = ps->p + off;

	RTE_SET_USED(end);
	ps->key->icmp_type = h[0];
	ps->key->icmp_code = h[1];
	return NF_PKT_OK;
}

/*
 * From here on the key describes the inner frame: the outer addresses move to
 * outer_*, everything else the outer headers wrote is wiped so that fields
 * the inner frame lacks (a VLAN tag, ports) read as zero.
 */
static void
enter_vxlan(struct parse_state *ps, const struct rte_vxlan_hdr *vx,
	    uint32_t off)
{
	struct nf_flow_key *key = ps->key;
	struct nf_pkt_layout *lay = ps->lay;
	struct nf_flow_key outer = *key;

	memset(key, 0, sizeof(*key));
	key->in_port = outer.in_port;
	key->flags = NF_KEY_F_TUNNEL;
	if (outer.flags & NF_KEY_F_IPV6)
		key->flags |= NF_KEY_F_OUTER_V6;
	memcpy(key->outer_src, outer.src_ip, sizeof(key->outer_src));
	memcpy(key->outer_dst, outer.dst_ip, sizeof(key->outer_dst));
	key->vni = vx->vx_vni & RTE_BE32(0xffffff00);
	key->vxlan_rsvd0 = vx->vx_flags & RTE_BE32(0x00ffffff);

	lay->outer_l3 = lay->l3;
	lay->outer_l4 = lay->l4;
	lay->vxlan = off;
	layout_reset(lay, off + sizeof(*vx));
	ps->inner = true;
}

/* off: the VXLAN header; end: end of the outer UDP datagram. */
static int
parse_vxlan(struct parse_state *ps, uint32_t off, uint32_t end)
{
	const struct rte_vxlan_hdr *vx = (const void *)(ps->p + off);
	uint32_t l2 = off + sizeof(*vx);

	if (!fits(ps, off, sizeof(*vx), end))
		return NF_PKT_ERR_TRUNC_VXLAN;
	if (ps->p[off] != NF_VXLAN_FLAGS_I)
		return NF_PKT_ERR_VXLAN_FLAGS;
	if (!fits(ps, l2, RTE_ETHER_HDR_LEN, end))
		return NF_PKT_ERR_TRUNC_VXLAN;
	enter_vxlan(ps, vx, off);
	return parse_eth(ps, l2, end);
}

static int
parse_udp(struct parse_state *ps, uint32_t off, uint32_t end)
{
	const struct rte_udp_hdr *uh = (const void *)(ps->p + off);
	struct nf_flow_key *key = ps->key;
	uint32_t ulen = rte_be_to_cpu_16(uh->dgram_len);
	bool frag = key->flags & NF_KEY_F_FRAG;

	/*
	 * A first fragment's UDP length covers the whole datagram, which is
	 * longer than this fragment: only the lower bound holds there.
	 */
	if (ulen < sizeof(*uh) || (!frag && off + ulen > end))
		return NF_PKT_ERR_UDP_LEN;
	key->src_port = uh->src_port;
	key->dst_port = uh->dst_port;
	if (ps->inner || frag || uh->dst_port != RTE_BE16(NF_VXLAN_PORT))
		return NF_PKT_OK;
	return parse_vxlan(ps, off + sizeof(*uh), off + ulen);
}

/*
 * The common frame in one straight pass: Ethernet without a tag, IPv4
 * without options and not a fragment, TCP or UDP (not to the VXLAN port),
 * all lengths consistent. It gives exactly the key and layout of the
 * general walk below, which it replaces for such frames only; anything
 * else, every malformed frame included, returns false and takes the walk,
 * which starts from scratch. The walk costs ~175 instructions for a UDP
 * frame (table dispatch, a call per layer, the bounds rechecked at each);
 * this ~85 (callgrind, docs/performance.md "Update: parser fast path").
 */
static_assert(offsetof(struct nf_flow_key, src_mac) ==
	      offsetof(struct nf_flow_key, dst_mac) + RTE_ETHER_ADDR_LEN,
	      "parse_fast copies both MACs at once");
static_assert(offsetof(struct nf_flow_key, dst_port) ==
	      offsetof(struct nf_flow_key, src_port) + sizeof(rte_be16_t),
	      "parse_fast copies both ports at once");

static inline bool
parse_fast(const uint8_t *p, uint32_t rd, uint32_t end, uint16_t in_port,
	   struct nf_flow_key *key, struct nf_pkt_layout *lay)
{
	const uint32_t l3 = RTE_ETHER_HDR_LEN;
	const uint32_t l4 = l3 + sizeof(struct rte_ipv4_hdr);
	const struct rte_ipv4_hdr *ip = (const void *)(p + l3);
	const uint8_t *h = p + l4;
	uint32_t tlen, l4end, ulen;
	uint8_t proto, tcp_flags = 0;
	rte_be16_t type;

	if (rd < l4 + sizeof(struct rte_udp_hdr))
		return false;
	memcpy(&type, p + 2 * RTE_ETHER_ADDR_LEN, sizeof(type));
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
	    (ip->fragment_offset &
	     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	tlen = rte_be_to_cpu_16(ip->total_length);
	l4end = l3 + tlen;
	proto = ip->next_proto_id;
	if (l4end > end)
		return false;
	if (proto == IPPROTO_UDP) {
		const struct rte_udp_hdr *uh = (const void *)h;

		ulen = rte_be_to_cpu_16(uh->dgram_len);
		if (l4 + sizeof(*uh) > l4end || ulen < sizeof(*uh) ||
		    l4 + ulen > l4end ||
		    uh->dst_port == RTE_BE16(NF_VXLAN_PORT))
			return false;
	} else if (proto == IPPROTO_TCP) {
		const struct rte_tcp_hdr *th = (const void *)h;

		if (!(l4 + sizeof(*th) <= l4end && l4 + sizeof(*th) <= rd))
			return false;
		ulen = (th->data_off >> 4) * 4u;
		if (ulen < sizeof(*th) || l4 + ulen > l4end)
			return false;
		tcp_flags = th->tcp_flags;
	} else {
		return false;
	}

	memset(key, 0, sizeof(*key));
	key->in_port = in_port;
	key->flags = NF_KEY_F_IPV4;
	key->ip_proto = proto;
	key->eth_type = type;
	/* Destination and source MAC are adjacent in both, and so are the
	 * two ports, with which TCP and UDP both start. */
	memcpy((uint8_t *)key + offsetof(struct nf_flow_key, dst_mac), p,
	       2 * RTE_ETHER_ADDR_LEN);
	key->tos = ip->type_of_service;
	key->tcp_flags = tcp_flags;
	memcpy((uint8_t *)key + offsetof(struct nf_flow_key, src_port), h,
	       2 * sizeof(rte_be16_t));
	memcpy(key->src_ip, &ip->src_addr, sizeof(ip->src_addr));
	memcpy(key->dst_ip, &ip->dst_addr, sizeof(ip->dst_addr));
	key->ttl = ip->time_to_live;

	lay->outer_l3 = NF_OFF_NONE;
	lay->outer_l4 = NF_OFF_NONE;
	lay->vxlan = NF_OFF_NONE;
	lay->l2 = 0;
	lay->l3 = l3;
	lay->l4 = l4;
	lay->l3_len = tlen;
	lay->vlan = NF_OFF_NONE;
	return true;
}

/* The general walk, for what parse_fast() leaves. */
static __rte_noinline int
parse_walk(const uint8_t *p, uint32_t rd, uint32_t end, uint16_t in_port,
	   struct nf_flow_key *key, struct nf_pkt_layout *lay)
{
	struct parse_state ps = {
		.p = p,
		.rd = rd,
		.key = key,
		.lay = lay,
		.inner = false,
	};

	memset(key, 0, sizeof(*key));
	key->in_port = in_port;
	lay->outer_l3 = NF_OFF_NONE;
	lay->outer_l4 = NF_OFF_NONE;
	lay->vxlan = NF_OFF_NONE;
	layout_reset(lay, 0);
	return parse_eth(&ps, 0, end);
}

static inline int
parse(const struct rte_mbuf *m, uint16_t in_port, struct nf_flow_key *key,
      struct nf_pkt_layout *lay, bool fast)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t end = rte_pktmbuf_pkt_len(m);
	uint32_t rd = RTE_MIN((uint32_t)rte_pktmbuf_data_len(m), end);
	struct nf_pkt_layout scratch;

	if (lay == NULL)
		lay = &scratch;
	if (fast && likely(parse_fast(p, rd, end, in_port, key, lay)))
		return NF_PKT_OK;
	return parse_walk(p, rd, end, in_port, key, lay);
}

int
nf_pkt_parse(const struct rte_mbuf *m, uint16_t in_port,
	     struct nf_flow_key *key, struct nf_pkt_layout *lay)
{
	return parse(m, in_port, key, lay, true);
}

int
nf_pkt_parse_walk(const struct rte_mbuf *m, uint16_t in_port,
		  struct nf_flow_key *key, struct nf_pkt_layout *lay)
{
	return parse(m, in_port, key, lay, false);
}
