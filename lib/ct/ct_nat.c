/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * NAT (C-2): rewrite a packet of one direction with that direction's
 * action. Checksums are updated incrementally with lib/pkt's RFC 1624
 * helpers, so the cost does not depend on the payload.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "nf_pkt.h"
#include "ct_private.h"

/* Rewrite one address (4 or 16 bytes) and fix the L4 checksum. */
static void
ct_nat_addr(uint8_t *field, const uint8_t *new_a, unsigned int alen,
	    uint8_t *l4, uint8_t proto, bool v6)
{
	uint8_t old[16];

	memcpy(old, field, alen);
	memcpy(field, new_a, alen);
	nf_pkt_l4_csum_addr(l4, proto, old, new_a, alen, v6);
}

/* Rewrite one port; ports are in the L4 checksum but not the pseudo
 * header, and the same helper covers them (a 2-byte "address"). */
static void
ct_nat_port(uint8_t *l4, unsigned int off, rte_be16_t port, uint8_t proto)
{
	rte_be16_t old;

	memcpy(&old, l4 + off, 2);
	memcpy(l4 + off, &port, 2);
	nf_pkt_l4_csum_addr(l4, proto, &old, &port, 2, false);
}

int
ct_nat_apply(const struct ct *ct, const struct ct_entry *e, enum ct_dir dir,
	     struct rte_mbuf *m, const struct nf_pkt_layout *lay)
{
	uint32_t h = ct_entry_action(e, dir);
	const struct ct_nat *nat;
	uint8_t *l3, *l4, proto;
	unsigned int alen, soff, doff;
	bool v6;

	if (h == CT_ACTION_NONE)
		return 0;
	if (h > ct->cfg.nb_actions || lay->l3 == NF_OFF_NONE ||
			lay->l4 == NF_OFF_NONE)
		return -EINVAL;
	nat = &ct->actions[h - 1].nat;
	l3 = rte_pktmbuf_mtod(m, uint8_t *) + lay->l3;
	l4 = rte_pktmbuf_mtod(m, uint8_t *) + lay->l4;
	v6 = (l3[0] >> 4) == 6;
	if (v6) {
		proto = ((struct rte_ipv6_hdr *)l3)->proto;
		alen = 16;
		soff = offsetof(struct rte_ipv6_hdr, src_addr);
		doff = offsetof(struct rte_ipv6_hdr, dst_addr);
	} else {
		proto = ((struct rte_ipv4_hdr *)l3)->next_proto_id;
		alen = 4;
		soff = offsetof(struct rte_ipv4_hdr, src_addr);
		doff = offsetof(struct rte_ipv4_hdr, dst_addr);
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return -EINVAL;
	if (nat->fields & CT_NAT_SRC)
		ct_nat_addr(l3 + soff, nat->src, alen, l4, proto, v6);
	if (nat->fields & CT_NAT_DST)
		ct_nat_addr(l3 + doff, nat->dst, alen, l4, proto, v6);
	/* source and destination ports are the first two L4 words */
	if (nat->fields & CT_NAT_SPORT)
		ct_nat_port(l4, 0, nat->sport, proto);
	if (nat->fields & CT_NAT_DPORT)
		ct_nat_port(l4, 2, nat->dport, proto);
	if (!v6 && (nat->fields & (CT_NAT_SRC | CT_NAT_DST))) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->hdr_checksum = nf_ipv4_csum(ip);
	}
	return 0;
}
