/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * IPv6 neighbour discovery on the uplinks (RFC 4861), what ARP is to an
 * IPv4 underlay (V-9, vs_underlay.c): the switch solicits the MAC of an
 * IPv6 next hop, learns it from the advertisement, and advertises its own
 * IPv6 VTEP address when a peer (a router, a remote VTEP, a Linux VXLAN
 * device) solicits it.
 *
 * Only what an underlay next hop needs: solicitations to the target's
 * solicited-node group with our link-layer address, solicited and override
 * advertisements in reply, learning from advertisements and from the
 * source link-layer option of solicitations (for entries that exist: an
 * uplink hears its whole segment). Router discovery, DAD for our own
 * address and redirects are not implemented; a VTEP address is configured,
 * not autoconfigured. Packets are validated as RFC 4861 §7.1.1/§7.1.2
 * says (hop limit 255, code 0, checksum, lengths, options) and invalid
 * ones are refused (-1: the caller counts and drops).
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "vs.h"

#define ND_NS 135
#define ND_NA 136
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ND_NA_SOLICITED 0x40000000u
#define ND_NA_OVERRIDE 0x20000000u
#define ND_HOP_LIMIT 255

/* NS and NA share a layout: ICMPv6 header, 4 bytes (reserved or NA
 * flags), the target, then options. Byte arrays past the checksum: after
 * a 14-byte Ethernet and a 40-byte IPv6 header it is 2-byte aligned only. */
struct nd_msg {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	uint8_t flags[4];
	uint8_t target[16];
};

struct nd_opt_lla {
	uint8_t type;
	uint8_t len; /* in 8-byte units: 1 for Ethernet */
	struct rte_ether_addr mac;
};

/* A NS or NA with one link-layer address option; checksum filled. */
static struct rte_mbuf *
nd_build(struct rte_mempool *mp, uint8_t type, const struct rte_ether_addr *smac,
	 const struct rte_ether_addr *dmac, const uint8_t sip[16],
	 const uint8_t dip[16], const uint8_t target[16], uint32_t flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip;
	struct nd_msg *nd;
	struct nd_opt_lla *opt;
	const uint16_t plen = sizeof(*nd) + sizeof(*opt);

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) +
		sizeof(*ip) + plen);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ip = (struct rte_ipv6_hdr *)(eth + 1);
	nd = (struct nd_msg *)(ip + 1);
	opt = (struct nd_opt_lla *)(nd + 1);
	eth->dst_addr = *dmac;
	eth->src_addr = *smac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(plen);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = ND_HOP_LIMIT;
	memcpy(ip->src_addr, sip, 16);
	memcpy(ip->dst_addr, dip, 16);
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	flags = rte_cpu_to_be_32(flags);
	memcpy(nd->flags, &flags, sizeof(flags));
	memcpy(nd->target, target, 16);
	opt->type = type == ND_NS ? ND_OPT_SLLA : ND_OPT_TLLA;
	opt->len = 1;
	opt->mac = *smac;
	nd->cksum = rte_ipv6_udptcp_cksum(ip, nd);
	return m;
}

struct rte_mbuf *
vs_nd_solicit(struct rte_mempool *mp, const struct vs_ip *sip,
	      const struct rte_ether_addr *smac, const struct vs_ip *tip)
{
	/* The solicited-node group ff02::1:ffXX:XXXX of the target, and its
	 * MAC 33:33:ff:XX:XX:XX (RFC 4291 §2.7.1, RFC 2464 §7). */
	uint8_t dip[16] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
	struct rte_ether_addr dmac = {{0x33, 0x33, 0xff}};

	memcpy(dip + 13, tip->a + 13, 3);
	memcpy(dmac.addr_bytes + 3, tip->a + 13, 3);
	return nd_build(mp, ND_NS, smac, &dmac, sip->a, dip, tip->a, 0);
}

/* The link-layer address option of type want in the options of len bytes,
 * or NULL; -1 in *bad when the options are malformed (a zero length). */
static const struct rte_ether_addr *
nd_opt_find(const uint8_t *o, uint32_t len, uint8_t want, bool *bad)
{
	const struct rte_ether_addr *found = NULL;

	while (len >= 2) {
		uint32_t olen = (uint32_t)o[1] * 8;

		if (olen == 0 || olen > len) {
			*bad = true;
			return NULL;
		}
		if (o[0] == want && olen >= sizeof(struct nd_opt_lla))
			found = &((const struct nd_opt_lla *)o)->mac;
		o += olen;
		len -= olen;
	}
	return found;
}

int
vs_nd_input(struct vs_switch *vs, int u, const struct rte_mbuf *m,
	    uint16_t l3, struct rte_mbuf **reply)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip;
	const struct nd_msg *nd;
	const struct rte_ether_addr *lla;
	const struct vs_ip *local = &vs->vtep[1];
	static const uint8_t unspec[16];
	struct vs_ip who;
	uint32_t plen;
	bool bad = false;

	*reply = NULL;
	if (m->nb_segs != 1 ||
	    (uint32_t)l3 + sizeof(*ip) + sizeof(*nd) > m->data_len)
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l3);
	nd = (const struct nd_msg *)(ip + 1);
	plen = rte_be_to_cpu_16(ip->payload_len);
	if (ip->proto != IPPROTO_ICMPV6)
		return -1;
	if (nd->type != ND_NS && nd->type != ND_NA)
		return 1; /* router discovery, MLD, echo: not ours */
	if (ip->hop_limits != ND_HOP_LIMIT || plen < sizeof(*nd) ||
	    l3 + sizeof(*ip) + plen > m->data_len || nd->code != 0 ||
	    rte_ipv6_udptcp_cksum_verify(ip, nd) != 0)
		return -1;
	lla = nd_opt_find((const uint8_t *)(nd + 1), plen - sizeof(*nd),
			  nd->type == ND_NS ? ND_OPT_SLLA : ND_OPT_TLLA, &bad);
	if (bad)
		return -1;
	if (nd->type == ND_NA) {
		memcpy(who.a, nd->target, 16);
		vs_neigh_learn(vs, u, &who, lla != NULL ? lla : &eth->src_addr);
		return 0;
	}
	/* A solicitation: its source is reachable at its SLLA (RFC 4861
	 * §7.2.3); a DAD probe (source ::) teaches nothing and, being for
	 * an address someone wants, gets no answer from us. */
	if (memcmp(ip->src_addr, unspec, 16) == 0)
		return 0;
	memcpy(who.a, ip->src_addr, 16);
	if (lla != NULL)
		vs_neigh_learn(vs, u, &who, lla);
	if (vs_ip_none(local) || memcmp(nd->target, local->a, 16) != 0)
		return 0;
	*reply = nd_build(vs->pool, ND_NA, &vs->uplinks[u].mac,
			  lla != NULL ? lla : &eth->src_addr, local->a,
			  ip->src_addr, local->a,
			  ND_NA_SOLICITED | ND_NA_OVERRIDE);
	return 0;
}
