/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * Unit tests of net_snic's action execution (snic_action.c).
 *
 * Every case builds an input frame and the frame it must become with the
 * same builders (build(), build_vxlan()), which derive every length and
 * checksum from scratch with DPDK's full-computation helpers; the rewritten
 * mbuf must equal the expected frame byte for byte. After each rewrite the
 * output is also re-parsed: the key and layout snic_actions_apply() left
 * must be the ones a parse of the new frame gives, and every checksum in it
 * must verify.
 *
 * The robustness case runs random actions with random layouts over mutated
 * frames held in an mbuf whose buffer is a malloc'ed block of exactly
 * headroom + frame bytes, so the address sanitizer flags any access outside
 * the first segment (mempool memory is not instrumented).
 */

#include <stdbool.h>
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
#include "snic.h"

#define IN_PORT 3
#define FRAME_MAX 1600

static struct rte_mempool *pool;
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

/* ------------------------------------------------------------ builders */

struct eth_spec {
	uint8_t dst[6];
	uint8_t src[6];
	bool vlan;
	uint16_t tpid;
	uint16_t tci;
};

struct ip_spec {
	bool v6;
	uint8_t proto;       /* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMPV6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t ttl;
	uint8_t tos;         /* IPv4 TOS / IPv6 traffic class */
	uint32_t flow;       /* IPv6 flow label */
	uint16_t id;         /* IPv4 identification */
	uint16_t frag;       /* IPv4 flags + fragment offset, host order */
	bool no_l4;          /* a later fragment: payload only */
	bool udp_nocsum;     /* leave the UDP checksum 0 */
	uint16_t sport;
	uint16_t dport;
	uint16_t paylen;
};

struct tun_spec {
	struct eth_spec eth;
	bool v6;
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t ttl;
	uint16_t sport;      /* 0 in an encap definition: N-7 hash */
	uint32_t vni;
	uint32_t rsvd0;      /* 24 bits */
	bool udp_csum;       /* compute the outer UDP checksum, else 0 */
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
mac(uint8_t *m, uint8_t a, uint8_t b)
{
	const uint8_t v[6] = { 0x02, 0x00, 0x00, 0x00, a, b };

	memcpy(m, v, 6);
}

static void
ip4(uint8_t *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, 16);
	a[0] = b0;
	a[1] = b1;
	a[2] = b2;
	a[3] = b3;
}

static void
ip6(uint8_t *a, uint16_t net, uint8_t host)
{
	memset(a, 0, 16);
	put16(a, 0x2001);
	put16(a + 2, 0x0db8);
	put16(a + 4, net);
	a[15] = host;
}

static size_t
put_eth(uint8_t *b, const struct eth_spec *e, uint16_t type)
{
	size_t n = 12;

	memcpy(b, e->dst, 6);
	memcpy(b + 6, e->src, 6);
	if (e->vlan) {
		put16(b + 12, e->tpid);
		put16(b + 14, e->tci);
		n = 16;
	}
	put16(b + n, type);
	return n + 2;
}

/* L4 header and payload, checksum 0. */
static size_t
put_l4(uint8_t *b, const struct ip_spec *s)
{
	size_t hl = 0;

	if (!s->no_l4 && s->proto == IPPROTO_TCP) {
		memset(b, 0, 20);
		put16(b, s->sport);
		put16(b + 2, s->dport);
		put32(b + 4, 0x01020304);
		put32(b + 8, 0x0a0b0c0d);
		b[12] = 0x50;
		b[13] = 0x10;
		put16(b + 14, 0xffff);
		hl = 20;
	} else if (!s->no_l4 && s->proto == IPPROTO_UDP) {
		memset(b, 0, 8);
		put16(b, s->sport);
		put16(b + 2, s->dport);
		put16(b + 4, 8 + s->paylen);
		hl = 8;
	} else if (!s->no_l4 && s->proto == IPPROTO_ICMPV6) {
		memset(b, 0, 8);
		b[0] = 128;
		put16(b + 4, 0x1234);
		put16(b + 6, 1);
		hl = 8;
	}
	for (size_t i = 0; i < s->paylen; i++)
		b[hl + i] = (uint8_t)(i * 7 + 3);
	return hl + s->paylen;
}

static size_t
put_ip(uint8_t *b, const struct ip_spec *s)
{
	size_t hl = s->v6 ? 40 : 20;
	uint8_t *l4 = b + hl;
	size_t l4len = put_l4(l4, s);
	uint16_t ck;

	memset(b, 0, hl);
	if (s->v6) {
		put32(b, 6u << 28 | (uint32_t)s->tos << 20 | s->flow);
		put16(b + 4, l4len);
		b[6] = s->proto;
		b[7] = s->ttl;
		memcpy(b + 8, s->src, 16);
		memcpy(b + 24, s->dst, 16);
	} else {
		b[0] = 0x45;
		b[1] = s->tos;
		put16(b + 2, hl + l4len);
		put16(b + 4, s->id);
		put16(b + 6, s->frag);
		b[8] = s->ttl;
		b[9] = s->proto;
		memcpy(b + 12, s->src, 4);
		memcpy(b + 16, s->dst, 4);
		ck = rte_ipv4_cksum((const struct rte_ipv4_hdr *)b);
		memcpy(b + 10, &ck, 2);
	}
	if (s->no_l4 || (s->proto == IPPROTO_UDP && s->udp_nocsum))
		return hl + l4len;
	ck = s->v6 ? rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)b, l4) :
		rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)b, l4);
	memcpy(l4 + (s->proto == IPPROTO_TCP ? 16 :
		     s->proto == IPPROTO_UDP ? 6 : 2), &ck, 2);
	return hl + l4len;
}

static size_t
build(uint8_t *b, const struct eth_spec *e, const struct ip_spec *s)
{
	size_t n = put_eth(b, e, s->v6 ? 0x86dd : 0x0800);

	return n + put_ip(b + n, s);
}

/* Outer Ethernet / IP / UDP / VXLAN around inner (ilen bytes, may be 0). */
static size_t
build_vxlan(uint8_t *b, const struct tun_spec *t, const uint8_t *inner,
	    size_t ilen)
{
	size_t n = put_eth(b, &t->eth, t->v6 ? 0x86dd : 0x0800);
	size_t hl = t->v6 ? 40 : 20;
	uint8_t *ip = b + n;
	uint8_t *uh = ip + hl;
	uint8_t *vx = uh + 8;
	size_t ulen = 16 + ilen;
	uint16_t ck;

	memset(ip, 0, hl + 16);
	if (t->v6) {
		put32(ip, 6u << 28);
		put16(ip + 4, ulen);
		ip[6] = IPPROTO_UDP;
		ip[7] = t->ttl;
		memcpy(ip + 8, t->src, 16);
		memcpy(ip + 24, t->dst, 16);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, hl + ulen);
		ip[8] = t->ttl;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, t->src, 4);
		memcpy(ip + 16, t->dst, 4);
		ck = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
		memcpy(ip + 10, &ck, 2);
	}
	put16(uh, t->sport);
	put16(uh + 2, NF_VXLAN_PORT);
	put16(uh + 4, ulen);
	put32(vx, 0x08000000u | (t->rsvd0 & 0xffffff));
	put32(vx + 4, t->vni << 8);
	if (ilen > 0)
		memcpy(vx + 8, inner, ilen);
	if (t->udp_csum) {
		ck = t->v6 ?
			rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)ip,
					      uh) :
			rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip,
					      uh);
		memcpy(uh + 6, &ck, 2);
	}
	return n + hl + ulen;
}

