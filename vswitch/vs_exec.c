/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Packet work of the slow path (vs.h): a flow's actions applied in
 * software, exactly what the NIC does with the template's rule (so the
 * first packets of a flow and the offloaded rest look the same on the
 * wire), and the packets the switch itself answers with: ARP replies and
 * requests, ICMP echo replies, time exceeded, fragmentation needed and
 * ICMPv6 packet too big (neighbour discovery is vs_nd.c's).
 *
 * Packets are single-segment here (the ports' mbufs hold a whole frame);
 * a chained mbuf is refused (-1), the caller counts and drops it.
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "nf_pkt.h"
#include "vs.h"

#define OUTER_TTL 64

/* The outer IPv4 header of an encapsulation of len bytes. */
static void
encap_ip4(struct rte_ipv4_hdr *ip, const struct vs_acts *a, uint32_t len)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len + VS_ENCAP_LEN -
					    sizeof(struct rte_ether_hdr)));
	/* DF, as the NIC's VXLAN_ENCAP builds it (docs/snic.md): the
	 * underlay never fragments a tunnelled packet (N-15 keeps them
	 * under the uplink MTU). */
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = OUTER_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = vs_ip_4(&a->o_sip);
	ip->dst_addr = vs_ip_4(&a->o_dip);
	ip->hdr_checksum = nf_ipv4_csum(ip);
}

/* The outer IPv6 header; the UDP checksum stays 0 as the NIC sends it
 * (RFC 6935: allowed for tunnels; a Linux peer needs udp6zerocsumrx). */
static void
encap_ip6(struct rte_ipv6_hdr *ip, const struct vs_acts *a, uint32_t len)
{
	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(len + VS_ENCAP_LEN6 -
					   sizeof(struct rte_ether_hdr) -
					   sizeof(*ip)));
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = OUTER_TTL;
	memcpy(ip->src_addr, a->o_sip.a, 16);
	memcpy(ip->dst_addr, a->o_dip.a, 16);
}

int
vs_exec_encap(const struct vs_acts *a, struct rte_mbuf *m,
	      const struct nf_flow_key *inner)
{
	bool v4 = vs_ip_is4(&a->o_dip);
	uint16_t elen = vs_encap_len(&a->o_dip);
	uint32_t len = m->pkt_len;
	struct rte_ether_hdr *eth;
	struct rte_udp_hdr *udp;
	struct rte_vxlan_hdr *vx;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, elen);
	if (eth == NULL)
		return -1;
	udp = (struct rte_udp_hdr *)((uint8_t *)(eth + 1) +
		(v4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr)));
	vx = (struct rte_vxlan_hdr *)(udp + 1);
	eth->dst_addr = a->o_dst;
	eth->src_addr = a->o_src;
	if (v4) {
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		encap_ip4((struct rte_ipv4_hdr *)(eth + 1), a, len);
	} else {
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		encap_ip6((struct rte_ipv6_hdr *)(eth + 1), a, len);
	}
	/* N-7: the same source port the NIC would pick, from the inner
	 * 5-tuple, so underlay ECMP keeps a flow on one path whether its
	 * packets were encapsulated here or in the NIC. */
	udp->src_port = rte_cpu_to_be_16(nf_vxlan_src_port(inner));
	udp->dst_port = RTE_BE16(VS_VXLAN_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len + sizeof(*udp) +
						     sizeof(*vx)));
	udp->dgram_cksum = 0;
	vx->vx_flags = RTE_BE32(0x08000000);
	vx->vx_vni = rte_cpu_to_be_32(a->vni << 8);
	return 0;
}

/* SET_IPV4_SRC/DST with the IPv4 and L4 checksums (§7.4 FIP). */
static void
nat_apply(struct rte_ipv4_hdr *ip, void *l4, uint8_t proto, bool first_frag,
	  bool src, uint32_t new_ip)
{
	uint32_t old = src ? ip->src_addr : ip->dst_addr;

	if (src)
		ip->src_addr = new_ip;
	else
		ip->dst_addr = new_ip;
	/* Only the first fragment carries the L4 header whose checksum
	 * covers the pseudo-header. */
	if (l4 != NULL && first_frag &&
	    (proto == IPPROTO_TCP || proto == IPPROTO_UDP))
		nf_pkt_l4_csum_addr(l4, proto, &old, &new_ip, 4, false);
}

