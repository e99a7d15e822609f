/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef NF_PKTGEN_H
#define NF_PKTGEN_H

/**
 * @file
 * Frame builder for tests: stack headers, then pk_finish() fills every
 * length and checksum (IPv4 header, TCP/UDP with the pseudo-header, outer
 * UDP of VXLAN left 0). Tests build the frame they inject and, separately,
 * the frame they expect, and compare bytes.
 *
 *   struct pk p; pk_init(&p);
 *   pk_eth(&p, dst, src, 0x0800); pk_ipv4(&p, "10.0.0.1", "10.0.0.2", 17, 64);
 *   pk_udp(&p, 1000, 2000); pk_payload(&p, 64); pk_finish(&p);
 */

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_tcp.h>

enum pk_layer { PK_ETH, PK_VLAN, PK_IPV4, PK_IPV6, PK_UDP, PK_TCP, PK_VXLAN,
		PK_ICMP, PK_RAW };

struct pk {
	uint8_t b[9200];
	uint16_t len;
	uint8_t nl;
	struct { uint8_t type; uint16_t off; } l[16];
};

static inline void
pk_init(struct pk *p)
{
	memset(p, 0, sizeof(*p));
}

static inline void *
pk_put(struct pk *p, enum pk_layer t, uint16_t n)
{
	void *h = p->b + p->len;

	p->l[p->nl].type = t;
	p->l[p->nl++].off = p->len;
	memset(h, 0, n);
	p->len += n;
	return h;
}

static inline void
pk_mac(uint8_t *dst, const char *s)
{
	unsigned int v[6];

	sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
	       &v[5]);
	for (int i = 0; i < 6; i++)
		dst[i] = (uint8_t)v[i];
}

static inline void
pk_eth(struct pk *p, const char *dst, const char *src, uint16_t type)
{
	uint8_t *h = pk_put(p, PK_ETH, 14);

	pk_mac(h, dst);
	pk_mac(h + 6, src);
	h[12] = type >> 8;
	h[13] = type & 0xff;
}

static inline void
pk_vlan(struct pk *p, uint16_t tci, uint16_t type)
{
	uint8_t *h = pk_put(p, PK_VLAN, 4);

	h[0] = tci >> 8;
	h[1] = tci & 0xff;
	h[2] = type >> 8;
	h[3] = type & 0xff;
}

static inline struct rte_ipv4_hdr *
pk_ipv4(struct pk *p, const char *src, const char *dst, uint8_t proto,
	uint8_t ttl)
{
	struct rte_ipv4_hdr *h = pk_put(p, PK_IPV4, 20);

	h->version_ihl = 0x45;
	h->time_to_live = ttl;
	h->next_proto_id = proto;
	inet_pton(AF_INET, src, &h->src_addr);
	inet_pton(AF_INET, dst, &h->dst_addr);
	return h;
}

static inline struct rte_ipv6_hdr *
pk_ipv6(struct pk *p, const char *src, const char *dst, uint8_t proto,
	uint8_t hops)
{
	struct rte_ipv6_hdr *h = pk_put(p, PK_IPV6, 40);

	h->vtc_flow = htonl(6u << 28);
	h->proto = proto;
	h->hop_limits = hops;
	inet_pton(AF_INET6, src, h->src_addr);
	inet_pton(AF_INET6, dst, h->dst_addr);
	return h;
}

static inline void
pk_udp(struct pk *p, uint16_t sport, uint16_t dport)
{
	struct rte_udp_hdr *h = pk_put(p, PK_UDP, 8);

	h->src_port = htons(sport);
	h->dst_port = htons(dport);
}

static inline struct rte_tcp_hdr *
pk_tcp(struct pk *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct rte_tcp_hdr *h = pk_put(p, PK_TCP, 20);

	h->src_port = htons(sport);
	h->dst_port = htons(dport);
	h->data_off = 5 << 4;
	h->tcp_flags = flags;
	h->rx_win = htons(8192);
	return h;
}

static inline void
pk_icmp(struct pk *p, uint8_t type, uint8_t code)
{
	uint8_t *h = pk_put(p, PK_ICMP, 8);

	h[0] = type;
	h[1] = code;
}

static inline void
pk_vxlan(struct pk *p, uint32_t vni)
{
	uint8_t *h = pk_put(p, PK_VXLAN, 8);

	h[0] = 0x08;
	h[4] = vni >> 16;
	h[5] = (vni >> 8) & 0xff;
	h[6] = vni & 0xff;
}

static inline void
pk_payload(struct pk *p, uint16_t n)
{
	uint8_t *h = pk_put(p, PK_RAW, n);

	for (uint16_t i = 0; i < n; i++)
		h[i] = (uint8_t)(i * 7 + 3);
}

static inline void
pk_lengths(struct pk *p)
{
	for (int i = p->nl - 1; i >= 0; i--) {
		uint8_t *h = p->b + p->l[i].off;
		uint16_t rest = p->len - p->l[i].off;

		if (p->l[i].type == PK_IPV4)
			((struct rte_ipv4_hdr *)h)->total_length = htons(rest);
		else if (p->l[i].type == PK_IPV6)
			((struct rte_ipv6_hdr *)h)->payload_len =
				htons(rest - 40);
		else if (p->l[i].type == PK_UDP)
			((struct rte_udp_hdr *)h)->dgram_len = htons(rest);
	}
}

static inline void
pk_icmp_csum(uint8_t *h, uint16_t rest)
{
	uint32_t sum = 0;

	h[2] = h[3] = 0;
	for (uint16_t j = 0; j + 1 < rest; j += 2)
		sum += (h[j] << 8) | h[j + 1];
	if (rest & 1)
		sum += h[rest - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	h[2] = sum >> 8;
	h[3] = sum & 0xff;
}

/* Fill lengths, then checksums, innermost layer first. */
static inline void
pk_finish(struct pk *p)
{
	pk_lengths(p);
	for (int i = p->nl - 1; i >= 0; i--) {
		uint8_t *h = p->b + p->l[i].off;
		uint8_t t = p->l[i].type;
		uint8_t *iph;
		uint16_t *ck;

		if (t == PK_IPV4) {
			struct rte_ipv4_hdr *v4 = (void *)h;

			v4->hdr_checksum = 0;
			v4->hdr_checksum = rte_ipv4_cksum(v4);
			continue;
		}
		if (t == PK_ICMP) {
			pk_icmp_csum(h, p->len - p->l[i].off);
			continue;
		}
		/* outer UDP of VXLAN: checksum 0 */
		if ((t != PK_UDP && t != PK_TCP) || i == 0 ||
		    (i + 1 < p->nl && p->l[i + 1].type == PK_VXLAN))
			continue;
		iph = p->b + p->l[i - 1].off;
		ck = (uint16_t *)(h + (t == PK_UDP ? 6 : 16));
		*ck = 0;
		if (p->l[i - 1].type == PK_IPV4)
			*ck = rte_ipv4_udptcp_cksum((void *)iph, h);
		else if (p->l[i - 1].type == PK_IPV6)
			*ck = rte_ipv6_udptcp_cksum((void *)iph, h);
	}
}

/* Offset of the n-th layer of a type (0 = first), or -1. */
static inline int
pk_off(const struct pk *p, enum pk_layer t, int nth)
{
	for (int i = 0; i < p->nl; i++)
		if (p->l[i].type == t && nth-- == 0)
			return p->l[i].off;
	return -1;
}

#endif /* NF_PKTGEN_H */
