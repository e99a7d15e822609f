/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Unit tests of lib/pkt: parser, checksum helpers, hashes.
 *
 * Packets are assembled from a list of layers (build()); every length, next
 * header and checksum field is derived from the list, so a test states only
 * the shape it needs. The same list drives the model of which error a cut
 * packet must give (expected_cut()).
 *
 * Frames that probe bounds go through parse_exact(): an mbuf header over a
 * malloc'ed copy of exactly the frame, so the address sanitizer flags any
 * read past data_len (mempool memory is not instrumented).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "nf_test.h"
#include "nf_pkt.h"

#define IN_PORT 7
#define MAX_LAYERS 16
#define NONE NF_OFF_NONE
#define F4 NF_KEY_F_IPV4
#define F6 NF_KEY_F_IPV6
#define FV NF_KEY_F_VLAN
#define FT NF_KEY_F_TUNNEL
#define LAYERS(...) ((const enum layer[]){ __VA_ARGS__, L_END })

enum layer {
	L_END, L_ETH, L_VLAN, L_IP4, L_IP6, L_HBH, L_DST, L_FRAG6,
	L_TCP, L_UDP, L_ICMP, L_ICMP6, L_VXLAN, L_ARP, L_PAY,
};

/*
 * size: bytes the layer occupies; need/trunc: a cut before at + need gives
 * trunc (when the length fields agree with the cut); ether_type/proto: how
 * the layer before names this one.
 */
static const struct layer_info {
	uint8_t size, need, trunc;
	uint16_t ether_type;
	uint8_t proto;
} layer_info[] = {
	[L_ETH] = { 14, 14, NF_PKT_ERR_TRUNC_ETH, 0x6558, 0 },
	[L_VLAN] = { 4, 4, NF_PKT_ERR_TRUNC_VLAN, 0x8100, 0 },
	[L_IP4] = { 20, 20, NF_PKT_ERR_TRUNC_IPV4, 0x0800, IPPROTO_IPIP },
	[L_IP6] = { 40, 40, NF_PKT_ERR_TRUNC_IPV6, 0x86dd, IPPROTO_IPV6 },
	[L_HBH] = { 8, 8, NF_PKT_ERR_IPV6_EXT, 0, IPPROTO_HOPOPTS },
	[L_DST] = { 8, 8, NF_PKT_ERR_IPV6_EXT, 0, IPPROTO_DSTOPTS },
	[L_FRAG6] = { 8, 8, NF_PKT_ERR_IPV6_EXT, 0, IPPROTO_FRAGMENT },
	[L_TCP] = { 20, 20, NF_PKT_ERR_TRUNC_TCP, 0, IPPROTO_TCP },
	[L_UDP] = { 8, 8, NF_PKT_ERR_TRUNC_UDP, 0, IPPROTO_UDP },
	[L_ICMP] = { 8, 8, NF_PKT_ERR_TRUNC_ICMP, 0, IPPROTO_ICMP },
	[L_ICMP6] = { 8, 4, NF_PKT_ERR_TRUNC_ICMP, 0, IPPROTO_ICMPV6 },
	/* the VXLAN header claims the inner Ethernet header too */
	[L_VXLAN] = { 8, 22, NF_PKT_ERR_TRUNC_VXLAN, 0, 0 },
	[L_ARP] = { 28, 0, 0, 0x0806, 0 },
	[L_PAY] = { 16, 0, 0, 0x88b5, IPPROTO_NONE },
};

struct pkt {
	uint8_t b[512] __rte_aligned(64);
	uint16_t len;
	uint16_t at[MAX_LAYERS];
	enum layer ls[MAX_LAYERS];
	unsigned int n;
};

static struct rte_mempool *pool;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64: reproducible, so a failing fuzz input can be replayed. */
static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Default addresses of layer i; IPv4 in the first 4 of 16 bytes. */
static void
mac_of(uint8_t *m, unsigned int i, bool dst)
{
	const uint8_t a[6] = { 0x02, 0x00, 0x5e, 0x00, dst ? 0xd0 : 0x50, i };

	memcpy(m, a, 6);
}