static void
make_encap(struct snic_encap *e, const struct tun_spec *t)
{
	struct tun_spec def = *t;

	def.udp_csum = false;
	memset(e, 0, sizeof(*e));
	e->len = (uint8_t)build_vxlan(e->hdr, &def, NULL, 0);
	e->l3_off = t->eth.vlan ? 18 : 14;
	e->l4_off = e->l3_off + (t->v6 ? 40 : 20);
	e->ipv6 = t->v6;
	e->hash_sport = t->sport == 0;
}

/* ------------------------------------------------------------ fixtures */

static void
eth_vm(struct eth_spec *e, bool vlan)
{
	memset(e, 0, sizeof(*e));
	mac(e->dst, 0xaa, 1);
	mac(e->src, 0xbb, 2);
	e->vlan = vlan;
	e->tpid = RTE_ETHER_TYPE_VLAN;
	e->tci = vlan ? 0x2064 : 0;
}

static void
ip_v4(struct ip_spec *s, uint8_t proto)
{
	memset(s, 0, sizeof(*s));
	s->proto = proto;
	ip4(s->src, 10, 0, 0, 5);
	ip4(s->dst, 10, 1, 0, 7);
	s->ttl = 64;
	s->tos = 0xb9;
	s->id = 0x4242;
	s->frag = 0x4000;    /* DF */
	s->sport = 40000;
	s->dport = 443;
	s->paylen = 37;
}

static void
ip_v6(struct ip_spec *s, uint8_t proto)
{
	ip_v4(s, proto);
	s->v6 = true;
	ip6(s->src, 1, 5);
	ip6(s->dst, 2, 7);
	s->flow = 0x12345;
}

static void
tun_v4(struct tun_spec *t)
{
	memset(t, 0, sizeof(*t));
	mac(t->eth.dst, 0xcc, 3);
	mac(t->eth.src, 0xdd, 4);
	t->eth.tpid = RTE_ETHER_TYPE_VLAN;
	ip4(t->src, 172, 16, 0, 1);
	ip4(t->dst, 172, 16, 0, 2);
	t->ttl = 64;
	t->vni = 5001;
}

static void
tun_v6(struct tun_spec *t)
{
	tun_v4(t);
	t->v6 = true;
	ip6(t->src, 0xfe, 1);
	ip6(t->dst, 0xfe, 2);
}

/* ------------------------------------------------------------ checks */

static struct rte_mbuf *
mk(const uint8_t *b, size_t n)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	if (m == NULL)
		abort();
	d = rte_pktmbuf_append(m, n);
	if (d == NULL)
		abort();
	memcpy(d, b, n);
	return m;
}

/* Parse the frame into m, apply a, return the verdict. */
static int
run(struct rte_mbuf *m, const struct snic_actions *a, struct nf_flow_key *k,
    struct nf_pkt_layout *lay)
{
	NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, k, lay), 0);
	return snic_actions_apply(a, m, k, lay);
}

static void
check_frame(const struct rte_mbuf *m, const uint8_t *exp, size_t n)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	NF_CHECK_EQ(rte_pktmbuf_pkt_len(m), n);
	NF_CHECK_EQ(rte_pktmbuf_data_len(m), n);
	if (rte_pktmbuf_data_len(m) != n)
		return;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != exp[i]) {
			fprintf(stderr, "  first difference at byte %zu: "
				"%02x, expected %02x\n", i, p[i], exp[i]);
			break;
		}
	}
	NF_CHECK_MEM(p, exp, n);
}

static void
check_l4(const uint8_t *ip, const uint8_t *l4, bool v6, uint8_t proto)
{
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return;
	if (proto == IPPROTO_UDP && !v6 && get16(l4 + 6) == 0)
		return;
	if (v6)
		NF_CHECK_EQ(rte_ipv6_udptcp_cksum_verify(
			(const struct rte_ipv6_hdr *)ip, l4), 0);
	else
		NF_CHECK_EQ(rte_ipv4_udptcp_cksum_verify(
			(const struct rte_ipv4_hdr *)ip, l4), 0);
}

/* Every checksum of the frame verifies by full recomputation. */
static void
check_csums(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct nf_flow_key k;
	struct nf_pkt_layout lay;

	NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k, &lay), 0);
	if (k.flags & NF_KEY_F_TUNNEL) {
		bool v6 = k.flags & NF_KEY_F_OUTER_V6;

		if (!v6)
			NF_CHECK_EQ(rte_ipv4_cksum((const struct rte_ipv4_hdr *)
				(p + lay.outer_l3)), 0);
		if (get16(p + lay.outer_l4 + 6) != 0)
			check_l4(p + lay.outer_l3, p + lay.outer_l4, v6,
				 IPPROTO_UDP);
	}
	if (k.flags & NF_KEY_F_IPV4)
		NF_CHECK_EQ(rte_ipv4_cksum((const struct rte_ipv4_hdr *)
			(p + lay.l3)), 0);
	if ((k.flags & (NF_KEY_F_IPV4 | NF_KEY_F_IPV6)) &&
	    !(k.flags & NF_KEY_F_FRAG) && lay.l4 != NF_OFF_NONE)
		check_l4(p + lay.l3, p + lay.l4, k.flags & NF_KEY_F_IPV6,
			 k.ip_proto);
}

/* The key and layout apply() left are those of a fresh parse. */
static void
check_consistent(const struct rte_mbuf *m, const struct nf_flow_key *k,
		 const struct nf_pkt_layout *lay)
{
	struct nf_flow_key k2;
	struct nf_pkt_layout l2;

	NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k2, &l2), 0);
	k2.tag = k->tag;
	k2.flags |= k->flags & NF_KEY_F_TAG;
	NF_CHECK_EQ(lay->outer_l3, l2.outer_l3);
	NF_CHECK_EQ(lay->outer_l4, l2.outer_l4);
	NF_CHECK_EQ(lay->vxlan, l2.vxlan);
	NF_CHECK_EQ(lay->l2, l2.l2);
	NF_CHECK_EQ(lay->l3, l2.l3);
	NF_CHECK_EQ(lay->l4, l2.l4);
	NF_CHECK_EQ(lay->l3_len, l2.l3_len);
	NF_CHECK_EQ(lay->vlan, l2.vlan);
	NF_CHECK_EQ(k->flags, k2.flags);
	NF_CHECK_MEM(k, &k2, sizeof(k2));
}

/* Apply a to in; the result must be exp (FWD verdict, sound key/layout). */
static void
expect(const uint8_t *in, size_t n, const struct snic_actions *a,
       const uint8_t *exp, size_t en)
{
	struct rte_mbuf *m = mk(in, n);
	struct nf_flow_key k;
	struct nf_pkt_layout lay;

	NF_CHECK_EQ(run(m, a, &k, &lay), SNIC_V_FWD);
	check_frame(m, exp, en);
	check_csums(m);
	check_consistent(m, &k, &lay);
	rte_pktmbuf_free(m);
}