int
vs_exec_vlan(struct rte_mbuf *m, uint16_t vid)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	bool tagged = m->data_len >= RTE_ETHER_HDR_LEN + 4 &&
		      p[12] == 0x81 && p[13] == 0x00;
	struct rte_vlan_hdr *vh;

	if (tagged && vid == 0) {
		memmove(p + 4, p, 2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, 4);
		return 0;
	}
	if (vid == 0)
		return 0;
	if (!tagged) {
		p = (uint8_t *)rte_pktmbuf_prepend(m, 4);
		if (p == NULL)
			return -1;
		memmove(p, p + 4, 2 * RTE_ETHER_ADDR_LEN);
		p[12] = 0x81;
		p[13] = 0x00;
		vh = (struct rte_vlan_hdr *)(p + 14);
		vh->vlan_tci = rte_cpu_to_be_16(vid);
		return 0;
	}
	/* Rewrite the VID, keep the priority (§7.2 sets PCP to the frame's). */
	vh = (struct rte_vlan_hdr *)(p + 14);
	vh->vlan_tci = rte_cpu_to_be_16((rte_be_to_cpu_16(vh->vlan_tci) &
					 0xf000) | vid);
	return 0;
}

int
vs_exec_apply(const struct vs_acts *a, struct rte_mbuf *m,
	      const struct nf_flow_key *k, const struct nf_pkt_layout *lay)
{
	uint16_t l3 = lay->l3, l4 = lay->l4;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	void *l4p;

	if (m->nb_segs != 1)
		return -1;
	if (a->tpl == VS_TPL_L2_DECAP || a->tpl == VS_TPL_L3_DECAP) {
		rte_pktmbuf_adj(m, lay->l2);
		if (l3 != NF_OFF_NONE)
			l3 -= lay->l2;
		if (l4 != NF_OFF_NONE)
			l4 -= lay->l2;
	}
	if (a->tpl == VS_TPL_L3 || a->tpl == VS_TPL_L3_ENCAP ||
	    a->tpl == VS_TPL_L3_DECAP) {
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		eth->src_addr = a->mac_src;
		eth->dst_addr = a->mac_dst;
		if (l3 == NF_OFF_NONE || !(k->flags & NF_KEY_F_IPV4))
			return -1;
		ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3);
		l4p = l4 != NF_OFF_NONE ? rte_pktmbuf_mtod_offset(m, void *,
								  l4) : NULL;
		if (a->flags & (VS_A_SNAT | VS_A_DNAT))
			nat_apply(ip, l4p, ip->next_proto_id,
				  (ip->fragment_offset &
				   RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) == 0,
				  a->flags & VS_A_SNAT, a->nat_ip);
		ip->time_to_live--;
		ip->hdr_checksum = nf_ipv4_csum(ip);
	}
	/* The tag last: the L3 offsets above still hold. A tunnel carries
	 * the frame untagged (§7.3/§7.5 egress POP_VLAN). */
	if (a->tpl == VS_TPL_L2_ENCAP || a->tpl == VS_TPL_L3_ENCAP)
		return vs_exec_vlan(m, 0) != 0 ? -1 : vs_exec_encap(a, m, k);
	return vs_exec_vlan(m, a->out_vlan);
}

void
vs_exec_arp_reply(struct rte_mbuf *m, uint16_t off,
		  const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m,
		struct rte_arp_hdr *, off);
	uint32_t tip = arp->arp_data.arp_tip;

	eth->dst_addr = eth->src_addr;
	eth->src_addr = *mac;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	arp->arp_data.arp_sha = *mac;
	arp->arp_data.arp_sip = tip;
}