static void
addr_of(uint8_t *a, enum layer l, unsigned int i, bool dst)
{
	static const uint8_t v6[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	memset(a, 0, 16);
	if (l == L_IP4) {
		memcpy(a, (uint8_t[4]){ 10, 0, i, dst ? 2 : 1 }, 4);
		return;
	}
	memcpy(a, v6, 4);
	a[4] = dst;
	a[14] = i;
	a[15] = 1;
}

static void
fill_ip(uint8_t *h, enum layer l, unsigned int i, uint8_t proto)
{
	uint8_t a[16];
	unsigned int alen = l == L_IP4 ? 4 : 16;
	uint8_t *src = h + (l == L_IP4 ? 12 : 8);

	if (l == L_IP4) {
		memcpy(h, (uint8_t[10]){ 0x45, 0x10, 0, 0, 0x12, 0x34, 0, 0,
			64, proto }, 10);
	} else {
		/* version 6, traffic class 0x28, flow label 0x12345 */
		memcpy(h, (uint8_t[8]){ 0x62, 0x81, 0x23, 0x45, 0, 0, proto,
			63 }, 8);
	}
	addr_of(a, l, i, false);
	memcpy(src, a, alen);
	addr_of(a, l, i, true);
	memcpy(src + alen, a, alen);
}

/* Write layer i's header with its default content. */
static void
fill_layer(struct pkt *p, unsigned int i)
{
	uint8_t *h = p->b + p->at[i];
	enum layer l = p->ls[i], next = p->ls[i + 1];

	switch (l) {
	case L_ETH:
		mac_of(h, i, true);
		mac_of(h + 6, i, false);
		put16(h + 12, layer_info[next].ether_type);
		break;
	case L_VLAN:
		put16(h, 0x2064);
		put16(h + 2, layer_info[next].ether_type);
		break;
	case L_IP4:
	case L_IP6:
		fill_ip(h, l, i, layer_info[next].proto);
		break;
	case L_HBH:
	case L_DST:
	case L_FRAG6:
		h[0] = layer_info[next].proto;
		h[2] = l == L_FRAG6 ? 0 : 1;    /* PadN of 4 */
		h[3] = l == L_FRAG6 ? 1 : 4;    /* frag: offset 0, M */
		break;
	case L_TCP:
		put16(h, 1000 + i);
		memcpy(h + 2, (uint8_t[14]){ 0, 80, [10] = 0x50, 0x12, 0x20 },
			14);
		break;
	case L_UDP:
		put16(h, 2000 + i);
		put16(h + 2, next == L_VXLAN ? NF_VXLAN_PORT : 53);
		break;
	case L_ICMP:
	case L_ICMP6:
		h[0] = l == L_ICMP ? 8 : 128;
		break;
	case L_VXLAN:
		memcpy(h, (uint8_t[8]){ 0x08, 0, 0, 0x5a, 0x12, 0x34, 0x56,
			0x77 }, 8);
		break;
	case L_ARP:
		memcpy(h, (uint8_t[8]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 8);
		break;
	default:
		for (unsigned int k = 0; k < layer_info[l].size; k++)
			h[k] = 0xa0 + k;
	}
}

/* TCP/UDP checksum of layer i, when it directly follows its IP header. */
static void
fill_l4_csum(struct pkt *p, unsigned int i)
{
	uint8_t *l4 = p->b + p->at[i];
	const void *ip = p->b + p->at[i - 1];
	uint8_t *f = l4 + (p->ls[i] == L_TCP ? 16 : 6);
	uint16_t c;

	put16(f, 0);
	if (p->ls[i - 1] != L_IP4 && p->ls[i - 1] != L_IP6)
		return;
	c = p->ls[i - 1] == L_IP4 ? rte_ipv4_udptcp_cksum(ip, l4) :
		rte_ipv6_udptcp_cksum(ip, l4);
	memcpy(f, &c, 2);
}

static void
build(struct pkt *p, const enum layer *ls)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (p->n = 0; ls[p->n] != L_END; p->n++) {
		p->ls[p->n] = ls[p->n];
		p->at[p->n] = p->len;
		p->len += layer_info[ls[p->n]].size;
	}
	for (i = 0; i < p->n; i++) {
		uint8_t *h = p->b + p->at[i];
		uint16_t rest = p->len - p->at[i];

		fill_layer(p, i);
		if (p->ls[i] == L_IP4 || p->ls[i] == L_UDP)
			put16(h + 2 * (p->ls[i] == L_UDP) + 2, rest);
		else if (p->ls[i] == L_IP6)
			put16(h + 4, rest - 40);
	}
	/* innermost first: an outer UDP checksum covers the inner one */
	for (i = p->n; i-- > 0;) {
		struct rte_ipv4_hdr *h = (void *)(p->b + p->at[i]);

		if (p->ls[i] == L_IP4)
			h->hdr_checksum = rte_ipv4_cksum(h);
		else if (p->ls[i] == L_TCP || p->ls[i] == L_UDP)
			fill_l4_csum(p, i);
	}
}

typedef int (*parser_t)(const struct rte_mbuf *m, uint16_t in_port,
			struct nf_flow_key *key, struct nf_pkt_layout *lay);

/* parse_exact() with the parser given. */
static int
parse_exact_by(parser_t parser, const uint8_t *b, uint32_t len,
	       struct nf_flow_key *k, struct nf_pkt_layout *lay)
{
	struct rte_mbuf m;
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, b, len);
	memset(&m, 0, sizeof(m));
	m.buf_addr = copy;
	m.buf_len = len;
	m.data_len = len;
	m.pkt_len = len;
	m.nb_segs = 1;
	rc = parser(&m, IN_PORT, k, lay);
	free(copy);
	return rc;
}

static int
parse_exact(const uint8_t *b, uint32_t len, struct nf_flow_key *k,
	    struct nf_pkt_layout *lay)
{
	return parse_exact_by(nf_pkt_parse, b, len, k, lay);
}

/* Through a pool mbuf whose bytes past the frame are garbage. */
static int
parse_mbuf(const uint8_t *b, uint16_t len, struct nf_flow_key *k,
	   struct nf_pkt_layout *lay)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;
	int rc;

	if (m == NULL)
		return -1;
	d = (uint8_t *)rte_pktmbuf_append(m, rte_pktmbuf_tailroom(m));
	for (unsigned int i = 0; i < m->data_len; i++)
		d[i] = rnd();
	memcpy(d, b, len);
	rte_pktmbuf_trim(m, m->data_len - len);
	rc = nf_pkt_parse(m, IN_PORT, k, lay);
	rte_pktmbuf_free(m);
	return rc;
}

static int
parse_pkt(const struct pkt *p, struct nf_flow_key *k,
	  struct nf_pkt_layout *lay)
{
	return parse_mbuf(p->b, p->len, k, lay);
}

NF_TEST(test_err_names)
{
	NF_CHECK(!strcmp(nf_pkt_err_name(NF_PKT_ERR_TRUNC_ETH), "trunc_eth"));
	NF_CHECK(!strcmp(nf_pkt_err_name(NF_PKT_ERR_IPV4_IHL), "ipv4_ihl"));
	for (int i = 0; i < NF_PKT_ERR_MAX; i++) {
		const char *a = nf_pkt_err_name(i);

		NF_CHECK(a != NULL && strcmp(a, "unknown") != 0);
		for (int j = 0; j < i; j++)
			NF_CHECK(strcmp(a, nf_pkt_err_name(j)) != 0);
	}
	NF_CHECK(!strcmp(nf_pkt_err_name(NF_PKT_ERR_MAX), "unknown"));
	NF_CHECK(!strcmp(nf_pkt_err_name(-1), "unknown"));
}