/* Key of a frame, for the expected N-7 source port. */
static struct nf_flow_key
key_of(const uint8_t *b, size_t n)
{
	struct rte_mbuf *m = mk(b, n);
	struct nf_flow_key k;

	NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k, NULL), 0);
	rte_pktmbuf_free(m);
	return k;
}

/* ------------------------------------------------------------ rewrites */

NF_TEST(test_set_mac)
{
	struct snic_rewrite rw = { 0 };
	struct snic_actions a = { .flags = SNIC_A_PORT, .rw = &rw };
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct eth_spec e, e2;
	struct ip_spec s;
	size_t n;

	mac(rw.mac_src.addr_bytes, 0x11, 0x11);
	mac(rw.mac_dst.addr_bytes, 0x22, 0x22);
	for (int tagged = 0; tagged < 2; tagged++) {
		eth_vm(&e, tagged);
		ip_v4(&s, IPPROTO_TCP);
		n = build(in, &e, &s);
		e2 = e;
		memcpy(e2.src, rw.mac_src.addr_bytes, 6);
		a.flags = SNIC_A_PORT | SNIC_A_SET_MAC_SRC;
		build(exp, &e2, &s);
		expect(in, n, &a, exp, n);
		memcpy(e2.dst, rw.mac_dst.addr_bytes, 6);
		a.flags |= SNIC_A_SET_MAC_DST;
		build(exp, &e2, &s);
		expect(in, n, &a, exp, n);
	}
}

/* SET_IPV4/IPV6_SRC/DST alone, on TCP, UDP and UDP without checksum. */
static void
set_ip_case(bool v6, uint8_t proto, bool nocsum, uint32_t which)
{
	struct snic_rewrite rw = { 0 };
	struct snic_actions a = { .flags = SNIC_A_PORT | which, .rw = &rw };
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct eth_spec e;
	struct ip_spec s, s2;
	size_t n;

	if (v6) {
		ip6(rw.ip_src, 0x77, 9);
		ip6(rw.ip_dst, 0x88, 10);
		a.flags |= SNIC_A_SET_IP6;
	} else {
		ip4(rw.ip_src, 192, 0, 2, 10);
		ip4(rw.ip_dst, 198, 51, 100, 20);
	}
	eth_vm(&e, false);
	v6 ? ip_v6(&s, proto) : ip_v4(&s, proto);
	s.udp_nocsum = nocsum;
	n = build(in, &e, &s);
	s2 = s;
	if (which & SNIC_A_SET_IP_SRC)
		memcpy(s2.src, rw.ip_src, 16);
	if (which & SNIC_A_SET_IP_DST)
		memcpy(s2.dst, rw.ip_dst, 16);
	build(exp, &e, &s2);
	expect(in, n, &a, exp, n);
}

NF_TEST(test_set_ipv4)
{
	const uint32_t w[] = { SNIC_A_SET_IP_SRC, SNIC_A_SET_IP_DST,
		SNIC_A_SET_IP_SRC | SNIC_A_SET_IP_DST };

	for (unsigned int i = 0; i < RTE_DIM(w); i++) {
		set_ip_case(false, IPPROTO_TCP, false, w[i]);
		set_ip_case(false, IPPROTO_UDP, false, w[i]);
		set_ip_case(false, IPPROTO_UDP, true, w[i]);
	}
}

NF_TEST(test_set_ipv6)
{
	const uint32_t w[] = { SNIC_A_SET_IP_SRC, SNIC_A_SET_IP_DST,
		SNIC_A_SET_IP_SRC | SNIC_A_SET_IP_DST };

	for (unsigned int i = 0; i < RTE_DIM(w); i++) {
		set_ip_case(true, IPPROTO_TCP, false, w[i]);
		set_ip_case(true, IPPROTO_UDP, false, w[i]);
		set_ip_case(true, IPPROTO_ICMPV6, false, w[i]);
	}
}

/* The other IP version, or a later fragment (no L4 header to fix). */
NF_TEST(test_set_ip_skip)
{
	struct snic_rewrite rw = { 0 };
	struct snic_actions a = {
		.flags = SNIC_A_PORT | SNIC_A_SET_IP_DST | SNIC_A_SET_IP6,
		.rw = &rw,
	};
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct eth_spec e;
	struct ip_spec s;
	size_t n;

	ip6(rw.ip_dst, 0x88, 10);
	eth_vm(&e, false);
	ip_v4(&s, IPPROTO_UDP);
	n = build(in, &e, &s);
	expect(in, n, &a, in, n);

	ip4(rw.ip_dst, 198, 51, 100, 20);
	a.flags &= ~SNIC_A_SET_IP6;
	s.frag = 0x0010;     /* offset 128: later fragment */
	s.no_l4 = true;
	n = build(in, &e, &s);
	memcpy(s.dst, rw.ip_dst, 4);
	build(exp, &e, &s);
	expect(in, n, &a, exp, n);
}

NF_TEST(test_dec_ttl)
{
	struct snic_actions a = { .flags = SNIC_A_PORT | SNIC_A_DEC_TTL };
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct eth_spec e;
	struct ip_spec s;
	size_t n;

	for (int v6 = 0; v6 < 2; v6++) {
		const uint8_t ttls[] = { 64, 2, 255, 128 };

		for (unsigned int i = 0; i < RTE_DIM(ttls); i++) {
			eth_vm(&e, i & 1);
			v6 ? ip_v6(&s, IPPROTO_UDP) : ip_v4(&s, IPPROTO_TCP);
			s.ttl = ttls[i];
			n = build(in, &e, &s);
			s.ttl--;
			build(exp, &e, &s);
			expect(in, n, &a, exp, n);
		}
	}
}

NF_TEST(test_pop_vlan)
{
	struct snic_actions a = { .flags = SNIC_A_PORT | SNIC_A_POP_VLAN };
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct eth_spec e;
	struct ip_spec s;
	size_t n, en;

	eth_vm(&e, true);
	ip_v4(&s, IPPROTO_TCP);
	n = build(in, &e, &s);
	e.vlan = false;
	en = build(exp, &e, &s);
	expect(in, n, &a, exp, en);
	/* untagged: nothing to pop */
	expect(exp, en, &a, exp, en);

	eth_vm(&e, true);
	e.tpid = RTE_ETHER_TYPE_QINQ;
	ip_v6(&s, IPPROTO_UDP);
	n = build(in, &e, &s);
	e.vlan = false;
	en = build(exp, &e, &s);
	expect(in, n, &a, exp, en);
}