struct rte_mbuf *
vs_exec_arp_request(struct rte_mempool *mp, uint32_t sip,
		    const struct rte_ether_addr *smac, uint32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		sizeof(*eth) + sizeof(*arp));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	eth->src_addr = *smac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = *smac;
	arp->arp_data.arp_sip = sip;
	memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_tip = tip;
	return m;
}

void
vs_exec_echo_reply(struct rte_mbuf *m, uint16_t l3, uint16_t l4)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, l3);
	struct rte_icmp_hdr *icmp = rte_pktmbuf_mtod_offset(m,
		struct rte_icmp_hdr *, l4);
	struct rte_ether_addr mac = eth->src_addr;
	uint32_t a = ip->src_addr;

	eth->src_addr = eth->dst_addr;
	eth->dst_addr = mac;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = OUTER_TTL;
	ip->hdr_checksum = nf_ipv4_csum(ip);
	/* Type 8 → 0: the checksum moves by that one word (RFC 1624). */
	icmp->icmp_cksum = nf_csum_update16(icmp->icmp_cksum,
		rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REQUEST << 8 |
				 icmp->icmp_code),
		rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REPLY << 8 |
				 icmp->icmp_code));
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
}

struct rte_mbuf *
vs_exec_icmp_error(struct rte_mempool *mp, const struct rte_mbuf *m,
		   uint16_t l3, uint8_t type, uint8_t code, uint16_t mtu,
		   uint32_t src, const struct rte_ether_addr *smac)
{
	const struct rte_ether_hdr *oeth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *oip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3);
	/* RFC 792: the original IP header and its first 8 data bytes. */
	uint32_t quote = RTE_MIN((uint32_t)(m->data_len - l3),
				 (uint32_t)rte_ipv4_hdr_len(oip) + 8);
	struct rte_mbuf *r = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint16_t len = (uint16_t)(sizeof(*ip) + sizeof(*icmp) + quote);

	if (r == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r, sizeof(*eth) +
							 len);
	if (eth == NULL) {
		rte_pktmbuf_free(r);
		return NULL;
	}
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = *smac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = OUTER_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = src;
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = nf_ipv4_csum(ip);
	/* The header's last 4 bytes are unused, but for "fragmentation
	 * needed" whose last 2 carry the next-hop MTU (RFC 1191). */
	memset(icmp, 0, sizeof(*icmp));
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(icmp + 1, oip, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, len - sizeof(*ip));
	return r;
}

struct rte_mbuf *
vs_exec_icmp6_too_big(struct rte_mempool *mp, const struct rte_mbuf *m,
		      uint16_t l3, uint32_t mtu, const uint8_t src[16],
		      const struct rte_ether_addr *smac)
{
	const struct rte_ether_hdr *oeth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *oip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l3);
	/* RFC 4443 §2.4(c): as much of the packet as fits in the minimum
	 * IPv6 MTU with our headers. */
	uint32_t quote = RTE_MIN((uint32_t)(m->data_len - l3),
				 (uint32_t)(RTE_IPV6_MIN_MTU -
					    sizeof(struct rte_ipv6_hdr) - 8));
	struct rte_mbuf *r = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip;
	rte_be32_t be_mtu = rte_cpu_to_be_32(mtu);
	uint8_t *icmp;
	uint16_t ck;

	if (r == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(r, sizeof(*eth) +
		sizeof(*ip) + 8 + quote);
	if (eth == NULL) {
		rte_pktmbuf_free(r);
		return NULL;
	}
	ip = (struct rte_ipv6_hdr *)(eth + 1);
	icmp = (uint8_t *)(ip + 1);
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = *smac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + quote));
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = OUTER_TTL;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, oip->src_addr, 16);
	/* Type 2 code 0, checksum, then the MTU in 32 bits (2-byte aligned
	 * only: byte copies). */
	memset(icmp, 0, 8);
	icmp[0] = 2;
	memcpy(icmp + 4, &be_mtu, sizeof(be_mtu));
	memcpy(icmp + 8, oip, quote);
	ck = rte_ipv6_udptcp_cksum(ip, icmp);
	memcpy(icmp + 2, &ck, sizeof(ck));
	return r;
}