/* A well-formed shape and what parsing it must give (ports host order). */
static const struct key_case {
	enum layer ls[MAX_LAYERS];
	uint8_t flags, proto, icmp;
	uint16_t sport, dport, l3, l4, l3_len, vlan;
	bool offload;
} key_cases[] = {
	{ { L_ETH, L_IP4, L_TCP, L_PAY }, F4, 6, 0, 1002, 80,
		14, 34, 56, NONE, true },
	{ { L_ETH, L_IP4, L_UDP }, F4, 17, 0, 2002, 53,
		14, 34, 28, NONE, true },
	{ { L_ETH, L_IP4, L_ICMP }, F4, 1, 8, 0, 0, 14, 34, 28, NONE, false },
	{ { L_ETH, L_IP4, L_PAY }, F4, 59, 0, 0, 0, 14, NONE, 36, NONE, false },
	{ { L_ETH, L_VLAN, L_IP4, L_UDP, L_PAY }, FV | F4, 17, 0, 2003, 53,
		18, 38, 44, 12, true },
	{ { L_ETH, L_IP6, L_HBH, L_DST, L_TCP }, F6, 6, 0, 1004, 80,
		14, 70, 76, NONE, true },
	{ { L_ETH, L_IP6, L_HBH, L_DST, L_UDP, L_PAY }, F6, 17, 0, 2004, 53,
		14, 70, 80, NONE, true },
	{ { L_ETH, L_VLAN, L_IP6, L_TCP }, FV | F6, 6, 0, 1003, 80,
		18, 58, 60, 12, true },
	{ { L_ETH, L_IP6, L_ICMP6 }, F6, 58, 128, 0, 0, 14, 54, 48, NONE,
		false },
	{ { L_ETH, L_IP6, L_DST, L_DST, L_DST, L_DST, L_DST, L_DST, L_DST,
		L_DST, L_UDP }, F6, 17, 0, 2010, 53, 14, 118, 112, NONE, true },
	{ { L_ETH, L_ARP }, 0, 0, 0, 0, 0, NONE, NONE, 0, NONE, false },
	{ { L_ETH, L_VLAN, L_ARP }, FV, 0, 0, 0, 0, NONE, NONE, 0, 12, false },
	{ { L_ETH, L_IP4, L_UDP, L_VXLAN, L_ETH, L_ARP }, FT, 0, 0, 0, 0,
		NONE, NONE, 0, NONE, false },
	/* one VXLAN level: the inner UDP to 4789 is just UDP */
	{ { L_ETH, L_IP4, L_UDP, L_VXLAN, L_ETH, L_IP6, L_UDP, L_VXLAN, L_ETH,
		L_PAY }, FT | F6, 17, 0, 2006, 4789, 64, 104, 86, NONE, true },
	{ { L_ETH, L_IP6, L_UDP, L_VXLAN, L_ETH, L_IP6, L_TCP },
		FT | F6 | NF_KEY_F_OUTER_V6, 6, 0, 1006, 80, 84, 124, 60, NONE,
		true },
};

/* The key a key_case must produce, from the case and the built packet. */
static void
case_key(const struct key_case *c, const struct pkt *p, struct nf_flow_key *e)
{
	unsigned int eth = 0, ip = 0, oip = 0, i;

	/* keyed: the Ethernet after the first VXLAN, the IP after that */
	for (i = 0; i < p->n; i++) {
		if (p->ls[i] == L_VXLAN && eth == 0)
			eth = i + 1;
		if ((p->ls[i] == L_IP4 || p->ls[i] == L_IP6) && ip <= eth)
			oip = oip ? oip : i, ip = i;
	}
	memset(e, 0, sizeof(*e));
	e->in_port = IN_PORT;
	e->flags = c->flags;
	e->ip_proto = c->proto;
	e->icmp_type = c->icmp;
	e->src_port = rte_cpu_to_be_16(c->sport);
	e->dst_port = rte_cpu_to_be_16(c->dport);
	e->tcp_flags = c->proto == IPPROTO_TCP ? 0x12 : 0;
	mac_of(e->dst_mac.addr_bytes, eth, true);
	mac_of(e->src_mac.addr_bytes, eth, false);
	e->eth_type = rte_cpu_to_be_16(layer_info[p->ls[eth + 1]].ether_type);
	if (c->flags & FV) {
		e->vlan_tci = RTE_BE16(0x2064);
		e->inner_type = rte_cpu_to_be_16(
			layer_info[p->ls[eth + 2]].ether_type);
	}
	if (c->flags & (F4 | F6)) {
		addr_of(e->src_ip, p->ls[ip], ip, false);
		addr_of(e->dst_ip, p->ls[ip], ip, true);
		e->tos = c->flags & F4 ? 0x10 : 0x28;
		e->ttl = c->flags & F4 ? 64 : 63;
	}
	if (c->flags & FT) {
		addr_of(e->outer_src, p->ls[oip], oip, false);
		addr_of(e->outer_dst, p->ls[oip], oip, true);
		e->vni = RTE_BE32(0x12345600);
		e->vxlan_rsvd0 = RTE_BE32(0x5a);
	}
}