NF_TEST(test_push_vlan)
{
	struct snic_rewrite rw = { .push_tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN),
		.vid = 0x123, .pcp = 5 };
	struct snic_actions a = {
		.flags = SNIC_A_PORT | SNIC_A_PUSH_VLAN, .rw = &rw,
	};
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct eth_spec e;
	struct ip_spec s;
	size_t n, en;
	const struct {
		uint32_t f;
		uint16_t tci;
	} c[] = {
		{ 0, 0 },
		{ SNIC_A_SET_VID, 0x123 },
		{ SNIC_A_SET_PCP, 5u << 13 },
		{ SNIC_A_SET_VID | SNIC_A_SET_PCP, 5u << 13 | 0x123 },
	};

	for (unsigned int i = 0; i < RTE_DIM(c); i++) {
		a.flags = SNIC_A_PORT | SNIC_A_PUSH_VLAN | c[i].f;
		eth_vm(&e, false);
		i & 1 ? ip_v6(&s, IPPROTO_TCP) : ip_v4(&s, IPPROTO_UDP);
		n = build(in, &e, &s);
		e.vlan = true;
		e.tci = c[i].tci;
		en = build(exp, &e, &s);
		expect(in, n, &a, exp, en);
	}
	/* onto a tagged frame: a new outer tag (the parser sees one) */
	rw.push_tpid = RTE_BE16(RTE_ETHER_TYPE_QINQ);
	a.flags = SNIC_A_PORT | SNIC_A_PUSH_VLAN | SNIC_A_SET_VID;
	eth_vm(&e, true);
	ip_v4(&s, IPPROTO_TCP);
	n = build(in, &e, &s);
	memcpy(exp, in, 12);
	put16(exp + 12, RTE_ETHER_TYPE_QINQ);
	put16(exp + 14, 0x123);
	memcpy(exp + 16, in + 12, n - 12);
	{
		struct rte_mbuf *m = mk(in, n);
		struct nf_flow_key k;
		struct nf_pkt_layout lay;

		NF_CHECK_EQ(run(m, &a, &k, &lay), SNIC_V_FWD);
		check_frame(m, exp, n + 4);
		NF_CHECK_EQ(lay.vlan, 12);
		NF_CHECK_EQ(k.inner_type, RTE_BE16(RTE_ETHER_TYPE_VLAN));
		rte_pktmbuf_free(m);
	}
}

NF_TEST(test_set_vid_pcp)
{
	struct snic_rewrite rw = { .vid = 0xabc, .pcp = 6 };
	struct snic_actions a = { .rw = &rw };
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct eth_spec e;
	struct ip_spec s;
	size_t n;
	const struct {
		uint32_t f;
		uint16_t tci;
	} c[] = {
		{ SNIC_A_SET_VID, 0x3000 | 0xabc },
		{ SNIC_A_SET_PCP, 0xc000 | 0x1064 },  /* DEI kept */
		{ SNIC_A_SET_VID | SNIC_A_SET_PCP, 0xc000 | 0x1abc },
	};

	for (unsigned int i = 0; i < RTE_DIM(c); i++) {
		a.flags = SNIC_A_PORT | c[i].f;
		eth_vm(&e, true);
		e.tci = 0x3064;   /* PCP 1, DEI 1, VID 100 */
		ip_v4(&s, IPPROTO_TCP);
		n = build(in, &e, &s);
		e.tci = c[i].tci;
		build(exp, &e, &s);
		expect(in, n, &a, exp, n);
	}
	/* untagged: no tag to modify */
	a.flags = SNIC_A_PORT | SNIC_A_SET_VID | SNIC_A_SET_PCP;
	eth_vm(&e, false);
	n = build(in, &e, &s);
	expect(in, n, &a, in, n);
}

/* MODIFY_FIELD IPV4_DSCP / IPV6_DSCP, SET / ADD / SUB. */
NF_TEST(test_dscp)
{
	struct snic_rewrite rw = { 0 };
	struct snic_actions a = {
		.flags = SNIC_A_PORT | SNIC_A_MOD_DSCP, .rw = &rw,
	};
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct eth_spec e;
	struct ip_spec s;
	size_t n;
	/* input DSCP 0x2e (101110), ECN 01 */
	const struct {
		struct snic_modify md;
		uint8_t dscp;
	} c[] = {
		{ { RTE_FLOW_MODIFY_SET, 0, 6, 0x0a }, 0x0a },
		{ { RTE_FLOW_MODIFY_SET, 3, 3, 0x1 }, 0x0e },
		{ { RTE_FLOW_MODIFY_ADD, 0, 6, 0x01 }, 0x2f },
		{ { RTE_FLOW_MODIFY_ADD, 3, 3, 0x5 }, 0x16 }, /* 5+5 mod 8 */
		{ { RTE_FLOW_MODIFY_ADD, 0, 6, 0x20 }, 0x0e }, /* wraps */
		{ { RTE_FLOW_MODIFY_SUB, 0, 2, 0x3 }, 0x2f }, /* 2-3 mod 4 */
		{ { RTE_FLOW_MODIFY_SUB, 0, 6, 0x2e }, 0x00 },
		{ { RTE_FLOW_MODIFY_SUB, 1, 5, 0x18 }, 0x3e }, /* 23-24 */
	};

	for (int v6 = 0; v6 < 2; v6++) {
		/* IPV6_DSCP compiles with SNIC_A_SET_IP6 */
		a.flags = SNIC_A_PORT | SNIC_A_MOD_DSCP |
			  (v6 ? SNIC_A_SET_IP6 : 0);
		for (unsigned int i = 0; i < RTE_DIM(c); i++) {
			rw.dscp = c[i].md;
			eth_vm(&e, i & 1);
			v6 ? ip_v6(&s, IPPROTO_TCP) : ip_v4(&s, IPPROTO_UDP);
			s.tos = 0x2e << 2 | 1;
			n = build(in, &e, &s);
			s.tos = (uint8_t)(c[i].dscp << 2 | 1);
			build(exp, &e, &s);
			expect(in, n, &a, exp, n);
		}
		/* the field's IP version only: the other is left alone */
		v6 ? ip_v4(&s, IPPROTO_UDP) : ip_v6(&s, IPPROTO_TCP);
		s.tos = 0x2e << 2 | 1;
		n = build(in, &e, &s);
		expect(in, n, &a, in, n);
	}
}

/* ------------------------------------------------------------ tunnels */

NF_TEST(test_decap)
{
	struct snic_actions a = { .flags = SNIC_A_PORT | SNIC_A_DECAP };
	uint8_t in[FRAME_MAX], inner[FRAME_MAX];
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n, in_n;

	for (int i = 0; i < 4; i++) {
		i & 1 ? tun_v6(&t) : tun_v4(&t);
		t.eth.vlan = i & 2;
		t.udp_csum = i & 1;
		t.sport = 50000;
		eth_vm(&e, i == 1);
		i & 2 ? ip_v6(&s, IPPROTO_UDP) : ip_v4(&s, IPPROTO_TCP);
		in_n = build(inner, &e, &s);
		n = build_vxlan(in, &t, inner, in_n);
		expect(in, n, &a, inner, in_n);
	}
	/* not tunnelled: nothing to strip */
	expect(inner, in_n, &a, inner, in_n);
}

/* Plain frame -> VXLAN (outer v4 or v6, with or without a VLAN). */
NF_TEST(test_encap)
{
	struct snic_encap enc;
	struct snic_rewrite rw = { .encap = &enc };
	struct snic_actions a = {
		.flags = SNIC_A_PORT | SNIC_A_ENCAP, .rw = &rw,
	};
	uint8_t in[FRAME_MAX], exp[FRAME_MAX];
	struct nf_flow_key k;
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n;

	for (int i = 0; i < 8; i++) {
		i & 1 ? tun_v6(&t) : tun_v4(&t);
		t.eth.vlan = i & 2;
		t.eth.tci = 0x0fff;
		t.sport = i & 4 ? 0 : 4242;
		t.rsvd0 = 0x123456;
		make_encap(&enc, &t);
		NF_CHECK_EQ(enc.len, (t.v6 ? 70 : 50) + (t.eth.vlan ? 4 : 0));
		eth_vm(&e, i & 4);
		i & 2 ? ip_v6(&s, IPPROTO_UDP) : ip_v4(&s, IPPROTO_TCP);
		n = build(in, &e, &s);
		k = key_of(in, n);
		if (t.sport == 0)
			t.sport = nf_vxlan_src_port(&k);
		NF_CHECK(t.sport >= 49152 || t.sport == 4242);
		expect(in, n, &a, exp, build_vxlan(exp, &t, in, n));
		NF_CHECK_EQ(snic_actions_len_delta(&a, &k, &(struct
			nf_pkt_layout){ .vlan = NF_OFF_NONE }), enc.len);
	}
}

/* MODIFY_FIELD VXLAN_RSVD0 on the new header and on a received one. */
NF_TEST(test_rsvd0)
{
	struct snic_encap enc;
	struct snic_rewrite rw = { .encap = &enc };
	struct snic_actions a = { .rw = &rw };
	uint8_t in[FRAME_MAX], inner[FRAME_MAX], exp[FRAME_MAX];
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n, in_n;

	eth_vm(&e, false);
	ip_v4(&s, IPPROTO_TCP);
	in_n = build(inner, &e, &s);

	/* after ENCAP: the colouring byte of the new header */
	tun_v4(&t);
	t.sport = 5555;
	make_encap(&enc, &t);
	rw.rsvd0 = (struct snic_modify){ RTE_FLOW_MODIFY_SET, 0, 8, 0x5a };
	a.flags = SNIC_A_PORT | SNIC_A_ENCAP | SNIC_A_MOD_RSVD0;
	t.rsvd0 = 0x5a;
	expect(inner, in_n, &a, exp, build_vxlan(exp, &t, inner, in_n));

	/* received, UDP checksum in use (IPv6 and IPv4 outer) */
	for (int v6 = 0; v6 < 2; v6++) {
		v6 ? tun_v6(&t) : tun_v4(&t);
		t.udp_csum = true;
		t.sport = 60001;
		t.rsvd0 = 0xfffe01;
		n = build_vxlan(in, &t, inner, in_n);
		rw.rsvd0 = (struct snic_modify){ RTE_FLOW_MODIFY_ADD, 8, 16,
			0x0102 };
		a.flags = SNIC_A_PORT | SNIC_A_MOD_RSVD0;
		t.rsvd0 = 0x010001;  /* 0xfffe + 0x0102 wraps to 0x0100 */
		expect(in, n, &a, exp, build_vxlan(exp, &t, inner, in_n));
		rw.rsvd0 = (struct snic_modify){ RTE_FLOW_MODIFY_SUB, 0, 8, 2 };
		t.rsvd0 = 0xfffeff;
		n = build_vxlan(in, &t, inner, in_n);
		t.rsvd0 = 0xfffefd;
		expect(in, n, &a, exp, build_vxlan(exp, &t, inner, in_n));
	}

	/* not tunnelled: no-op */
	a.flags = SNIC_A_PORT | SNIC_A_MOD_RSVD0;
	expect(inner, in_n, &a, inner, in_n);
}

/*
 * Rewrites of the inner frame of a VXLAN packet that stays tunnelled: the
 * outer lengths and the outer UDP checksum must follow.
 */
NF_TEST(test_tunnel_inner)
{
	struct snic_rewrite rw = { .push_tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN),
		.vid = 7, .pcp = 1 };
	struct snic_actions a = { .rw = &rw };
	uint8_t in[FRAME_MAX], inner[FRAME_MAX], exp[FRAME_MAX];
	uint8_t inner2[FRAME_MAX];
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n, in_n, in2_n;

	mac(rw.mac_dst.addr_bytes, 0x99, 1);
	ip4(rw.ip_dst, 10, 9, 9, 9);
	for (int i = 0; i < 4; i++) {
		i & 1 ? tun_v6(&t) : tun_v4(&t);
		t.udp_csum = true;
		t.sport = 61000;

		/* tagged inner: POP, MAC_DST, SET_IPV4_DST, DEC_TTL */
		eth_vm(&e, true);
		ip_v4(&s, i & 2 ? IPPROTO_UDP : IPPROTO_TCP);
		in_n = build(inner, &e, &s);
		n = build_vxlan(in, &t, inner, in_n);
		a.flags = SNIC_A_PORT | SNIC_A_POP_VLAN | SNIC_A_SET_MAC_DST |
			SNIC_A_SET_IP_DST | SNIC_A_DEC_TTL;
		e.vlan = false;
		memcpy(e.dst, rw.mac_dst.addr_bytes, 6);
		memcpy(s.dst, rw.ip_dst, 4);
		s.ttl--;
		in2_n = build(inner2, &e, &s);
		expect(in, n, &a, exp, build_vxlan(exp, &t, inner2, in2_n));

		/* and back: PUSH + VID + PCP */
		a.flags = SNIC_A_PORT | SNIC_A_PUSH_VLAN | SNIC_A_SET_VID |
			SNIC_A_SET_PCP;
		n = build_vxlan(in, &t, inner2, in2_n);
		e.vlan = true;
		e.tci = 1u << 13 | 7;
		in_n = build(inner, &e, &s);
		expect(in, n, &a, exp, build_vxlan(exp, &t, inner, in_n));
	}
}

/* ------------------------------------------------------------ spec §7.5 */

/* Cross-node L3, egress: VM (tagged) -> FIP -> VXLAN to the remote VTEP. */
NF_TEST(test_spec_75_egress)
{
	struct snic_encap enc;
	struct snic_rewrite rw = { .encap = &enc };
	struct snic_actions a = {
		.flags = SNIC_A_COUNT | SNIC_A_POP_VLAN | SNIC_A_SET_MAC_SRC |
			SNIC_A_SET_MAC_DST | SNIC_A_SET_IP_SRC |
			SNIC_A_DEC_TTL | SNIC_A_ENCAP | SNIC_A_PORT,
		.rw = &rw,
	};
	uint8_t in[FRAME_MAX], inner[FRAME_MAX], exp[FRAME_MAX];
	struct nf_flow_key k;
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n, in_n;

	for (int v6 = 0; v6 < 2; v6++) {
		tun_v4(&t);
		make_encap(&enc, &t);
		mac(rw.mac_src.addr_bytes, 0x61, 1);  /* src gw */
		mac(rw.mac_dst.addr_bytes, 0x62, 2);  /* dst gw */
		eth_vm(&e, true);
		if (v6) {
			ip_v6(&s, IPPROTO_TCP);
			ip6(rw.ip_src, 0xf1, 0x10);
			a.flags |= SNIC_A_SET_IP6;
		} else {
			ip_v4(&s, IPPROTO_TCP);
			ip4(rw.ip_src, 192, 0, 2, 10);
		}
		n = build(in, &e, &s);

		e.vlan = false;
		memcpy(e.src, rw.mac_src.addr_bytes, 6);
		memcpy(e.dst, rw.mac_dst.addr_bytes, 6);
		memcpy(s.src, rw.ip_src, 16);
		s.ttl--;
		in_n = build(inner, &e, &s);
		k = key_of(inner, in_n);
		t.sport = nf_vxlan_src_port(&k);
		expect(in, n, &a, exp, build_vxlan(exp, &t, inner, in_n));
	}
}