NF_TEST(test_keys)
{
	struct nf_flow_key k, e;
	struct nf_pkt_layout lay;
	struct pkt p;

	for (unsigned int i = 0; i < RTE_DIM(key_cases); i++) {
		const struct key_case *c = &key_cases[i];
		int before = nf_test_failed_checks;
		bool tun = c->flags & FT;

		build(&p, c->ls);
		NF_CHECK_EQ(parse_pkt(&p, &k, &lay), NF_PKT_OK);
		case_key(c, &p, &e);
		NF_CHECK_MEM(&k, &e, sizeof(k));
		NF_CHECK_EQ(lay.l2, tun ? 50 + 20 * (p.ls[1] == L_IP6) : 0);
		NF_CHECK_EQ(lay.l3, c->l3);
		NF_CHECK_EQ(lay.l4, c->l4);
		NF_CHECK_EQ(lay.l3_len, c->l3_len);
		NF_CHECK_EQ(lay.vlan, c->vlan);
		NF_CHECK_EQ(lay.outer_l3, tun ? 14 : NONE);
		NF_CHECK_EQ(lay.vxlan, tun ? lay.l2 - 8 : NONE);
		NF_CHECK_EQ(lay.outer_l4, tun ? lay.l2 - 16 : NONE);
		NF_CHECK_EQ(nf_pkt_offloadable(&k), c->offload);
		if (nf_test_failed_checks != before)
			fprintf(stderr, "  key case %u\n", i);
	}
	/* broadcast / multicast destination: never offloaded */
	build(&p, LAYERS(L_ETH, L_IP6, L_UDP));
	memset(p.b, 0xff, 6);
	NF_CHECK_EQ(parse_pkt(&p, &k, NULL), NF_PKT_OK);
	NF_CHECK(!nf_pkt_offloadable(&k));
	memcpy(p.b, (uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	NF_CHECK_EQ(parse_pkt(&p, &k, NULL), NF_PKT_OK);
	NF_CHECK(!nf_pkt_offloadable(&k));
	/* an 802.1ad tag is taken like an 802.1Q one */
	build(&p, LAYERS(L_ETH, L_VLAN, L_IP4, L_UDP));
	put16(p.b + 12, 0x88a8);
	NF_CHECK_EQ(parse_pkt(&p, &k, &lay), NF_PKT_OK);
	NF_CHECK_EQ(k.eth_type, RTE_BE16(0x88a8));
	NF_CHECK_EQ(k.flags, FV | F4);
	NF_CHECK_EQ(lay.l4, 38);
}

/* The VXLAN key written out field by field, independently of case_key. */
static void
vxlan_expected(struct nf_flow_key *e, bool outer_v6)
{
	memset(e, 0, sizeof(*e));
	e->in_port = IN_PORT;
	e->flags = FT | FV | F4 | (outer_v6 ? NF_KEY_F_OUTER_V6 : 0);
	e->ip_proto = IPPROTO_TCP;
	e->eth_type = RTE_BE16(0x8100);
	e->vlan_tci = RTE_BE16(0x2064);
	memcpy(&e->dst_mac, (uint8_t[6]){ 2, 0, 0x5e, 0, 0xd0, 4 }, 6);
	memcpy(&e->src_mac, (uint8_t[6]){ 2, 0, 0x5e, 0, 0x50, 4 }, 6);
	e->inner_type = RTE_BE16(0x0800);
	e->tos = 0x10;
	e->tcp_flags = 0x12;
	e->src_port = RTE_BE16(1007);
	e->dst_port = RTE_BE16(80);
	e->vni = RTE_BE32(0x12345600);
	e->vxlan_rsvd0 = RTE_BE32(0x5a);
	memcpy(e->src_ip, (uint8_t[4]){ 10, 0, 6, 1 }, 4);
	memcpy(e->dst_ip, (uint8_t[4]){ 10, 0, 6, 2 }, 4);
	if (outer_v6) {
		memcpy(e->outer_src, (uint8_t[16]){ 0x20, 1, 0xd, 0xb8,
			[14] = 1, 1 }, 16);
		memcpy(e->outer_dst, (uint8_t[16]){ 0x20, 1, 0xd, 0xb8, 1,
			[14] = 1, 1 }, 16);
	} else {
		memcpy(e->outer_src, (uint8_t[4]){ 10, 0, 1, 1 }, 4);
		memcpy(e->outer_dst, (uint8_t[4]){ 10, 0, 1, 2 }, 4);
	}
	e->ttl = 64;
}

NF_TEST(test_vxlan)
{
	struct nf_flow_key k, e;
	struct nf_pkt_layout lay;
	struct pkt p;

	for (int v6 = 0; v6 <= 1; v6++) {
		uint16_t o = v6 ? 20 : 0;

		build(&p, LAYERS(L_ETH, v6 ? L_IP6 : L_IP4, L_UDP, L_VXLAN,
			L_ETH, L_VLAN, L_IP4, L_TCP, L_PAY));
		NF_CHECK_EQ(parse_pkt(&p, &k, &lay), NF_PKT_OK);
		vxlan_expected(&e, v6);
		NF_CHECK_MEM(&k, &e, sizeof(k));
		NF_CHECK_EQ(lay.outer_l3, 14);
		NF_CHECK_EQ(lay.outer_l4, 34 + o);
		NF_CHECK_EQ(lay.vxlan, 42 + o);
		NF_CHECK_EQ(lay.l2, 50 + o);
		NF_CHECK_EQ(lay.vlan, 62 + o);
		NF_CHECK_EQ(lay.l3, 68 + o);
		NF_CHECK_EQ(lay.l4, 88 + o);
		NF_CHECK_EQ(lay.l3_len, 56);
		NF_CHECK(nf_pkt_offloadable(&k));
	}
	/* the inner destination decides offload, not the outer one */
	p.b[0] = 0x01;
	NF_CHECK_EQ(parse_pkt(&p, &k, NULL), NF_PKT_OK);
	NF_CHECK(nf_pkt_offloadable(&k));
	p.b[p.at[4]] = 0x01;
	NF_CHECK_EQ(parse_pkt(&p, &k, NULL), NF_PKT_OK);
	NF_CHECK(!nf_pkt_offloadable(&k));
}

/* Parse p as fragment: IPv4 frag field / IPv6 frag_data at @off. */
static int
parse_frag(struct pkt *p, uint16_t off, uint16_t val, struct nf_flow_key *k,
	   struct nf_pkt_layout *lay)
{
	put16(p->b + off, val);
	return parse_pkt(p, k, lay);
}

NF_TEST(test_fragments)
{
	const uint8_t fl = NF_KEY_F_FRAG | NF_KEY_F_LATER_FRAG;
	struct nf_flow_key first, later;
	struct nf_pkt_layout l1, l2;
	struct pkt p;

	for (int v6 = 0; v6 <= 1; v6++) {
		/* IPv4 MF / offset 185; IPv6 offset 0 + M / offset 100 */
		uint16_t off = v6 ? 14 + 40 + 8 + 2 : 14 + 6;

		build(&p, v6 ? LAYERS(L_ETH, L_IP6, L_HBH, L_FRAG6, L_UDP,
			L_PAY) : LAYERS(L_ETH, L_IP4, L_UDP, L_PAY));
		/* a first fragment's UDP length spans the whole datagram */
		put16(p.b + p.at[p.n - 2] + 4, 1000);
		NF_CHECK_EQ(parse_frag(&p, off, v6 ? 1 : 0x2000, &first, &l1),
			NF_PKT_OK);
		NF_CHECK_EQ(parse_frag(&p, off, v6 ? 100 << 3 : 185, &later,
			&l2), NF_PKT_OK);
		NF_CHECK_EQ(first.flags & fl, NF_KEY_F_FRAG);
		NF_CHECK_EQ(later.flags & fl, fl);
		NF_CHECK_EQ(first.src_port, RTE_BE16(2000 + p.n - 2));
		NF_CHECK_EQ(later.src_port | later.dst_port, 0);
		NF_CHECK_EQ(later.ip_proto, IPPROTO_UDP);
		NF_CHECK_EQ(l1.l4, p.at[p.n - 2]);
		NF_CHECK_EQ(l2.l4, NONE);
		NF_CHECK_EQ(nf_vxlan_src_port(&first),
			nf_vxlan_src_port(&later));
		NF_CHECK_EQ(nf_pkt_sym_hash(&first), nf_pkt_sym_hash(&later));
	}
	/* DF alone is not a fragment */
	build(&p, LAYERS(L_ETH, L_IP4, L_UDP));
	NF_CHECK_EQ(parse_frag(&p, 14 + 6, 0x4000, &first, NULL), NF_PKT_OK);
	NF_CHECK_EQ(first.flags, F4);
	/* after a later fragment's header comes data, even when the next
	 * header says "destination options" and the data looks like one */
	build(&p, LAYERS(L_ETH, L_IP6, L_FRAG6, L_DST, L_UDP));
	p.b[p.at[3] + 1] = 0xff;
	NF_CHECK_EQ(parse_frag(&p, p.at[2] + 2, 100 << 3, &later, &l2),
		NF_PKT_OK);
	NF_CHECK_EQ(later.ip_proto, IPPROTO_DSTOPTS);
	/* a fragment to port 4789 is not decapsulated */
	build(&p, LAYERS(L_ETH, L_IP4, L_UDP, L_VXLAN, L_ETH, L_IP4, L_TCP));
	NF_CHECK_EQ(parse_frag(&p, 14 + 6, 0x2000, &first, &l1), NF_PKT_OK);
	NF_CHECK_EQ(first.flags, F4 | NF_KEY_F_FRAG);
	NF_CHECK_EQ(l1.vxlan, NONE);
}

/*
 * Reason for cutting p to @cut bytes: with the length fields as built (they
 * then overstate, so the outermost IP length check fires), or clamped to the
 * cut (so each header's own truncation check fires).
 */
static int
expected_cut(const struct pkt *p, uint16_t cut, bool clamp)
{
	for (unsigned int i = 0; i < p->n; i++) {
		const struct layer_info *li = &layer_info[p->ls[i]];

		if (cut < p->at[i] + li->need)
			return li->trunc;
		if (clamp || cut == p->len)
			continue;
		if (p->ls[i] == L_IP4)
			return NF_PKT_ERR_IPV4_LEN;
		if (p->ls[i] == L_IP6)
			return NF_PKT_ERR_IPV6_LEN;
	}
	return NF_PKT_OK;
}

static void
clamp_lengths(struct pkt *q, uint16_t cut)
{
	for (unsigned int i = 0; i < q->n; i++) {
		uint8_t *h = q->b + q->at[i];
		uint16_t at = q->at[i];

		if (q->ls[i] == L_IP4 && cut >= at + 20)
			put16(h + 2, cut - at);
		else if (q->ls[i] == L_IP6 && cut >= at + 40)
			put16(h + 4, cut - at - 40);
		else if (q->ls[i] == L_UDP && cut >= at + 8)
			put16(h + 4, cut - at);
	}
}

NF_TEST(test_truncation)
{
	static const enum layer shapes[][MAX_LAYERS] = {
		{ L_ETH, L_IP4, L_TCP, L_PAY },
		{ L_ETH, L_VLAN, L_IP4, L_UDP, L_PAY },
		{ L_ETH, L_IP4, L_ICMP },
		{ L_ETH, L_IP6, L_HBH, L_DST, L_TCP },
		{ L_ETH, L_IP6, L_FRAG6, L_UDP },
		{ L_ETH, L_VLAN, L_IP6, L_ICMP6 },
		{ L_ETH, L_ARP },
		{ L_ETH, L_IP4, L_UDP, L_VXLAN, L_ETH, L_VLAN, L_IP4, L_TCP },
		{ L_ETH, L_IP6, L_UDP, L_VXLAN, L_ETH, L_IP6, L_DST, L_UDP },
	};
	struct nf_flow_key k, k2;
	struct pkt p, q;

	for (unsigned int s = 0; s < RTE_DIM(shapes); s++) {
		build(&p, shapes[s]);
		for (uint16_t cut = 0; cut <= p.len; cut++) {
			int want = expected_cut(&p, cut, false);
			int rc = parse_exact(p.b, cut, &k, NULL);

			NF_CHECK_EQ(rc, want);
			NF_CHECK_EQ(parse_mbuf(p.b, cut, &k2, NULL), rc);
			if (rc != want)
				fprintf(stderr, "  shape %u cut %u\n", s, cut);
			q = p;
			clamp_lengths(&q, cut);
			want = expected_cut(&q, cut, true);
			rc = parse_exact(q.b, cut, &k, NULL);
			NF_CHECK_EQ(rc, want);
			if (rc != want)
				fprintf(stderr, "  shape %u clamped cut %u\n",
					s, cut);
		}
	}
}

#define W16 0x100  /* byte index flag: a 16-bit field */
static const enum layer *const bad_shapes[] = {
	LAYERS(L_ETH, L_IP4, L_UDP, L_PAY),
	LAYERS(L_ETH, L_IP4, L_TCP),
	LAYERS(L_ETH, L_IP6, L_UDP),
	LAYERS(L_ETH, L_IP6, L_UDP, L_VXLAN, L_ETH, L_IP4, L_TCP),
	LAYERS(L_ETH, L_IP6, L_HBH, L_UDP),
	LAYERS(L_ETH, L_IP6, L_DST, L_DST, L_DST, L_DST, L_DST, L_DST, L_DST,
		L_DST, L_DST, L_UDP),
};

/* Shape, layer, byte (| W16), value written, expected result. */
static const struct bad_case {
	uint8_t shape, layer;
	uint16_t byte, val;
	uint8_t err;
} bad_cases[] = {
	{ 0, 1, 0, 0x44, NF_PKT_ERR_IPV4_IHL },
	{ 0, 1, 0, 0x55, NF_PKT_ERR_IPV4_IHL },
	{ 0, 1, 0, 0x65, NF_PKT_ERR_IPV4_IHL },
	{ 0, 1, 0, 0x4f, NF_PKT_ERR_IPV4_IHL },  /* options cut */
	{ 0, 1, 0, 0x46, NF_PKT_ERR_UDP_LEN },   /* options eat UDP */
	{ 0, 1, W16 | 2, 19, NF_PKT_ERR_IPV4_LEN },
	{ 0, 1, W16 | 2, 45, NF_PKT_ERR_IPV4_LEN },
	{ 0, 1, W16 | 2, 0xffff, NF_PKT_ERR_IPV4_LEN },
	{ 0, 1, W16 | 2, 20, NF_PKT_ERR_TRUNC_UDP },
	{ 0, 2, W16 | 4, 7, NF_PKT_ERR_UDP_LEN },
	{ 0, 2, W16 | 4, 25, NF_PKT_ERR_UDP_LEN },
	{ 0, 2, W16 | 4, 8, NF_PKT_OK },
	{ 1, 2, 12, 0x40, NF_PKT_ERR_TCP_DOFF },
	{ 1, 2, 12, 0x00, NF_PKT_ERR_TCP_DOFF },
	{ 1, 2, 12, 0x60, NF_PKT_ERR_TCP_DOFF },
	{ 1, 1, W16 | 2, 39, NF_PKT_ERR_TRUNC_TCP },
	{ 2, 1, 0, 0x42, NF_PKT_ERR_IPV6_LEN },
	{ 2, 1, 0, 0x72, NF_PKT_ERR_IPV6_LEN },
	{ 2, 1, W16 | 4, 9, NF_PKT_ERR_IPV6_LEN },
	{ 2, 1, W16 | 4, 7, NF_PKT_ERR_TRUNC_UDP },
	{ 2, 2, W16 | 4, 9, NF_PKT_ERR_UDP_LEN },
	{ 3, 3, 0, 0x00, NF_PKT_ERR_VXLAN_FLAGS },
	{ 3, 3, 0, 0x0c, NF_PKT_ERR_VXLAN_FLAGS },
	{ 3, 3, 0, 0x88, NF_PKT_ERR_VXLAN_FLAGS },
	{ 3, 3, 0, 0x09, NF_PKT_ERR_VXLAN_FLAGS },
	{ 3, 3, 1, 0xff, NF_PKT_OK },            /* reserved: carried */
	{ 3, 2, W16 | 4, 8 + 8 + 13, NF_PKT_ERR_TRUNC_VXLAN },
	{ 3, 2, W16 | 4, 8 + 7, NF_PKT_ERR_TRUNC_VXLAN },
	{ 3, 5, 0, 0x35, NF_PKT_ERR_IPV4_IHL },  /* inner errors */
	{ 3, 6, 12, 0x30, NF_PKT_ERR_TCP_DOFF },
	{ 4, 2, 1, 2, NF_PKT_ERR_IPV6_EXT },     /* longer than payload */
	{ 5, 0, 0, 0x02, NF_PKT_ERR_IPV6_EXT },  /* 9 extension headers */
};

NF_TEST(test_malformed)
{
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	struct pkt p;

	for (unsigned int i = 0; i < RTE_DIM(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		uint8_t *h;
		int rc;

		build(&p, bad_shapes[c->shape]);
		h = p.b + p.at[c->layer] + (c->byte & 0xff);
		if (c->byte & W16)
			put16(h, c->val);
		else
			*h = c->val;
		rc = parse_exact(p.b, p.len, &k, NULL);
		NF_CHECK_EQ(rc, c->err);
		if (rc != c->err)
			fprintf(stderr, "  bad case %u\n", i);
	}
	/* Ethernet padding after a short datagram is fine */
	build(&p, bad_shapes[0]);
	put16(p.b + 14 + 2, 28);
	put16(p.b + 34 + 4, 8);
	NF_CHECK_EQ(parse_exact(p.b, p.len, &k, &lay), NF_PKT_OK);
	NF_CHECK_EQ(lay.l3_len, 28);
}

NF_TEST(test_multiseg)
{
	struct rte_mbuf *m1 = rte_pktmbuf_alloc(pool);
	struct rte_mbuf *m2 = rte_pktmbuf_alloc(pool);
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	struct pkt p;
	uint16_t hdr = 14 + 20 + 20;

	if (m1 == NULL || m2 == NULL) {
		NF_CHECK(!"mbuf alloc");
		return;
	}
	build(&p, LAYERS(L_ETH, L_IP4, L_TCP, L_PAY, L_PAY, L_PAY));
	memcpy(rte_pktmbuf_append(m1, hdr), p.b, hdr);
	memcpy(rte_pktmbuf_append(m2, p.len - hdr), p.b + hdr, p.len - hdr);
	NF_CHECK_EQ(rte_pktmbuf_chain(m1, m2), 0);
	NF_CHECK_EQ(nf_pkt_parse(m1, 3, &k, &lay), NF_PKT_OK);
	NF_CHECK_EQ(lay.l3_len, p.len - 14);
	NF_CHECK_EQ(k.src_port, RTE_BE16(1002));
	/* a header split across segments is refused, never read across */
	m1->data_len = hdr - 1;
	*(uint8_t *)rte_pktmbuf_prepend(m2, 1) = p.b[hdr - 1];
	NF_CHECK_EQ(nf_pkt_parse(m1, 3, &k, &lay), NF_PKT_ERR_TRUNC_TCP);
	rte_pktmbuf_free(m1);
}

/* Recompute the TCP/UDP checksum of p's layer 2 from scratch. */
static uint16_t
full_l4_csum(struct pkt *p, unsigned int off)
{
	uint8_t *f = p->b + p->at[2] + off;
	uint8_t saved[2] = { f[0], f[1] };
	uint16_t c;

	put16(f, 0);
	c = p->ls[1] == L_IP4 ?
		rte_ipv4_udptcp_cksum((void *)(p->b + 14), p->b + p->at[2]) :
		rte_ipv6_udptcp_cksum((void *)(p->b + 14), p->b + p->at[2]);
	memcpy(f, saved, 2);
	return c;
}

/* Rewrite the source address and a port incrementally, many times. */
static void
csum_rewrite_loop(const enum layer *ls)
{
	struct pkt p;
	bool v6, tcp;
	uint8_t *ip, *l4, *addr;
	unsigned int alen, coff;
	int before;

	build(&p, ls);
	v6 = p.ls[1] == L_IP6;
	tcp = p.ls[2] == L_TCP;
	ip = p.b + 14;
	l4 = p.b + p.at[2];
	addr = ip + (v6 ? 8 : 12);
	alen = v6 ? 16 : 4;
	coff = tcp ? 16 : 6;
	before = nf_test_failed_checks;
	for (int it = 0; it < 2000; it++) {
		uint8_t na[16];
		rte_be16_t oc, np = rnd(), op;
		struct rte_ipv4_hdr *h4 = (void *)ip;

		for (unsigned int i = 0; i < alen; i++)
			na[i] = rnd();
		if (!v6)
			h4->hdr_checksum = nf_csum_update(h4->hdr_checksum,
				addr, na, alen);
		nf_pkt_l4_csum_addr(l4, tcp ? IPPROTO_TCP : IPPROTO_UDP, addr,
			na, alen, v6);
		memcpy(addr, na, alen);
		memcpy(&op, l4 + (it & 1 ? 2 : 0), 2);
		memcpy(&oc, l4 + coff, 2);
		oc = nf_csum_update16(oc, op, np);
		if (!tcp && oc == 0)    /* the caller's job for ports */
			oc = RTE_BE16(0xffff);
		memcpy(l4 + coff, &oc, 2);
		memcpy(l4 + (it & 1 ? 2 : 0), &np, 2);
		NF_CHECK_EQ(oc, full_l4_csum(&p, coff));
		if (!v6) {
			rte_be16_t c = h4->hdr_checksum, r;

			NF_CHECK_EQ(c, nf_ipv4_csum(h4));
			h4->hdr_checksum = 0;
			r = rte_ipv4_cksum(h4);
			/* DPDK writes 0xffff where the sum gives 0x0000 */
			NF_CHECK(c == r || (c == 0 && r == 0xffff));
			h4->hdr_checksum = c;
		}
		if (nf_test_failed_checks != before)
			break;
	}
}

NF_TEST(test_csum)
{
	struct pkt p;
	uint8_t a[4] = { 192, 0, 2, 1 }, z[4] = { 0 }, hc[4];
	uint8_t th[20] = { [16] = 0x12, [17] = 0x34 };
	rte_be16_t c;

	csum_rewrite_loop(LAYERS(L_ETH, L_IP4, L_TCP, L_PAY));
	csum_rewrite_loop(LAYERS(L_ETH, L_IP4, L_UDP, L_PAY));
	csum_rewrite_loop(LAYERS(L_ETH, L_IP6, L_UDP, L_PAY));
	csum_rewrite_loop(LAYERS(L_ETH, L_IP6, L_TCP));

	/* UDP without checksum stays without: IPv4 "none", IPv6 RFC 6935 */
	build(&p, LAYERS(L_ETH, L_IP4, L_UDP, L_PAY));
	put16(p.b + 34 + 6, 0);
	nf_pkt_l4_csum_addr(p.b + 34, IPPROTO_UDP, p.b + 26, a, 4, false);
	NF_CHECK_EQ(p.b[40] | p.b[41], 0);
	build(&p, LAYERS(L_ETH, L_IP6, L_UDP, L_VXLAN, L_ETH, L_PAY));
	put16(p.b + 54 + 6, 0);
	nf_pkt_l4_csum_addr(p.b + 54, IPPROTO_UDP, p.b + 22, a, 4, true);
	NF_CHECK_EQ(p.b[60] | p.b[61], 0);
	/* a result of 0 is sent as 0xffff for UDP, kept for TCP: HC = 0x1234,
	 * 0.0.0.0 -> 0x12.0x34.0.0 makes ~(~HC + ~m + m') == 0 */
	memcpy(hc, (uint8_t[4]){ 0x12, 0x34, 0, 0 }, 4);
	for (int v6 = 0; v6 <= 1; v6++) {
		uint8_t udp[8] = { 0, 1, 0, 2, 0, 8, 0x12, 0x34 };

		nf_pkt_l4_csum_addr(udp, IPPROTO_UDP, z, hc, 4, v6);
		NF_CHECK_EQ(udp[6] << 8 | udp[7], 0xffff);
	}
	nf_pkt_l4_csum_addr(th, IPPROTO_TCP, z, hc, 4, false);
	NF_CHECK_EQ(th[16] | th[17], 0);
	c = nf_csum_update16(RTE_BE16(0x1234), 0, RTE_BE16(0x1234));
	NF_CHECK_EQ(c, 0);
	/* other protocols are left alone */
	nf_pkt_l4_csum_addr(th, IPPROTO_ICMP, z, a, 4, false);
	NF_CHECK_EQ(th[16] | th[17], 0);
}

static void
tuple_key(struct nf_flow_key *k, uint32_t src, uint16_t sp, uint16_t dp)
{
	memset(k, 0, sizeof(*k));
	k->flags = NF_KEY_F_IPV4;
	k->ip_proto = IPPROTO_TCP;
	memcpy(k->src_ip, &src, 4);
	memcpy(k->dst_ip, (uint8_t[4]){ 10, 9, 8, 7 }, 4);
	k->src_port = rte_cpu_to_be_16(sp);
	k->dst_port = rte_cpu_to_be_16(dp);
}

/* How many distinct source ports 1024 tuples of shape @variant get. */
static unsigned int
distinct_ports(int variant)
{
	static uint8_t seen[16384];
	struct nf_flow_key k;
	unsigned int n = 0;

	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < 1024; i++) {
		uint32_t ip = rte_cpu_to_be_32(0x0a000000 + i);
		unsigned int sp;

		if (variant == 0)
			tuple_key(&k, RTE_BE32(0x0a000001), 1024 + i, 80);
		else if (variant == 1)
			tuple_key(&k, ip, 5555, 443);
		else
			tuple_key(&k, rnd(), rnd(), rnd());
		sp = nf_vxlan_src_port(&k) - 49152u;
		NF_CHECK(sp < RTE_DIM(seen));
		if (sp >= RTE_DIM(seen))
			continue;
		n += !seen[sp];
		seen[sp] = 1;
	}
	return n;
}

NF_TEST(test_hash)
{
	struct nf_flow_key k, r;
	int before = nf_test_failed_checks;

	for (int v = 0; v < 3; v++) {
		unsigned int n = distinct_ports(v);

		NF_CHECK(n >= 900);
		printf("     vxlan sport variant %d: %u distinct of 1024\n",
			v, n);
	}
	for (int i = 0; i < 10000; i++) {
		tuple_key(&k, rnd(), rnd(), rnd());
		k.ip_proto = i & 1 ? IPPROTO_UDP : IPPROTO_TCP;
		r = k;
		memcpy(r.src_ip, k.dst_ip, 16);
		memcpy(r.dst_ip, k.src_ip, 16);
		r.src_port = k.dst_port;
		r.dst_port = k.src_port;
		NF_CHECK_EQ(nf_pkt_sym_hash(&k), nf_pkt_sym_hash(&r));
		/* same addresses: the ports alone must be ordered */
		memcpy(r.src_ip, k.src_ip, 16);
		memcpy(r.dst_ip, k.src_ip, 16);
		k = r;
		r.src_port = k.dst_port;
		r.dst_port = k.src_port;
		NF_CHECK_EQ(nf_pkt_sym_hash(&k), nf_pkt_sym_hash(&r));
		if (nf_test_failed_checks != before)
			break;
	}
	/* direction-independent, yet flow-dependent */
	tuple_key(&k, RTE_BE32(0x0a000001), 1000, 80);
	tuple_key(&r, RTE_BE32(0x0a000001), 1001, 80);
	NF_CHECK(nf_pkt_sym_hash(&k) != nf_pkt_sym_hash(&r));
}

/* Invariants of a successful parse of a @len-byte frame. */
static void
check_sane(const struct nf_flow_key *k, const struct nf_pkt_layout *l,
	   uint16_t len)
{
	static const uint8_t zero[7];

	NF_CHECK(l->l3 == NF_OFF_NONE || l->l3 < len);
	NF_CHECK(l->l4 == NF_OFF_NONE || (l->l4 > l->l3 && l->l4 < len));
	NF_CHECK(l->l2 < len);
	NF_CHECK(!(k->flags & NF_KEY_F_TUNNEL) || l->l2 == l->vxlan + 8);
	NF_CHECK(k->tag == 0 && k->in_port == IN_PORT);
	NF_CHECK_MEM(k->pad, zero, sizeof(zero));
}

NF_TEST(test_fuzz)
{
	static const enum layer seeds[][MAX_LAYERS] = {
		{ L_ETH, L_IP4, L_UDP, L_VXLAN, L_ETH, L_VLAN, L_IP4, L_TCP },
		{ L_ETH, L_IP6, L_UDP, L_VXLAN, L_ETH, L_IP6, L_HBH, L_UDP },
		{ L_ETH, L_VLAN, L_IP6, L_HBH, L_DST, L_FRAG6, L_TCP },
		{ L_ETH, L_IP6, L_DST, L_ICMP6 },
	};
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100, 0x88a8 };
	struct nf_flow_key k, k2;
	struct nf_pkt_layout lay, lay2;
	unsigned int ok = 0;
	int before = nf_test_failed_checks;
	struct pkt p;

	for (int it = 0; it < 200000; it++) {
		uint16_t len = rnd() % 201;
		int rc;

		for (unsigned int i = 0; i < len; i++)
			p.b[i] = rnd();
		/* bias towards frames that get past the first checks */
		if ((it & 1) && len >= 15) {
			put16(p.b + 12, types[rnd() % RTE_DIM(types)]);
			p.b[14] = (rnd() & 1 ? 0x45 : 0x60) | (p.b[14] & 0x0a);
		}
		rc = parse_exact(p.b, len, &k, &lay);
		NF_CHECK(rc >= 0 && rc < NF_PKT_ERR_MAX);
		if (rc == NF_PKT_OK)
			check_sane(&k, &lay, len);
		if (nf_test_failed_checks != before)
			return;
	}
	for (int it = 0; it < 200000; it++) {
		int rc, n = 1 + rnd() % 4;
		uint16_t len;

		build(&p, seeds[it % RTE_DIM(seeds)]);
		for (int i = 0; i < n; i++)
			p.b[rnd() % p.len] ^= 1u << (rnd() % 8);
		if (rnd() & 1)
			p.b[rnd() % p.len] = rnd();
		len = rnd() & 1 ? p.len : rnd() % (p.len + 1);
		rc = parse_exact(p.b, len, &k, &lay);
		NF_CHECK(rc >= 0 && rc < NF_PKT_ERR_MAX);
		if (rc == NF_PKT_OK) {
			check_sane(&k, &lay, len);
			ok++;
		}
		/* nothing beyond data_len may influence the result */
		if ((it & 15) == 0) {
			NF_CHECK_EQ(parse_mbuf(p.b, len, &k2, &lay2), rc);
			if (rc == NF_PKT_OK) {
				NF_CHECK_MEM(&k, &k2, sizeof(k));
				NF_CHECK_MEM(&lay, &lay2, sizeof(lay));
			}
		}
		if (nf_test_failed_checks != before)
			return;
	}
	printf("     fuzz: %u of 200000 mutated frames parsed ok\n", ok);
}

/*
 * nf_pkt_parse()'s fast path (untagged IPv4 without options, unfragmented
 * TCP/UDP) must give exactly the general walk's verdict, key and layout:
 * frames of its shape with one header field set to an edge value (type,
 * IHL, flags/offset, lengths, protocol, ports with 4789, TCP data offset)
 * and cut anywhere, parsed both ways. Fails if the fast path accepts what
 * the walk refuses, or fills one field differently.
 */
NF_TEST(test_fast_path_same)
{
	static const enum layer seeds[][MAX_LAYERS] = {
		{ L_ETH, L_IP4, L_UDP, L_PAY },
		{ L_ETH, L_IP4, L_TCP, L_PAY },
		{ L_ETH, L_IP4, L_UDP, L_VXLAN, L_ETH, L_IP4, L_TCP },
	};
	/* Offsets of the fields the fast path decides on (untagged IPv4:
	 * L3 at 14, L4 at 34) and values around their edges. */
	static const struct { uint8_t off, len; } fields[] = {
		{12, 2}, {14, 1}, {16, 2}, {20, 2}, {23, 1}, {36, 2}, {38, 2},
		{46, 1},
	};
	static const uint16_t vals[] = {
		0, 1, 7, 8, 19, 20, 21, 0x45, 0x46, 0x0800, 0x86dd, 0x8100,
		0x2000, 0x4000, 0x1fff, 4789, 6, 17, 0x50, 0xf0, 0xffff,
	};
	struct nf_flow_key k, k2;
	struct nf_pkt_layout lay, lay2;
	unsigned int fast = 0, n = 0;
	int before = nf_test_failed_checks;
	struct pkt p;

	for (int it = 0; it < 300000; it++) {
		int rc, rc2;
		uint16_t len;

		build(&p, seeds[it % RTE_DIM(seeds)]);
		if (it % 4 != 0) {
			unsigned int f = rnd() % RTE_DIM(fields);
			uint16_t v = rnd() & 1 ? vals[rnd() % RTE_DIM(vals)] :
						 (uint16_t)rnd();

			if (fields[f].off + fields[f].len <= p.len) {
				if (fields[f].len == 2)
					put16(p.b + fields[f].off, v);
				else
					p.b[fields[f].off] = (uint8_t)v;
			}
		}
		len = rnd() % 3 ? p.len : rnd() % (p.len + 1);
		rc = parse_exact_by(nf_pkt_parse, p.b, len, &k, &lay);
		rc2 = parse_exact_by(nf_pkt_parse_walk, p.b, len, &k2, &lay2);
		NF_CHECK_EQ(rc, rc2);
		if (rc == NF_PKT_OK && rc2 == NF_PKT_OK) {
			NF_CHECK_MEM(&k, &k2, sizeof(k));
			NF_CHECK_MEM(&lay, &lay2, sizeof(lay));
			fast += !(k.flags & NF_KEY_F_TUNNEL) &&
				(k.ip_proto == IPPROTO_TCP ||
				 k.ip_proto == IPPROTO_UDP);
			n++;
		}
		if (nf_test_failed_checks != before)
			return;
	}
	/* Most parsed frames were of the fast path's shape: it was tested. */
	NF_CHECK(fast > n / 2);
	printf("     fast path: %u of %u parsed frames had its shape, all "
	       "equal to the walk's\n", fast, n);
}

int
main(int argc, char **argv)
{
	char *eal_args[] = { "test_pkt", "--no-huge", "-m", "64", "--no-pci",
		"--file-prefix", "nf_test_pkt", "-l", "0",
		"--log-level", "lib.eal:error" };
	static const struct nf_test_case cases[] = {
		NF_CASE(test_err_names), NF_CASE(test_keys),
		NF_CASE(test_vxlan), NF_CASE(test_fragments),
		NF_CASE(test_truncation), NF_CASE(test_malformed),
		NF_CASE(test_multiseg), NF_CASE(test_csum),
		NF_CASE(test_hash), NF_CASE(test_fuzz),
		NF_CASE(test_fast_path_same),
	};
	int rc;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_pkt", 255, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	rc = nf_test_run(cases, RTE_DIM(cases));
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc;
}