/* Cross-node L3, ingress: VXLAN from the remote VTEP -> trunk VM port. */
NF_TEST(test_spec_75_ingress)
{
	struct snic_rewrite rw = { .push_tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN),
		.vid = 100, .pcp = 3 };
	struct snic_actions a = {
		.flags = SNIC_A_DECAP | SNIC_A_COUNT | SNIC_A_SET_MAC_SRC |
			SNIC_A_SET_MAC_DST | SNIC_A_PUSH_VLAN |
			SNIC_A_SET_VID | SNIC_A_SET_PCP | SNIC_A_SET_IP_DST |
			SNIC_A_DEC_TTL | SNIC_A_PORT,
		.rw = &rw,
	};
	uint8_t in[FRAME_MAX], inner[FRAME_MAX], exp[FRAME_MAX];
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n, in_n;

	mac(rw.mac_src.addr_bytes, 0x63, 3);
	mac(rw.mac_dst.addr_bytes, 0x64, 4);
	ip4(rw.ip_dst, 10, 0, 0, 5);
	for (int i = 0; i < 2; i++) {
		i ? tun_v6(&t) : tun_v4(&t);
		t.sport = 51000;
		t.udp_csum = i;
		eth_vm(&e, false);
		ip_v4(&s, IPPROTO_UDP);
		ip4(s.src, 198, 51, 100, 1);
		ip4(s.dst, 192, 0, 2, 10);   /* the FIP */
		in_n = build(inner, &e, &s);
		n = build_vxlan(in, &t, inner, in_n);

		memcpy(e.src, rw.mac_src.addr_bytes, 6);
		memcpy(e.dst, rw.mac_dst.addr_bytes, 6);
		e.vlan = true;
		e.tci = 3u << 13 | 100;
		memcpy(s.dst, rw.ip_dst, 4);
		s.ttl--;
		expect(in, n, &a, exp, build(exp, &e, &s));
	}
}

/* ------------------------------------------------------------ precheck */

NF_TEST(test_precheck_mtu)
{
	static struct snic_switch sw;
	static struct snic_port p0 = { .mtu = 1500 }, p1 = { .mtu = 1450 };
	struct snic_encap enc, enc_vlan;
	struct snic_rewrite rw = { .encap = &enc,
		.push_tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN) };
	struct snic_actions a = { .rw = &rw };
	uint8_t in[FRAME_MAX], tun[FRAME_MAX];
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	struct rte_mbuf *m;
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n;

	sw.nb_ports = 2;
	sw.ports[0] = &p0;
	sw.ports[1] = &p1;
	tun_v4(&t);
	make_encap(&enc, &t);
	t.eth.vlan = true;
	make_encap(&enc_vlan, &t);

	/* L3 1500, untagged and tagged (the tag is not L3) */
	for (int tagged = 0; tagged < 2; tagged++) {
		eth_vm(&e, tagged);
		ip_v4(&s, IPPROTO_UDP);
		s.paylen = 1500 - 28;
		n = build(in, &e, &s);
		m = mk(in, n);
		NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k, &lay), 0);
		a.out_port = 0;
		a.flags = SNIC_A_PORT;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    SNIC_V_FWD);
		a.flags = SNIC_A_PORT | SNIC_A_POP_VLAN;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    SNIC_V_FWD);
		/* a second tag is not exempt: only one fits the L2 allowance */
		a.flags = SNIC_A_PORT | SNIC_A_PUSH_VLAN;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    tagged ? SNIC_V_MISS_MTU : SNIC_V_FWD);
		a.flags = SNIC_A_PORT | SNIC_A_POP_VLAN | SNIC_A_PUSH_VLAN;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    SNIC_V_FWD);
		a.flags = SNIC_A_PORT | SNIC_A_ENCAP;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    SNIC_V_MISS_MTU);
		a.flags = SNIC_A_PORT;
		a.out_port = 1;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    SNIC_V_MISS_MTU);
		a.flags = SNIC_A_UPCALL;   /* no PORT: no MTU */
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    SNIC_V_FWD);
		a.flags = SNIC_A_PORT;
		a.out_port = 9;            /* absent: the caller's business */
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    SNIC_V_FWD);
		rte_pktmbuf_free(m);
	}

	/* L3 1450 + VXLAN (50, or 54 with a VLAN) = 1500 at the outer L3 */
	for (int extra = 0; extra < 2; extra++) {
		eth_vm(&e, false);
		ip_v4(&s, IPPROTO_TCP);
		s.paylen = 1450 - 40 + extra;
		n = build(in, &e, &s);
		m = mk(in, n);
		NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k, &lay), 0);
		a.out_port = 0;
		a.flags = SNIC_A_PORT | SNIC_A_ENCAP;
		rw.encap = &enc;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    extra ? SNIC_V_MISS_MTU : SNIC_V_FWD);
		rw.encap = &enc_vlan;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    extra ? SNIC_V_MISS_MTU : SNIC_V_FWD);
		rte_pktmbuf_free(m);

		/* DECAP of that VXLAN packet: inner L3 1450 (+extra) */
		t.eth.vlan = false;
		n = build_vxlan(tun, &t, in, n);
		m = mk(tun, n);
		NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k, &lay), 0);
		a.out_port = 1;
		a.flags = SNIC_A_PORT | SNIC_A_DECAP;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    extra ? SNIC_V_MISS_MTU : SNIC_V_FWD);
		a.flags = SNIC_A_PORT | SNIC_A_DECAP | SNIC_A_PUSH_VLAN;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    extra ? SNIC_V_MISS_MTU : SNIC_V_FWD);
		a.flags = SNIC_A_PORT;     /* forwarded still encapsulated */
		a.out_port = 0;
		NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
			    extra ? SNIC_V_MISS_MTU : SNIC_V_FWD);
		rte_pktmbuf_free(m);
	}
}

NF_TEST(test_precheck_ttl)
{
	static struct snic_switch sw;
	struct snic_actions a = { .flags = SNIC_A_PORT | SNIC_A_DEC_TTL };
	uint8_t in[FRAME_MAX], tun[FRAME_MAX];
	const uint8_t ttl[] = { 0, 1, 2, 64 };
	const int want[] = { SNIC_V_MISS_TTL, SNIC_V_MISS_TTL, SNIC_V_FWD,
		SNIC_V_FWD };
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	struct rte_mbuf *m;
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n;

	for (int v = 0; v < 3; v++) {
		for (unsigned int i = 0; i < RTE_DIM(ttl); i++) {
			eth_vm(&e, false);
			v == 1 ? ip_v6(&s, IPPROTO_TCP) :
				ip_v4(&s, IPPROTO_UDP);
			s.ttl = ttl[i];
			n = build(in, &e, &s);
			if (v == 2) {      /* inner TTL of a VXLAN packet */
				tun_v4(&t);
				n = build_vxlan(tun, &t, in, n);
				memcpy(in, tun, n);
				a.flags |= SNIC_A_DECAP;
			}
			m = mk(in, n);
			NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k, &lay), 0);
			a.flags |= SNIC_A_DEC_TTL;
			NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
				    want[i]);
			a.flags &= ~SNIC_A_DEC_TTL;
			NF_CHECK_EQ(snic_actions_precheck(&sw, &a, m, &k, &lay),
				    SNIC_V_FWD);
			rte_pktmbuf_free(m);
		}
	}
}

/* ------------------------------------------------------------ N-7 */

static uint16_t
encap_sport(const uint8_t *in, size_t n, const struct snic_actions *a)
{
	struct rte_mbuf *m = mk(in, n);
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	uint16_t sp;

	NF_CHECK_EQ(run(m, a, &k, &lay), SNIC_V_FWD);
	check_csums(m);
	check_consistent(m, &k, &lay);
	sp = get16(rte_pktmbuf_mtod(m, uint8_t *) + lay.outer_l4);
	rte_pktmbuf_free(m);
	return sp;
}

/* Fragments of one datagram share the outer source port. */
NF_TEST(test_n7_fragments)
{
	struct snic_encap enc;
	struct snic_rewrite rw = { .encap = &enc };
	struct snic_actions a = {
		.flags = SNIC_A_PORT | SNIC_A_ENCAP, .rw = &rw,
	};
	uint8_t in[FRAME_MAX];
	uint16_t first, later, other[4];
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n;
	bool differ = false;

	tun_v6(&t);
	make_encap(&enc, &t);
	NF_CHECK(enc.hash_sport);
	eth_vm(&e, false);
	ip_v4(&s, IPPROTO_UDP);
	s.frag = 0x2000;          /* MF, offset 0: carries the UDP header */
	s.paylen = 64;
	n = build(in, &e, &s);
	first = encap_sport(in, n, &a);
	s.frag = 0x0009;          /* offset 72, last */
	s.no_l4 = true;
	s.paylen = 30;
	n = build(in, &e, &s);
	later = encap_sport(in, n, &a);
	NF_CHECK_EQ(first, later);
	NF_CHECK(first >= 49152);

	/* whole datagrams hash their ports */
	for (int i = 0; i < 4; i++) {
		ip_v4(&s, IPPROTO_UDP);
		s.frag = 0;
		s.sport = (uint16_t)(1000 + i);
		n = build(in, &e, &s);
		other[i] = encap_sport(in, n, &a);
		NF_CHECK(other[i] >= 49152);
		if (i > 0 && other[i] != other[0])
			differ = true;
	}
	NF_CHECK(differ);
}

/* ------------------------------------------------------------ errors */

NF_TEST(test_headroom)
{
	struct snic_encap enc;
	struct snic_rewrite rw = { .encap = &enc,
		.push_tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN) };
	struct snic_actions a = { .rw = &rw };
	uint8_t in[FRAME_MAX];
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	struct rte_mbuf *m;
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n;

	tun_v4(&t);
	make_encap(&enc, &t);
	eth_vm(&e, false);
	ip_v4(&s, IPPROTO_TCP);
	n = build(in, &e, &s);

	m = rte_pktmbuf_alloc(pool);
	m->data_off = 49;
	memcpy(rte_pktmbuf_append(m, n), in, n);
	a.flags = SNIC_A_PORT | SNIC_A_ENCAP;
	NF_CHECK_EQ(run(m, &a, &k, &lay), SNIC_V_ERR_HEADROOM);
	NF_CHECK_EQ(snic_encap_apply(&enc, m, &k), -ENOSPC);
	m->data_off = 50;
	NF_CHECK_EQ(snic_encap_apply(&enc, m, &k), 0);
	rte_pktmbuf_free(m);

	m = rte_pktmbuf_alloc(pool);
	m->data_off = 3;
	memcpy(rte_pktmbuf_append(m, n), in, n);
	a.flags = SNIC_A_PORT | SNIC_A_PUSH_VLAN;
	NF_CHECK_EQ(run(m, &a, &k, &lay), SNIC_V_ERR_HEADROOM);
	rte_pktmbuf_free(m);

	/* a definition that does not hold together is refused */
	m = mk(in, n);
	enc.l4_off = enc.len - 4;
	NF_CHECK_EQ(snic_encap_apply(&enc, m, &k), -EINVAL);
	NF_CHECK_EQ(rte_pktmbuf_pkt_len(m), n);
	rte_pktmbuf_free(m);
}

/* Headers the layout places beyond the first segment fail the packet. */
NF_TEST(test_multiseg)
{
	struct snic_rewrite rw = { 0 };
	struct snic_actions a = { .rw = &rw };
	uint8_t in[FRAME_MAX];
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	struct rte_mbuf *m, *m2;
	struct eth_spec e;
	struct ip_spec s;
	size_t n;
	const struct {
		uint32_t f;
		int v;
	} c[] = {
		{ SNIC_A_SET_IP_DST, SNIC_V_ERR_HEADROOM },
		{ SNIC_A_DEC_TTL, SNIC_V_ERR_HEADROOM },
		{ SNIC_A_MOD_DSCP, SNIC_V_ERR_HEADROOM },
		{ SNIC_A_SET_MAC_DST, SNIC_V_FWD },
		{ SNIC_A_POP_VLAN, SNIC_V_FWD },
	};

	eth_vm(&e, true);
	ip_v4(&s, IPPROTO_TCP);
	n = build(in, &e, &s);
	rw.dscp = (struct snic_modify){ RTE_FLOW_MODIFY_SET, 0, 6, 1 };
	for (unsigned int i = 0; i < RTE_DIM(c); i++) {
		m = mk(in, n);
		NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k, &lay), 0);
		rte_pktmbuf_trim(m, n - 30);
		m2 = mk(in + 30, n - 30);
		NF_CHECK_EQ(rte_pktmbuf_chain(m, m2), 0);
		a.flags = SNIC_A_PORT | c[i].f;
		NF_CHECK_EQ(snic_actions_apply(&a, m, &k, &lay), c[i].v);
		rte_pktmbuf_free(m);
	}
}

NF_TEST(test_fate_tag_delta)
{
	struct snic_encap enc;
	struct snic_rewrite rw = { .encap = &enc };
	struct snic_actions a = { .rw = &rw, .tag = 0x0142 };
	uint8_t in[FRAME_MAX], tun[FRAME_MAX];
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	struct rte_mbuf *m;
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n;

	eth_vm(&e, true);
	ip_v4(&s, IPPROTO_TCP);
	n = build(in, &e, &s);
	m = mk(in, n);
	a.flags = SNIC_A_PORT | SNIC_A_COUNT;
	NF_CHECK_EQ(run(m, &a, &k, &lay), SNIC_V_FWD);
	a.flags = SNIC_A_DROP;
	NF_CHECK_EQ(run(m, &a, &k, &lay), SNIC_V_DROP);
	a.flags = SNIC_A_UPCALL | SNIC_A_SET_TAG;
	NF_CHECK_EQ(run(m, &a, &k, &lay), SNIC_V_UPCALL);
	NF_CHECK_EQ(k.tag, 0x0142);
	NF_CHECK(k.flags & NF_KEY_F_TAG);
	check_frame(m, in, n);
	a.flags = SNIC_A_SET_TAG | SNIC_A_SHARED_CNT;
	NF_CHECK_EQ(run(m, &a, &k, &lay), SNIC_V_CONTINUE);
	check_consistent(m, &k, &lay);

	/* length deltas */
	tun_v6(&t);
	make_encap(&enc, &t);
	a.flags = SNIC_A_POP_VLAN;
	NF_CHECK_EQ(snic_actions_len_delta(&a, &k, &lay), -4);
	a.flags = SNIC_A_POP_VLAN | SNIC_A_PUSH_VLAN | SNIC_A_ENCAP;
	NF_CHECK_EQ(snic_actions_len_delta(&a, &k, &lay), 70);
	a.flags = SNIC_A_DECAP;     /* not tunnelled */
	NF_CHECK_EQ(snic_actions_len_delta(&a, &k, &lay), 0);
	rte_pktmbuf_free(m);

	e.vlan = false;
	n = build(in, &e, &s);
	tun_v4(&t);
	n = build_vxlan(tun, &t, in, n);
	m = mk(tun, n);
	NF_CHECK_EQ(nf_pkt_parse(m, IN_PORT, &k, &lay), 0);
	a.flags = SNIC_A_DECAP | SNIC_A_POP_VLAN;
	NF_CHECK_EQ(snic_actions_len_delta(&a, &k, &lay), -50);
	a.flags = SNIC_A_DECAP | SNIC_A_PUSH_VLAN | SNIC_A_ENCAP;
	NF_CHECK_EQ(snic_actions_len_delta(&a, &k, &lay), -50 + 4 + 70);
	/* rw missing: parameterised actions cannot run */
	a.rw = NULL;
	NF_CHECK_EQ(snic_actions_len_delta(&a, &k, &lay), -50);
	NF_CHECK_EQ(snic_actions_apply(&a, m, &k, &lay), SNIC_V_CONTINUE);
	NF_CHECK_EQ(rte_pktmbuf_pkt_len(m), n - 50);
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------ fuzz */

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static uint16_t
rnd_off(void)
{
	return rnd() % 5 == 0 ? NF_OFF_NONE : (uint16_t)(rnd() % 160);
}

/* A random but plausible frame: plain or VXLAN, v4/v6, tagged or not. */
static size_t
rnd_frame(uint8_t *b)
{
	uint8_t inner[FRAME_MAX];
	struct tun_spec t;
	struct eth_spec e;
	struct ip_spec s;
	size_t n;

	eth_vm(&e, rnd() & 1);
	rnd() & 1 ? ip_v6(&s, IPPROTO_UDP) : ip_v4(&s, IPPROTO_TCP);
	if (rnd() % 4 == 0)
		s.proto = IPPROTO_UDP;
	s.ttl = rnd() % 3;
	s.paylen = rnd() % 40;
	n = build(inner, &e, &s);
	if (rnd() & 1) {
		rnd() & 1 ? tun_v6(&t) : tun_v4(&t);
		t.udp_csum = rnd() & 1;
		t.eth.vlan = rnd() & 1;
		n = build_vxlan(b, &t, inner, n);
	} else {
		memcpy(b, inner, n);
	}
	return n;
}

static int
fuzz_one(struct snic_actions *a, struct snic_encap *enc)
{
	uint8_t frame[FRAME_MAX];
	uint32_t len = rnd_frame(frame);
	uint32_t head = rnd() % 80;
	uint8_t *buf;
	struct rte_mbuf m;
	struct nf_flow_key k;
	struct nf_pkt_layout lay;
	static struct snic_switch sw;
	static struct snic_port port = { .mtu = 1500 };
	int rc;

	for (uint32_t i = rnd() % 4; i > 0; i--)
		frame[rnd() % len] = (uint8_t)rnd();
	len -= rnd() % 3 == 0 ? rnd() % len : 0;
	buf = malloc(head + len + 1);
	memcpy(buf + head, frame, len);
	memset(&m, 0, sizeof(m));
	m.buf_addr = buf;
	m.buf_len = (uint16_t)(head + len);
	m.data_off = (uint16_t)head;
	m.data_len = (uint16_t)len;
	m.pkt_len = len;
	m.nb_segs = 1;
	if (nf_pkt_parse(&m, IN_PORT, &k, &lay) != 0 || rnd() % 4 == 0) {
		lay = (struct nf_pkt_layout){ rnd_off(), rnd_off(), rnd_off(),
			rnd_off(), rnd_off(), rnd_off(), rnd_off(), rnd_off() };
		k.flags = (uint8_t)rnd();
		k.ip_proto = rnd() & 1 ? IPPROTO_TCP : IPPROTO_UDP;
	}
	a->flags = rnd() & ((1u << 21) - 1);
	enc->len = rnd() % 3 == 0 ? (uint8_t)rnd() : enc->len;
	sw.nb_ports = 1;
	sw.ports[0] = &port;
	a->out_port = rnd() % 2;
	(void)snic_actions_precheck(&sw, a, &m, &k, &lay);
	(void)snic_actions_len_delta(a, &k, &lay);
	rc = snic_actions_apply(a, &m, &k, &lay);
	free(buf);
	return rc;
}

/* Random actions, layouts and frames: nothing may touch memory outside. */
NF_TEST(test_fuzz)
{
	struct snic_encap enc, good;
	struct snic_rewrite rw = { .encap = &enc,
		.push_tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN) };
	struct snic_actions a = { .rw = &rw };
	unsigned int failed = 0;
	struct tun_spec t;

	for (int i = 0; i < 100000; i++) {
		i & 1 ? tun_v6(&t) : tun_v4(&t);
		t.eth.vlan = i & 2;
		make_encap(&good, &t);
		enc = good;
		if (rnd() % 4 == 0) {
			enc.l3_off = (uint8_t)rnd();
			enc.l4_off = (uint8_t)rnd();
		}
		rw.vid = (uint16_t)rnd();
		rw.pcp = (uint8_t)rnd();
		rw.dscp = (struct snic_modify){ rnd() % 4, rnd() % 40,
			rnd() % 40, rnd() };
		rw.rsvd0 = (struct snic_modify){ rnd() % 4, rnd() % 40,
			rnd() % 40, rnd() };
		a.rw = rnd() % 8 ? &rw : NULL;
		failed += fuzz_one(&a, &enc) == SNIC_V_ERR_HEADROOM;
	}
	printf("     fuzz: %u of 100000 random rewrites failed cleanly\n",
	       failed);
}

int
main(int argc, char **argv)
{
	char *eal_args[] = { "test_snic_action", "--no-huge", "-m", "64",
		"--no-pci", "--file-prefix", "nf_test_action", "-l", "0",
		"--log-level", "lib.eal:error" };
	static const struct nf_test_case cases[] = {
		NF_CASE(test_set_mac), NF_CASE(test_set_ipv4),
		NF_CASE(test_set_ipv6), NF_CASE(test_set_ip_skip),
		NF_CASE(test_dec_ttl), NF_CASE(test_pop_vlan),
		NF_CASE(test_push_vlan), NF_CASE(test_set_vid_pcp),
		NF_CASE(test_dscp), NF_CASE(test_decap), NF_CASE(test_encap),
		NF_CASE(test_rsvd0), NF_CASE(test_tunnel_inner),
		NF_CASE(test_spec_75_egress), NF_CASE(test_spec_75_ingress),
		NF_CASE(test_precheck_mtu), NF_CASE(test_precheck_ttl),
		NF_CASE(test_n7_fragments), NF_CASE(test_headroom),
		NF_CASE(test_multiseg), NF_CASE(test_fate_tag_delta),
		NF_CASE(test_fuzz),
	};
	int rc;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_action", 255, 0, 0,
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
