/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
/*
 * lib/ct unit tests (issue 5): the TCP state machine against scripted
 * packet sequences, zones, IPv6, counters, NAT info, add_dir, aging with
 * an injected clock, the UDP duplicate filter from two threads, a full
 * table, and a multi-threaded stress (2 writers + 1 reader). The stress
 * runs CT_STRESS_S seconds (default 3; set CT_STRESS_S=30 for the issue's
 * 30-second run).
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_tcp.h>

#include "ct.h"
#include "nf_pkt.h"
#include "nf_test.h"

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

static uint64_t fake_now;

static uint64_t
fake_clock(void *arg)
{
	(void)arg;
	return __atomic_load_n(&fake_now, __ATOMIC_RELAXED);
}

static struct ct *
mk_ct(uint32_t nb, uint32_t flags)
{
	struct ct_cfg cfg = CT_CFG_DEFAULT;
	struct ct *ct;

	cfg.nb_conns = nb;
	cfg.nb_actions = 64;
	cfg.flags = flags;
	cfg.tcp_timeout_s = 100;
	cfg.tcp_session_del_s = 10;
	cfg.udp_timeout_s = 30;
	cfg.clock = fake_clock;
	fake_now = 1000;
	ct = ct_create(&cfg);
	NF_CHECK(ct != NULL);
	return ct;
}

/* Client 10.0.0.1:port → server 10.0.0.2:80 (or :53 for UDP). */
static struct ct_pkt
pkt4(uint8_t proto, uint16_t sport, uint16_t zone)
{
	struct ct_pkt p = { 0 };

	p.tuple.src[0] = 10, p.tuple.src[3] = 1;
	p.tuple.dst[0] = 10, p.tuple.dst[3] = 2;
	p.tuple.sport = rte_cpu_to_be_16(sport);
	p.tuple.dport = rte_cpu_to_be_16(proto == IPPROTO_TCP ? 80 : 53);
	p.tuple.proto = proto;
	p.tuple.family = 4;
	p.tuple.zone = zone;
	p.len = 100;
	return p;
}

static struct ct_pkt
rev(const struct ct_pkt *p)
{
	struct ct_pkt r = *p;

	memcpy(r.tuple.src, p->tuple.dst, 16);
	memcpy(r.tuple.dst, p->tuple.src, 16);
	r.tuple.sport = p->tuple.dport;
	r.tuple.dport = p->tuple.sport;
	return r;
}

static struct ct_pkt
seg(const struct ct_pkt *base, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct ct_pkt p = *base;

	p.tcp_flags = flags;
	p.seq = seq;
	p.ack = ack;
	return p;
}

static struct ct_result
look(struct ct *ct, const struct ct_pkt *p)
{
	struct ct_result r;

	ct_lookup_burst(ct, p, 1, &r);
	return r;
}

static struct ct_result
lookv(struct ct *ct, struct ct_pkt p)
{
	return look(ct, &p);
}

/* Look p up and check verdict, direction and resulting state. */
#define STEP(ct, p, v_, d_, s_)                                      \
	do {                                                                  \
		struct ct_pkt p_ = (p);                                       \
		struct ct_result r_ = look((ct), &p_);                        \
		NF_CHECK_EQ(r_.verdict, (v_));                           \
		NF_CHECK_EQ(r_.dir, (d_));                                   \
		NF_CHECK_EQ(r_.state, (s_));                               \
	} while (0)

/* SYN added, SYN-ACK, ACK: established. c = client side, s = server. */
static struct ct_entry *
handshake(struct ct *ct, const struct ct_pkt *c, const struct ct_pkt *s)
{
	struct ct_pkt syn = seg(c, F_SYN, 100, 0);
	struct ct_entry *e = NULL;

	NF_CHECK_EQ(look(ct, &syn).verdict, CT_V_NEW);
	NF_CHECK_EQ(ct_entry_add(ct, &syn, NULL, &e), 0);
	NF_CHECK(e != NULL);
	NF_CHECK_EQ(ct_entry_state(e), CT_TCP_SYN_SENT);
	STEP(ct, seg(s, F_SYN | F_ACK, 500, 101), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_SYN_RECV);
	STEP(ct, seg(c, F_ACK, 101, 501), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_ESTABLISHED);
	return e;
}

NF_TEST(tcp_handshake_fin_orig)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 40000, 0), s = rev(&c);
	struct ct_entry *e = handshake(ct, &c, &s);

	STEP(ct, seg(&s, F_ACK, 501, 101), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_ESTABLISHED);
	STEP(ct, seg(&c, F_FIN | F_ACK, 101, 501), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_FIN_WAIT);
	NF_CHECK(ct_entry_fin(e, CT_DIR_ORIG));
	NF_CHECK(!ct_entry_fin(e, CT_DIR_REPLY));
	STEP(ct, seg(&s, F_ACK, 501, 102), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_FIN_WAIT);
	STEP(ct, seg(&s, F_FIN | F_ACK, 501, 102), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_CLOSING);
	STEP(ct, seg(&c, F_ACK, 102, 502), CT_V_END, CT_DIR_ORIG,
		CT_TCP_TIME_WAIT);
	/* retransmitted last ACK: still part of the connection */
	STEP(ct, seg(&c, F_ACK, 102, 502), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_TIME_WAIT);
	ct_destroy(ct);
}

NF_TEST(tcp_fin_reply_first)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 40001, 0), s = rev(&c);
	struct ct_entry *e = handshake(ct, &c, &s);

	STEP(ct, seg(&s, F_FIN | F_ACK, 501, 101), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_FIN_WAIT);
	NF_CHECK(ct_entry_fin(e, CT_DIR_REPLY));
	NF_CHECK(!ct_entry_fin(e, CT_DIR_ORIG));
	/* half-closed: the client may still send data */
	STEP(ct, seg(&c, F_ACK, 101, 502), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_FIN_WAIT);
	STEP(ct, seg(&c, F_FIN | F_ACK, 101, 502), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_CLOSING);
	STEP(ct, seg(&s, F_ACK, 502, 102), CT_V_END, CT_DIR_REPLY,
		CT_TCP_TIME_WAIT);
	ct_destroy(ct);
}

NF_TEST(tcp_simultaneous_open)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt a = pkt4(IPPROTO_TCP, 40002, 0), b = rev(&a);
	struct ct_pkt syn = seg(&a, F_SYN, 100, 0);
	struct ct_entry *e = NULL;

	NF_CHECK_EQ(ct_entry_add(ct, &syn, NULL, &e), 0);
	STEP(ct, seg(&b, F_SYN, 700, 0), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_SYN_SENT2);
	/* each side answers the other's SYN with a SYN-ACK */
	STEP(ct, seg(&a, F_SYN | F_ACK, 100, 701), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_SYN_RECV);
	STEP(ct, seg(&b, F_SYN | F_ACK, 700, 101), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_SYN_RECV);
	STEP(ct, seg(&a, F_ACK, 101, 701), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_ESTABLISHED);
	NF_CHECK_EQ(ct_entry_state(e), CT_TCP_ESTABLISHED);
	ct_destroy(ct);
}

NF_TEST(tcp_rst)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 40003, 0), s = rev(&c);

	handshake(ct, &c, &s);
	STEP(ct, seg(&s, F_RST, 501, 0), CT_V_END, CT_DIR_REPLY,
		CT_TCP_CLOSED);
	/* nothing but a new SYN belongs to a reset connection */
	STEP(ct, seg(&c, F_ACK, 101, 501), CT_V_INVALID, CT_DIR_ORIG,
		CT_TCP_CLOSED);
	STEP(ct, seg(&c, F_SYN, 9000, 0), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_SYN_SENT);
	ct_destroy(ct);
}

NF_TEST(tcp_syn_retransmit_and_invalid)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 40004, 0), s = rev(&c);
	struct ct_pkt syn = seg(&c, F_SYN, 100, 0);
	struct ct_entry *e = NULL;

	NF_CHECK_EQ(ct_entry_add(ct, &syn, NULL, &e), 0);
	STEP(ct, syn, CT_V_EST, CT_DIR_ORIG, CT_TCP_SYN_SENT);
	/* an ACK before the SYN-ACK, a SYN-ACK for another ISN */
	STEP(ct, seg(&c, F_ACK, 101, 1), CT_V_INVALID, CT_DIR_ORIG,
		CT_TCP_SYN_SENT);
	STEP(ct, seg(&s, F_SYN | F_ACK, 500, 77), CT_V_INVALID, CT_DIR_REPLY,
		CT_TCP_SYN_SENT);
	STEP(ct, seg(&s, F_SYN | F_ACK, 500, 101), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_SYN_RECV);
	STEP(ct, seg(&s, F_SYN | F_ACK, 500, 101), CT_V_EST, CT_DIR_REPLY,
		CT_TCP_SYN_RECV);
	STEP(ct, seg(&c, F_ACK, 101, 501), CT_V_EST, CT_DIR_ORIG,
		CT_TCP_ESTABLISHED);
	/* the old SYN again is harmless; a SYN with another ISN is not
	 * this connection and must not change it */
	STEP(ct, syn, CT_V_EST, CT_DIR_ORIG, CT_TCP_ESTABLISHED);
	STEP(ct, seg(&c, F_SYN, 5555, 0), CT_V_INVALID, CT_DIR_ORIG,
		CT_TCP_ESTABLISHED);
	STEP(ct, seg(&s, F_SYN, 5555, 0), CT_V_INVALID, CT_DIR_REPLY,
		CT_TCP_ESTABLISHED);
	/* a segment with neither ACK nor SYN nor RST */
	STEP(ct, seg(&c, 0, 101, 0), CT_V_INVALID, CT_DIR_ORIG,
		CT_TCP_ESTABLISHED);
	NF_CHECK_EQ(ct_entry_state(e), CT_TCP_ESTABLISHED);
	ct_destroy(ct);
}

NF_TEST(tcp_no_connection)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 40005, 0);
	struct ct_pkt ack = seg(&c, F_ACK, 1, 1);
	struct ct_pkt synack = seg(&c, F_SYN | F_ACK, 1, 1);
	struct ct_result r = look(ct, &ack);

	NF_CHECK_EQ(r.verdict, CT_V_INVALID);
	NF_CHECK(r.entry == NULL);
	NF_CHECK_EQ(look(ct, &synack).verdict, CT_V_INVALID);
	NF_CHECK_EQ(ct_entry_add(ct, &ack, NULL, NULL), -EINVAL);
	NF_CHECK_EQ(ct_entry_add(ct, &synack, NULL, NULL), -EINVAL);
	NF_CHECK_EQ(ct_count(ct), 0);
	c.tuple.proto = IPPROTO_SCTP;
	NF_CHECK_EQ(ct_entry_add(ct, &c, NULL, NULL), -EPROTONOSUPPORT);
	ct_destroy(ct);
}

NF_TEST(zones_isolate)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt z1 = pkt4(IPPROTO_UDP, 5000, 1);
	struct ct_pkt z2 = pkt4(IPPROTO_UDP, 5000, 2);
	struct ct_entry *e1 = NULL, *e2 = NULL;
	struct ct_entry_params p1 = { .meta = 1, .fwd = { 1, 1 } };
	struct ct_entry_params p2 = { .meta = 2, .fwd = { 2, 2 } };
	struct ct_pkt r2 = rev(&z2);
	struct ct_result r;

	NF_CHECK_EQ(ct_entry_add(ct, &z1, &p1, &e1), 0);
	NF_CHECK_EQ(look(ct, &z2).verdict, CT_V_NEW);
	NF_CHECK_EQ(ct_entry_add(ct, &z2, &p2, &e2), 0);
	NF_CHECK(e1 != e2);
	r = look(ct, &r2);
	NF_CHECK(r.entry == e2);
	NF_CHECK_EQ(r.dir, CT_DIR_REPLY);
	NF_CHECK_EQ(ct_entry_meta(r.entry), 2);
	NF_CHECK_EQ(ct_entry_fwd(e1, CT_DIR_REPLY), 1);
	NF_CHECK_EQ(ct_count(ct), 2);
	ct_destroy(ct);
}

NF_TEST(ipv6_and_from_key)
{
	struct ct *ct = mk_ct(1024, 0);
	struct nf_flow_key key = { 0 };
	struct rte_tcp_hdr th = { 0 };
	struct ct_pkt p, r;
	struct ct_tuple orig;
	struct ct_entry *e = NULL;
	struct ct_result res;

	key.flags = NF_KEY_F_IPV6;
	key.ip_proto = IPPROTO_TCP;
	key.src_ip[0] = 0x20, key.src_ip[1] = 0x01, key.src_ip[15] = 9;
	key.dst_ip[0] = 0x20, key.dst_ip[1] = 0x01, key.dst_ip[15] = 3;
	key.src_port = rte_cpu_to_be_16(33000);
	key.dst_port = rte_cpu_to_be_16(443);
	key.tcp_flags = F_SYN;
	th.sent_seq = rte_cpu_to_be_32(42);
	NF_CHECK_EQ(ct_pkt_from_key(&p, 7, &key, &th, 74), 0);
	NF_CHECK_EQ(p.tuple.family, 6);
	NF_CHECK_EQ(p.seq, 42);
	NF_CHECK_EQ(ct_entry_add(ct, &p, NULL, &e), 0);
	NF_CHECK_EQ(ct_entry_tuple(ct, e, &orig), 0);
	NF_CHECK_MEM(&orig, &p.tuple, sizeof(orig));
	r = rev(&p);
	r.tcp_flags = F_SYN | F_ACK;
	r.seq = 900;
	r.ack = 43;
	res = look(ct, &r);
	NF_CHECK(res.entry == e);
	NF_CHECK_EQ(res.state, CT_TCP_SYN_RECV);
	/* IPv4 with the same leading bytes is another connection */
	r.tuple.family = 4;
	NF_CHECK(look(ct, &r).entry == NULL);
	key.flags |= NF_KEY_F_TUNNEL;
	NF_CHECK_EQ(ct_pkt_from_key(&p, 7, &key, &th, 74), -ENOTSUP);
	ct_destroy(ct);
}

NF_TEST(counters)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt a = pkt4(IPPROTO_UDP, 6000, 0), b = rev(&a);
	struct ct_pkt c = pkt4(IPPROTO_UDP, 6001, 0), d = rev(&c);
	struct ct_entry_params shared = { .flags = CT_EF_SHARED_COUNTER };
	struct ct_entry *e1 = NULL, *e2 = NULL;
	uint64_t pk, by;

	NF_CHECK_EQ(ct_entry_add(ct, &a, NULL, &e1), 0);
	NF_CHECK_EQ(ct_entry_add(ct, &c, &shared, &e2), 0);
	b.len = 1000;
	d.len = 1000;
	for (int i = 0; i < 3; i++) {
		look(ct, &a);
		look(ct, &b);
		look(ct, &d);
	}
	ct_entry_counters(e1, CT_DIR_ORIG, &pk, &by);
	NF_CHECK_EQ(pk, 4);
	NF_CHECK_EQ(by, 400);
	ct_entry_counters(e1, CT_DIR_REPLY, &pk, &by);
	NF_CHECK_EQ(pk, 3);
	NF_CHECK_EQ(by, 3000);
	ct_entry_counters(e2, CT_DIR_ORIG, &pk, &by);
	NF_CHECK_EQ(pk, 4);
	NF_CHECK_EQ(by, 3100);
	ct_entry_counters(e2, CT_DIR_REPLY, &pk, &by);
	NF_CHECK_EQ(pk, 0);
	ct_destroy(ct);

	ct = mk_ct(1024, CT_CFG_F_NO_COUNTERS);
	NF_CHECK_EQ(ct_entry_add(ct, &a, NULL, &e1), 0);
	look(ct, &b);
	ct_entry_counters(e1, CT_DIR_REPLY, &pk, &by);
	NF_CHECK_EQ(pk + by, 0);
	ct_destroy(ct);
}

NF_TEST(nat_per_direction)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt a = pkt4(IPPROTO_TCP, 7000, 0);
	struct ct_pkt syn = seg(&a, F_SYN, 1, 0);
	struct ct_nat snat = { .src = { 192, 168, 0, 1 },
		.sport = rte_cpu_to_be_16(1024),
		.fields = CT_NAT_SRC | CT_NAT_SPORT };
	struct ct_nat dnat = { .dst = { 10, 0, 0, 1 },
		.dport = rte_cpu_to_be_16(7000),
		.fields = CT_NAT_DST | CT_NAT_DPORT };
	struct ct_entry_params prm = { .nat = { &snat, &dnat } };
	struct ct_entry *e = NULL;
	struct ct_nat got;
	int64_t sh;

	NF_CHECK_EQ(ct_entry_add(ct, &syn, &prm, &e), 0);
	NF_CHECK_EQ(ct_action_get(ct, ct_entry_action(e, CT_DIR_ORIG), &got),
		0);
	NF_CHECK_MEM(&got, &snat, sizeof(got));
	NF_CHECK_EQ(ct_action_get(ct, ct_entry_action(e, CT_DIR_REPLY), &got),
		0);
	NF_CHECK_MEM(&got, &dnat, sizeof(got));
	/* a shared action outlives the entries using it */
	sh = ct_action_create(ct, &snat);
	NF_CHECK(sh > 0);
	a.tuple.sport = rte_cpu_to_be_16(7001);
	syn = seg(&a, F_SYN, 1, 0);
	prm = (struct ct_entry_params){ .action = { (uint32_t)sh, 0 } };
	NF_CHECK_EQ(ct_entry_add(ct, &syn, &prm, &e), 0);
	NF_CHECK_EQ(ct_entry_action(e, CT_DIR_ORIG), sh);
	NF_CHECK_EQ(ct_entry_remove(ct, e), 0);
	ct_age(ct, fake_now);
	NF_CHECK_EQ(ct_action_get(ct, (uint32_t)sh, &got), 0);
	NF_CHECK_EQ(ct_action_destroy(ct, (uint32_t)sh), 0);
	NF_CHECK_EQ(ct_action_destroy(ct, (uint32_t)sh), -EINVAL);
	prm.action[0] = 63;
	NF_CHECK_EQ(ct_entry_add(ct, &syn, &prm, NULL), -EINVAL);
	ct_destroy(ct);
}

NF_TEST(nat_slots_reused)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_nat n = { .fields = CT_NAT_SRC };
	struct ct_entry_params prm = { .nat = { &n, &n } };

	/* 64 action slots, 2 per entry: 40 rounds of 32 entries only fit
	 * if removed entries give their slots back */
	for (int round = 0; round < 40; round++) {
		struct ct_entry *es[32];

		for (int i = 0; i < 32; i++) {
			struct ct_pkt p = pkt4(IPPROTO_UDP, 100 + i, 0);

			NF_CHECK_EQ(ct_entry_add(ct, &p, &prm, &es[i]), 0);
		}
		struct ct_pkt p = pkt4(IPPROTO_UDP, 99, 0);

		NF_CHECK_EQ(ct_entry_add(ct, &p, &prm, NULL), -ENOSPC);
		for (int i = 0; i < 32; i++)
			NF_CHECK_EQ(ct_entry_remove(ct, es[i]), 0);
		ct_age(ct, fake_now);
	}
	NF_CHECK_EQ(ct_count(ct), 0);
	ct_destroy(ct);
}

NF_TEST(add_dir_update_remove)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt a = pkt4(IPPROTO_UDP, 8000, 0), b = rev(&a);
	struct ct_entry_params half = { .meta = 5, .fwd = { 3, 9 },
		.flags = CT_EF_ORIG_ONLY };
	struct ct_entry_params reply = { .fwd = { 0, 4 } };
	struct ct_entry *e = NULL;
	enum ct_dir d;
	uint16_t fwd[2] = { 11, 12 };

	NF_CHECK_EQ(ct_entry_add(ct, &a, &half, &e), 0);
	NF_CHECK_EQ(ct_entry_fwd(e, CT_DIR_REPLY), CT_FWD_NONE);
	NF_CHECK(look(ct, &b).entry == NULL);
	NF_CHECK(look(ct, &a).entry == e);
	NF_CHECK_EQ(ct_entry_add_dir(ct, e, CT_DIR_REPLY, &reply), 0);
	NF_CHECK_EQ(ct_entry_add_dir(ct, e, CT_DIR_REPLY, &reply), -EEXIST);
	NF_CHECK(look(ct, &b).entry == e);
	NF_CHECK_EQ(ct_entry_fwd(e, CT_DIR_REPLY), 4);
	NF_CHECK(ct_entry_find(ct, &b.tuple, &d) == e);
	NF_CHECK_EQ(d, CT_DIR_REPLY);
	NF_CHECK_EQ(ct_entry_update(ct, e, CT_UPD_META | CT_UPD_FWD, 77, fwd),
		0);
	NF_CHECK_EQ(ct_entry_meta(e), 77);
	NF_CHECK_EQ(ct_entry_fwd(e, CT_DIR_ORIG), 11);
	NF_CHECK_EQ(ct_entry_add(ct, &b, NULL, NULL), -EEXIST);
	NF_CHECK_EQ(ct_entry_remove(ct, e), 0);
	NF_CHECK_EQ(ct_entry_remove(ct, e), -ENOENT);
	NF_CHECK_EQ(ct_entry_update(ct, e, CT_UPD_META, 1, NULL), -ENOENT);
	NF_CHECK(ct_entry_find(ct, &a.tuple, NULL) == NULL);
	NF_CHECK_EQ(look(ct, &a).verdict, CT_V_NEW);
	ct_destroy(ct);
}

/* Eth + IPv4/IPv6 + TCP/UDP + 8 payload bytes, checksums computed. */
static struct rte_mbuf *
mk_frame(struct rte_mempool *mp, bool v6, uint8_t proto,
	 const struct ct_pkt *p)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	unsigned int l3len = v6 ? 40 : 20;
	unsigned int l4len = (proto == IPPROTO_TCP ? 20 : 8) + 8;
	uint8_t *b;
	uint8_t *l4;

	if (m == NULL)
		return NULL;
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + l3len + l4len));
	memset(b, 0, 14 + l3len + l4len);
	b[0] = 0x02, b[6] = 0x02, b[11] = 1;
	*(rte_be16_t *)(b + 12) = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 :
		RTE_ETHER_TYPE_IPV4);
	l4 = b + 14 + l3len;
	memcpy(l4, &p->tuple.sport, 2);
	memcpy(l4 + 2, &p->tuple.dport, 2);
	memcpy(l4 + l4len - 8, "payload!", 8);
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(b + 14);

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)l4len);
		ip->proto = proto;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, p->tuple.src, 16);
		memcpy(ip->dst_addr, p->tuple.dst, 16);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + 14);

		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4len));
		ip->time_to_live = 64;
		ip->next_proto_id = proto;
		memcpy(&ip->src_addr, p->tuple.src, 4);
		memcpy(&ip->dst_addr, p->tuple.dst, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->data_off = 5 << 4;
		th->tcp_flags = RTE_TCP_ACK_FLAG;
		th->cksum = v6 ? rte_ipv6_udptcp_cksum((void *)(b + 14), th) :
			rte_ipv4_udptcp_cksum((void *)(b + 14), th);
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->dgram_len = rte_cpu_to_be_16((uint16_t)l4len);
		uh->dgram_cksum = v6 ?
			rte_ipv6_udptcp_cksum((void *)(b + 14), uh) :
			rte_ipv4_udptcp_cksum((void *)(b + 14), uh);
	}
	return m;
}

/* Apply dir's NAT to a frame of tuple p; check checksums and the tuple
 * the result parses to. */
static void
check_nat(struct ct *ct, struct ct_entry *e, enum ct_dir dir,
	  struct rte_mempool *mp, bool v6, uint8_t proto,
	  const struct ct_pkt *p, const struct ct_tuple *want)
{
	struct rte_mbuf *m = mk_frame(mp, v6, proto, p);
	struct nf_flow_key key;
	struct nf_pkt_layout lay;
	struct ct_pkt got;
	uint8_t *b;

	NF_CHECK(m != NULL);
	if (m == NULL)
		return;
	NF_CHECK_EQ(nf_pkt_parse(m, 0, &key, &lay), 0);
	NF_CHECK_EQ(ct_nat_apply(ct, e, dir, m, &lay), 0);
	NF_CHECK_EQ(nf_pkt_parse(m, 0, &key, &lay), 0);
	b = rte_pktmbuf_mtod(m, uint8_t *);
	if (v6) {
		NF_CHECK_EQ(rte_ipv6_udptcp_cksum_verify((void *)(b + lay.l3),
			b + lay.l4), 0);
	} else {
		/* over a valid header, checksum included, the result is 0 */
		NF_CHECK_EQ(rte_ipv4_cksum((void *)(b + lay.l3)), 0);
		NF_CHECK_EQ(rte_ipv4_udptcp_cksum_verify((void *)(b + lay.l3),
			b + lay.l4), 0);
	}
	ct_pkt_from_key(&got, p->tuple.zone, &key, NULL, 0);
	NF_CHECK_MEM(&got.tuple, want, sizeof(*want));
	rte_pktmbuf_free(m);
}

NF_TEST(nat_rewrite_checksums)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("ct_nat_mp", 63, 0,
		0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct ct *ct = mk_ct(1024, 0);
	/* client 10.0.0.1:7100 -> VIP 10.0.0.2:80, SNAT to 192.168.0.1:1024
	 * one way and back to the client's address the other way */
	struct ct_pkt c = pkt4(IPPROTO_TCP, 7100, 0), s = rev(&c);
	struct ct_pkt syn = seg(&c, F_SYN, 1, 0);
	struct ct_nat snat = { .src = { 192, 168, 0, 1 },
		.sport = rte_cpu_to_be_16(1024),
		.fields = CT_NAT_SRC | CT_NAT_SPORT };
	struct ct_nat unsnat = { .dst = { 10, 0, 0, 1 },
		.dport = rte_cpu_to_be_16(7100),
		.fields = CT_NAT_DST | CT_NAT_DPORT };
	struct ct_entry_params prm = { .nat = { &snat, &unsnat } };
	struct ct_entry *e = NULL;
	struct ct_tuple want;

	NF_CHECK(mp != NULL);
	if (mp == NULL)
		return;
	NF_CHECK_EQ(ct_entry_add(ct, &syn, &prm, &e), 0);
	want = c.tuple;
	memcpy(want.src, snat.src, 4);
	want.sport = snat.sport;
	check_nat(ct, e, CT_DIR_ORIG, mp, false, IPPROTO_TCP, &c, &want);
	/* the reply arrives for the translated address and is turned back */
	s.tuple.dport = snat.sport;
	memcpy(s.tuple.dst, snat.src, 4);
	want = s.tuple;
	memcpy(want.dst, unsnat.dst, 4);
	want.dport = unsnat.dport;
	check_nat(ct, e, CT_DIR_REPLY, mp, false, IPPROTO_TCP, &s, &want);

	/* IPv6 UDP, destination NAT on the origin direction only */
	struct ct_pkt u = pkt4(IPPROTO_UDP, 7200, 0);
	struct ct_nat dnat6 = { .dst = { 0xfd, 0, [15] = 5 },
		.dport = rte_cpu_to_be_16(5353),
		.fields = CT_NAT_DST | CT_NAT_DPORT };
	struct ct_entry_params p6 = { .nat = { &dnat6, NULL } };

	u.tuple.family = 6;
	u.tuple.src[0] = 0xfd, u.tuple.src[15] = 1;
	u.tuple.dst[0] = 0xfd, u.tuple.dst[15] = 2;
	NF_CHECK_EQ(ct_entry_add(ct, &u, &p6, &e), 0);
	want = u.tuple;
	memcpy(want.dst, dnat6.dst, 16);
	want.dport = dnat6.dport;
	check_nat(ct, e, CT_DIR_ORIG, mp, true, IPPROTO_UDP, &u, &want);
	/* no NAT on the reply direction: the frame is left as it is */
	struct ct_pkt ur = rev(&u);

	check_nat(ct, e, CT_DIR_REPLY, mp, true, IPPROTO_UDP, &ur, &ur.tuple);
	ct_destroy(ct);
	rte_mempool_free(mp);
}

/* Policy of the autonomous-mode test: TCP to port 80 is tracked with
 * meta 80, UDP to 53 passes untracked, the rest is dropped. */
static enum ct_first
policy(struct ct *ct, const struct ct_pkt *p, struct ct_entry_params *prm,
       void *arg)
{
	uint16_t dport = rte_be_to_cpu_16(p->tuple.dport);

	(void)ct;
	(*(int *)arg)++;
	if (p->tuple.proto == IPPROTO_UDP && dport == 53)
		return CT_FIRST_FWD;
	if (dport != 80 && dport != 5000)
		return CT_FIRST_DROP;
	prm->meta = dport;
	prm->fwd[CT_DIR_ORIG] = 1;
	prm->fwd[CT_DIR_REPLY] = 2;
	return CT_FIRST_ADD;
}

/* ---- TCP sequence/window tracking ---- */

/* A window-checked segment: dlen payload bytes, window field win. */
static struct ct_pkt
wseg(const struct ct_pkt *base, uint8_t flags, uint32_t seq, uint32_t ack,
     uint32_t dlen, uint16_t win)
{
	struct ct_pkt p = seg(base, flags, seq, ack);

	p.tcp_info = CT_TCPI_WIN;
	p.tcp_dlen = dlen;
	p.tcp_win = win;
	return p;
}

/* A window-checked SYN or SYN-ACK; ws < 0: no window-scale option. */
static struct ct_pkt
wsyn(const struct ct_pkt *base, uint8_t flags, uint32_t seq, uint32_t ack,
     uint16_t win, int ws)
{
	struct ct_pkt p = wseg(base, flags, seq, ack, 0, win);

	if (ws >= 0) {
		p.tcp_info |= CT_TCPI_WSCALE;
		p.tcp_wscale = (uint8_t)ws;
	}
	return p;
}

/* Look p up; check verdict and, for invalid ones, the reason. */
#define WIN(ct, p, v_, why_)                                                  \
	do {                                                                  \
		struct ct_pkt p_ = (p);                                       \
		struct ct_result r_ = look((ct), &p_);                        \
		NF_CHECK_EQ(r_.verdict, (v_));                                \
		NF_CHECK_EQ(r_.why, (why_));                                  \
	} while (0)

/* Client SYN (ISN 1000, window 64240, scale 7) and a server SYN-ACK (ISN
 * 5000, window 65160, scale sws or none) and the client's ACK. */
static struct ct_entry *
whandshake(struct ct *ct, const struct ct_pkt *c, const struct ct_pkt *s,
	   int sws)
{
	struct ct_pkt syn = wsyn(c, F_SYN, 1000, 0, 64240, 7);
	struct ct_entry *e = NULL;

	NF_CHECK_EQ(ct_entry_add(ct, &syn, NULL, &e), 0);
	WIN(ct, wsyn(s, F_SYN | F_ACK, 5000, 1001, 65160, sws), CT_V_EST, 0);
	WIN(ct, wseg(c, F_ACK, 1001, 5001, 0, 502), CT_V_EST, 0);
	NF_CHECK_EQ(ct_entry_state(e), CT_TCP_ESTABLISHED);
	return e;
}

/* Client sends n full segments from *seq (ack 5001, window 502). */
static void
wsend(struct ct *ct, const struct ct_pkt *c, uint32_t *seq, int n,
      uint8_t want)
{
	for (int i = 0; i < n; i++, *seq += 1448)
		WIN(ct, wseg(c, F_ACK, *seq, 5001, 1448, 502), want,
			want == CT_V_EST ? CT_INV_NONE : CT_INV_SEQ_HIGH);
}

NF_TEST(tcp_window_scaled_transfer)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 42000, 0), s = rev(&c);
	struct ct_entry *e = whandshake(ct, &c, &s, 9);
	uint32_t seq = 1001, cend, sseq = 5001;
	uint64_t pk0, pk1, pk, by;

	/* the server opens 200 << 9 = 102400 bytes: more than the 65160 of
	 * its (unscaled) SYN-ACK, so this only passes with scaling */
	WIN(ct, wseg(&s, F_ACK, 5001, 1001, 0, 200), CT_V_EST, 0);
	wsend(ct, &c, &seq, 60, CT_V_EST);           /* 86880 bytes */
	WIN(ct, wseg(&s, F_ACK, 5001, seq, 0, 200), CT_V_EST, 0);
	wsend(ct, &c, &seq, 60, CT_V_EST);           /* 173760 in all */
	cend = seq;
	WIN(ct, wseg(&s, F_ACK, 5001, cend, 0, 200), CT_V_EST, 0);
	/* receiver window now ends at cend + 102400, and the server's
	 * largest window is 102400 */
	/* retransmissions inside the window pass */
	WIN(ct, wseg(&c, F_ACK, cend - 10 * 1448, 5001, 1448, 502),
		CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, 1001 + 100 * 1448, 5001, 1448, 502),
		CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, cend - 102400 - 1448, 5001, 1448, 502),
		CT_V_EST, 0);
	/* an old duplicate more than that window below the highest
	 * sequence sent */
	WIN(ct, wseg(&c, F_ACK, cend - 102400 - 1449, 5001, 1448, 502),
		CT_V_INVALID, CT_INV_SEQ_LOW);
	WIN(ct, wseg(&c, F_ACK, 1001, 5001, 1448, 502), CT_V_INVALID,
		CT_INV_SEQ_LOW);
	/* beyond the window, and far beyond */
	WIN(ct, wseg(&c, F_ACK, cend + 102401, 5001, 1448, 502),
		CT_V_INVALID, CT_INV_SEQ_HIGH);
	WIN(ct, wseg(&c, F_ACK, cend + 10000000, 5001, 1448, 502),
		CT_V_INVALID, CT_INV_SEQ_HIGH);
	/* the invalid segments did not count as sent: acking them is an
	 * ACK for data never sent */
	WIN(ct, wseg(&s, F_ACK, 5001, cend + 10001448, 0, 200),
		CT_V_INVALID, CT_INV_ACK_HIGH);
	/* a segment starting at the window's edge is accepted (Linux
	 * does the same) and may then be acked */
	WIN(ct, wseg(&c, F_ACK, cend + 102400, 5001, 1448, 502), CT_V_EST, 0);
	WIN(ct, wseg(&s, F_ACK, 5001, cend + 102400 + 1448, 0, 200),
		CT_V_EST, 0);
	seq = cend + 102400 + 1448;
	/* an ACK for server data never sent, then real server data */
	WIN(ct, wseg(&c, F_ACK, seq, 5002, 0, 502), CT_V_INVALID,
		CT_INV_ACK_HIGH);
	/* the client opened 502 << 7 = 64256 bytes: 60 segments fit, the
	 * 65th does not */
	for (int i = 0; i < 60; i++, sseq += 1000)
		WIN(ct, wseg(&s, F_ACK, sseq, seq, 1000, 200), CT_V_EST, 0);
	WIN(ct, wseg(&s, F_ACK, 5001 + 64257, seq, 1000, 200), CT_V_INVALID,
		CT_INV_SEQ_HIGH);
	WIN(ct, wseg(&c, F_ACK, seq, sseq, 0, 502), CT_V_EST, 0);
	/* a stale ACK: more than the client's largest window (502 << 7)
	 * below what the server sent */
	WIN(ct, wseg(&c, F_ACK, seq, sseq - 64256 - 1, 0, 502), CT_V_INVALID,
		CT_INV_ACK_LOW);
	WIN(ct, wseg(&c, F_ACK, seq, sseq - 64256 + 1, 0, 502), CT_V_EST, 0);
	/* window probe / keepalive: empty segments only have their ACK
	 * checked */
	WIN(ct, wseg(&c, F_ACK, seq - 1, sseq, 0, 502), CT_V_EST, 0);
	/* invalid packets are not counted */
	ct_entry_counters(e, CT_DIR_ORIG, &pk0, &by);
	ct_entry_counters(e, CT_DIR_REPLY, &pk1, &by);
	WIN(ct, wseg(&c, F_ACK, seq + 50000000, sseq, 10, 502), CT_V_INVALID,
		CT_INV_SEQ_HIGH);
	ct_entry_counters(e, CT_DIR_ORIG, &pk, &by);
	NF_CHECK_EQ(pk, pk0);
	ct_entry_counters(e, CT_DIR_REPLY, &pk, &by);
	NF_CHECK_EQ(pk, pk1);
	/* a blind RST far from the window does not close the connection */
	WIN(ct, wseg(&s, F_RST, sseq + 50000000, 0, 0, 0), CT_V_INVALID,
		CT_INV_SEQ_HIGH);
	NF_CHECK_EQ(ct_entry_state(e), CT_TCP_ESTABLISHED);
	/* FIN/FIN/ACK: each FIN takes one sequence number */
	WIN(ct, wseg(&c, F_FIN | F_ACK, seq, sseq, 0, 502), CT_V_EST, 0);
	WIN(ct, wseg(&s, F_ACK, sseq, seq + 2, 0, 200), CT_V_INVALID,
		CT_INV_ACK_HIGH);
	WIN(ct, wseg(&s, F_FIN | F_ACK, sseq, seq + 1, 0, 200), CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, seq + 1, sseq + 1, 0, 502), CT_V_END, 0);
	NF_CHECK_EQ(ct_entry_state(e), CT_TCP_TIME_WAIT);
	/* port reuse: a new SYN starts new sequence spaces */
	WIN(ct, wsyn(&c, F_SYN, 777777, 0, 1000, -1), CT_V_EST, 0);
	WIN(ct, wsyn(&s, F_SYN | F_ACK, 99, 777778, 1000, -1), CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, 777778, 100, 500, 1000), CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, 777778 + 1001, 100, 500, 1000), CT_V_INVALID,
		CT_INV_SEQ_HIGH);
	ct_destroy(ct);
}

/* Scaling is on only when both SYNs carry the option (RFC 7323). */
NF_TEST(tcp_window_scale_one_sided)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 42001, 0), s = rev(&c);
	uint32_t seq = 1001;

	whandshake(ct, &c, &s, -1); /* the server sends no option */
	/* window 200 is 200 bytes, not 200 << 7 */
	WIN(ct, wseg(&s, F_ACK, 5001, 1001, 0, 200), CT_V_EST, 0);
	/* 65160 (SYN-ACK) still bounds the client: 46 segments start in
	 * it (the last one at its edge) */
	wsend(ct, &c, &seq, 46, CT_V_EST);
	wsend(ct, &c, &seq, 1, CT_V_INVALID);
	/* the client's window 502 is 502 bytes too */
	WIN(ct, wseg(&s, F_ACK, 5001, seq - 2 * 1448, 1000, 200), CT_V_EST,
		0);
	WIN(ct, wseg(&s, F_ACK, 6001, seq - 2 * 1448, 1000, 200),
		CT_V_INVALID,
		CT_INV_SEQ_HIGH);
	ct_destroy(ct);
}

/* The same bad packets with window checking off: all pass. */
NF_TEST(tcp_window_off)
{
	struct ct *ct = mk_ct(1024, CT_CFG_F_NO_TCP_WINDOW);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 42002, 0), s = rev(&c);

	whandshake(ct, &c, &s, 9);
	WIN(ct, wseg(&c, F_ACK, 1001 + 100000000, 5001, 1448, 502), CT_V_EST,
		0);
	WIN(ct, wseg(&c, F_ACK, 1001 - 100000000, 5001, 1448, 502), CT_V_EST,
		0);
	WIN(ct, wseg(&s, F_ACK, 5001, 1001 + 300000000, 0, 200), CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, 1001, 5001 + 300000000, 0, 502), CT_V_EST, 0);
	WIN(ct, wseg(&s, F_RST, 5001 + 50000000, 0, 0, 0), CT_V_END, 0);
	/* the state machine still runs */
	WIN(ct, wseg(&c, F_ACK, 1001, 5001, 0, 502), CT_V_INVALID,
		CT_INV_STATE);
	ct_destroy(ct);
}

/* Packets without window information (no CT_TCPI_WIN) on a connection
 * that has some: judged by the state machine only, and the window
 * state picks up from the next packet that has it. */
NF_TEST(tcp_window_mixed_info)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 42003, 0), s = rev(&c);

	whandshake(ct, &c, &s, 9);
	WIN(ct, seg(&c, F_ACK, 1001 + 100000000, 5001), CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, 1001 + 100000000, 5001, 10, 502),
		CT_V_INVALID, CT_INV_SEQ_HIGH);
	/* a connection whose SYNs had none: windows learnt mid-stream */
	c.tuple.sport = rte_cpu_to_be_16(42004);
	s = rev(&c);
	handshake(ct, &c, &s);
	WIN(ct, wseg(&c, F_ACK, 101, 501, 100, 1000), CT_V_EST, 0);
	WIN(ct, wseg(&s, F_ACK, 501, 201, 0, 1000), CT_V_EST, 0);
	WIN(ct, wseg(&s, F_ACK, 501, 202, 0, 1000), CT_V_INVALID,
		CT_INV_ACK_HIGH);
	ct_destroy(ct);
}

/* RSTs: in the window they close, answering a SYN they carry seq 0. */
NF_TEST(tcp_window_rst)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 42005, 0), s = rev(&c);
	struct ct_pkt syn = wsyn(&c, F_SYN, 1000, 0, 64240, 7);

	NF_CHECK_EQ(ct_entry_add(ct, &syn, NULL, NULL), 0);
	/* a port-closed answer acknowledging another ISN: not ours */
	WIN(ct, wseg(&s, F_RST | F_ACK, 0, 4242, 0, 0), CT_V_INVALID,
		CT_INV_ACK_HIGH);
	WIN(ct, wseg(&s, F_RST | F_ACK, 0, 1001, 0, 0), CT_V_END, 0);
	c.tuple.sport = rte_cpu_to_be_16(42006);
	s = rev(&c);
	whandshake(ct, &c, &s, 9);
	WIN(ct, wseg(&c, F_RST, 1001 + 70000, 0, 0, 0), CT_V_INVALID,
		CT_INV_SEQ_HIGH);
	WIN(ct, wseg(&c, F_RST, 1001, 0, 0, 0), CT_V_END, 0);
	ct_destroy(ct);
}

NF_TEST(tcp_pickup_mid_stream)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 42010, 0), s = rev(&c);
	struct ct_pkt d = wseg(&c, F_ACK, 7000, 9000, 100, 1000);
	struct ct_entry *e = NULL;
	struct ct_result r;

	/* without CT_CFG_F_TCP_PICKUP an ACK with no entry is invalid */
	WIN(ct, d, CT_V_INVALID, CT_INV_NO_CONN);
	NF_CHECK_EQ(ct_entry_add(ct, &d, NULL, NULL), -EINVAL);
	ct_destroy(ct);

	ct = mk_ct(1024, CT_CFG_F_TCP_PICKUP);
	WIN(ct, d, CT_V_NEW, 0);
	/* RST, FIN and SYN-ACK segments are not picked up */
	WIN(ct, wseg(&c, F_ACK | F_FIN, 7000, 9000, 0, 1000), CT_V_INVALID,
		CT_INV_NO_CONN);
	WIN(ct, wseg(&c, F_RST, 7000, 0, 0, 0), CT_V_INVALID, CT_INV_NO_CONN);
	NF_CHECK_EQ(ct_entry_add(ct, &d, NULL, &e), 0);
	NF_CHECK_EQ(ct_entry_state(e), CT_TCP_ESTABLISHED);
	/* accepted, then tracked: the server's side is learnt from its
	 * first segment, and ACKs are held to what each side sent */
	WIN(ct, wseg(&s, F_ACK, 9000, 7100, 50, 1000), CT_V_EST, 0);
	WIN(ct, wseg(&s, F_ACK, 9050, 7101, 0, 1000), CT_V_INVALID,
		CT_INV_ACK_HIGH);
	WIN(ct, wseg(&c, F_ACK, 7100, 9051, 0, 1000), CT_V_INVALID,
		CT_INV_ACK_HIGH);
	WIN(ct, wseg(&c, F_ACK, 7100, 9050, 100, 1000), CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, 7000, 9050, 100, 1000), CT_V_EST, 0);
	WIN(ct, wseg(&s, F_ACK, 9050, 7200, 0, 1000), CT_V_EST, 0);
	/* the state machine tracks it to its end */
	r = lookv(ct, wseg(&c, F_FIN | F_ACK, 7200, 9050, 0, 1000));
	NF_CHECK_EQ(r.state, CT_TCP_FIN_WAIT);
	WIN(ct, wseg(&s, F_FIN | F_ACK, 9050, 7201, 0, 1000), CT_V_EST, 0);
	WIN(ct, wseg(&c, F_ACK, 7201, 9051, 0, 1000), CT_V_END, 0);
	ct_destroy(ct);
}

NF_TEST(tcp_parse_options)
{
	uint8_t buf[60 + 100] = { 0 };
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)buf;
	uint8_t *o = buf + 20;
	struct ct_pkt p = { 0 };
	struct rte_mempool *mp;
	struct rte_mbuf *m;
	struct nf_flow_key key;
	struct nf_pkt_layout lay;

	th->sent_seq = rte_cpu_to_be_32(0xfffffff0);
	th->recv_ack = rte_cpu_to_be_32(12);
	th->rx_win = rte_cpu_to_be_16(64240);
	th->tcp_flags = F_SYN;
	/* MSS 1460, SACK-permitted, NOP, window scale 7, EOL */
	o[0] = 2, o[1] = 4, o[2] = 0x05, o[3] = 0xb4;
	o[4] = 4, o[5] = 2;
	o[6] = 1;
	o[7] = 3, o[8] = 3, o[9] = 7;
	o[10] = 0;
	th->data_off = 8 << 4; /* 32 bytes */
	NF_CHECK_EQ(ct_pkt_tcp(&p, th, 32), 0);
	NF_CHECK_EQ(p.seq, 0xfffffff0u);
	NF_CHECK_EQ(p.ack, 12);
	NF_CHECK_EQ(p.tcp_win, 64240);
	NF_CHECK_EQ(p.tcp_dlen, 0);
	NF_CHECK_EQ(p.tcp_flags, F_SYN);
	NF_CHECK_EQ(p.tcp_info, CT_TCPI_WIN | CT_TCPI_WSCALE);
	NF_CHECK_EQ(p.tcp_wscale, 7);
	/* shift above 14 is 14; payload counted */
	o[9] = 20;
	NF_CHECK_EQ(ct_pkt_tcp(&p, th, 32 + 100), 0);
	NF_CHECK_EQ(p.tcp_wscale, 14);
	NF_CHECK_EQ(p.tcp_dlen, 100);
	/* only a SYN's option counts */
	th->tcp_flags = F_ACK;
	NF_CHECK_EQ(ct_pkt_tcp(&p, th, 32), 0);
	NF_CHECK_EQ(p.tcp_info, CT_TCPI_WIN);
	/* a truncated option ends the walk, the header stays valid */
	th->tcp_flags = F_SYN;
	o[7] = 1, o[8] = 1, o[9] = 1, o[10] = 3, o[11] = 9;
	NF_CHECK_EQ(ct_pkt_tcp(&p, th, 32), 0);
	NF_CHECK_EQ(p.tcp_info, CT_TCPI_WIN);
	/* data offset below 5 or beyond the segment */
	th->data_off = 4 << 4;
	NF_CHECK_EQ(ct_pkt_tcp(&p, th, 32), -EINVAL);
	NF_CHECK_EQ(p.tcp_info, 0);
	th->data_off = 8 << 4;
	NF_CHECK_EQ(ct_pkt_tcp(&p, th, 31), -EINVAL);

	/* from a frame: 8 payload bytes after a 20-byte header */
	mp = rte_pktmbuf_pool_create("ct_tcp_mp", 63, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	NF_CHECK(mp != NULL);
	if (mp == NULL)
		return;
	p = pkt4(IPPROTO_TCP, 42020, 3);
	for (int v6 = 0; v6 < 2; v6++) {
		m = mk_frame(mp, v6, IPPROTO_TCP, &p);
		NF_CHECK(m != NULL);
		if (m == NULL)
			break;
		NF_CHECK_EQ(nf_pkt_parse(m, 0, &key, &lay), 0);
		struct ct_pkt q;

		NF_CHECK_EQ(ct_pkt_from_mbuf(&q, 3, &key, m, &lay), 0);
		NF_CHECK_EQ(q.tcp_info, CT_TCPI_WIN);
		NF_CHECK_EQ(q.tcp_dlen, 8);
		NF_CHECK_EQ(q.tcp_flags, F_ACK);
		NF_CHECK_EQ(q.len, m->pkt_len);
		NF_CHECK_EQ(q.tuple.zone, 3);
		rte_pktmbuf_free(m);
	}
	rte_mempool_free(mp);
}

/*
 * Three threads on one connection, across the 2^32 sequence wrap: two
 * send the client's data, interleaved (even and odd segments, so the
 * client's highest sequence is advanced by both), within the window the
 * server opened, each also retransmitting an older segment; the third
 * sends the server's ACKs of what has been accepted. Every packet is
 * legitimate, so none may be flagged however the window updates of the
 * threads interleave; an edge moved back by a racing writer would flag
 * the next ACK beyond it.
 */
struct wrace_conn {
	struct ct *ct;
	struct ct_pkt c, s;
	uint32_t isn;
	uint32_t next[2];  /* per client thread: its next segment index */
	uint32_t acked;    /* bytes the server has acked */
	uint32_t done;     /* client threads finished */
	uint64_t bad, pkts;
};

struct wrace_client {
	struct wrace_conn *w;
	uint32_t id;
};

#define WR_SEGS 100000
#define WR_WIN 64 /* window field, scale 7: 8192 bytes */

static void *
wr_client(void *v)
{
	struct wrace_client *wc = v;
	struct wrace_conn *w = wc->w;
	uint64_t bad = 0;

	for (uint32_t i = wc->id; i < WR_SEGS;) {
		uint32_t acked = __atomic_load_n(&w->acked, __ATOMIC_ACQUIRE);
		struct ct_pkt p;
		struct ct_result r;

		if (i * 1000u + 1000 > acked + WR_WIN * 128) {
			sched_yield();
			continue;
		}
		p = wseg(&w->c, F_ACK, w->isn + 1 + i * 1000u, 5001, 1000,
			500);
		r = look(w->ct, &p);
		bad += r.verdict != CT_V_EST;
		if (i > 0) {
			/* segment i - 1 ends at or above the acked edge, and
			 * nothing is sent beyond it + one window: the
			 * retransmission is never more than a window back */
			p.seq -= 1000;
			r = look(w->ct, &p);
			bad += r.verdict != CT_V_EST;
		}
		i += 2;
		__atomic_store_n(&w->next[wc->id], i, __ATOMIC_RELEASE);
	}
	__atomic_fetch_add(&w->bad, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *
wr_server(void *v)
{
	struct wrace_conn *w = v;
	uint64_t bad = 0;

	uint32_t last0 = UINT32_MAX, last1 = UINT32_MAX;

	while (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE) < 2) {
		uint32_t n0 = __atomic_load_n(&w->next[0], __ATOMIC_ACQUIRE);
		uint32_t n1 = __atomic_load_n(&w->next[1], __ATOMIC_ACQUIRE);

		if (n0 == last0 && n1 == last1) {
			sched_yield(); /* nothing new to acknowledge */
			continue;
		}
		last0 = n0, last1 = n1;
		/* every segment below both threads' next one was accepted:
		 * the senders stay within a window of that; and the ACK is
		 * of the highest segment accepted (the tracker knows no
		 * holes), which an edge moved back would refuse */
		uint32_t lo = RTE_MIN(RTE_MIN(n0, n1), (uint32_t)WR_SEGS);
		uint32_t hi = RTE_MIN(RTE_MAX(n0, n1) - 1, (uint32_t)WR_SEGS);
		struct ct_pkt p = wseg(&w->s, F_ACK, 5001,
			w->isn + 1 + hi * 1000u, 0, WR_WIN);
		struct ct_result r = look(w->ct, &p);

		bad += r.verdict != CT_V_EST;
		__atomic_store_n(&w->acked, lo * 1000u, __ATOMIC_RELEASE);
		w->pkts++;
	}
	__atomic_fetch_add(&w->bad, bad, __ATOMIC_RELAXED);
	return NULL;
}

NF_TEST(tcp_window_threads)
{
	struct wrace_conn w = { 0 };
	struct wrace_client wc[2] = { { &w, 0 }, { &w, 1 } };
	pthread_t t[3];
	struct ct_pkt syn;

	w.ct = mk_ct(1024, 0);
	w.c = pkt4(IPPROTO_TCP, 42030, 0);
	w.s = rev(&w.c);
	w.isn = 0xffffffffu - 50000000u; /* wraps after 50 MB */
	w.next[1] = 1;
	syn = wsyn(&w.c, F_SYN, w.isn, 0, 64240, 7);
	NF_CHECK_EQ(ct_entry_add(w.ct, &syn, NULL, NULL), 0);
	WIN(w.ct, wsyn(&w.s, F_SYN | F_ACK, 5000, w.isn + 1, 8192, 7),
		CT_V_EST, 0);
	WIN(w.ct, wseg(&w.c, F_ACK, w.isn + 1, 5001, 0, 500), CT_V_EST, 0);
	pthread_create(&t[0], NULL, wr_client, &wc[0]);
	pthread_create(&t[1], NULL, wr_client, &wc[1]);
	pthread_create(&t[2], NULL, wr_server, &w);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("     window race: %d client segments (+ retransmissions) "
		"from 2 threads, %llu server ACKs, %llu flagged\n", WR_SEGS,
		(unsigned long long)w.pkts, (unsigned long long)w.bad);
	NF_CHECK_EQ(w.bad, 0);
	ct_destroy(w.ct);
}

/* Autonomous mode drops what the window check flags. */
NF_TEST(autonomous_window)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 42040, 0), s = rev(&c);
	struct ct_result r;
	uint8_t fate;
	int calls = 0;
	struct ct_pkt p[4] = {
		wsyn(&c, F_SYN, 1000, 0, 64240, 7),
		wsyn(&s, F_SYN | F_ACK, 5000, 1001, 65160, 7),
		wseg(&c, F_ACK, 1001, 5001, 100, 502),
		wseg(&c, F_ACK, 1001 + 5000000, 5001, 100, 502),
	};
	static const uint8_t want[4] = { CT_V_NEW, CT_V_EST, CT_V_EST,
		CT_V_INVALID };

	for (int i = 0; i < 4; i++) {
		ct_worker_process(ct, &p[i], 1, policy, &calls, &r, &fate);
		NF_CHECK_EQ(r.verdict, want[i]);
		NF_CHECK_EQ(fate, i == 3 ? CT_FATE_DROP : CT_FATE_PASS);
	}
	NF_CHECK_EQ(r.why, CT_INV_SEQ_HIGH);
	NF_CHECK(r.entry != NULL);
	ct_destroy(ct);
}

/* Run one packet through the worker; check verdict and fate. */
#define WSTEP(ct, p, v_, f_)                                                  \
	do {                                                                  \
		struct ct_pkt wp_ = (p);                                      \
		struct ct_result wr_;                                         \
		uint8_t wf_;                                                  \
		ct_worker_process((ct), &wp_, 1, policy, &calls, &wr_, &wf_); \
		NF_CHECK_EQ(wr_.verdict, (v_));                               \
		NF_CHECK_EQ(wf_, (f_));                                       \
	} while (0)

NF_TEST(autonomous_worker)
{
	struct ct *ct = mk_ct(1024, 0);
	struct ct_pkt c = pkt4(IPPROTO_TCP, 41000, 0), s = rev(&c);
	struct ct_pkt ssh = pkt4(IPPROTO_TCP, 41001, 0);
	struct ct_pkt dns = pkt4(IPPROTO_UDP, 41002, 0);
	int calls = 0;

	ssh.tuple.dport = rte_cpu_to_be_16(22);
	WSTEP(ct, seg(&c, F_SYN, 10, 0), CT_V_NEW, CT_FATE_PASS);
	NF_CHECK_EQ(calls, 1);
	NF_CHECK_EQ(ct_count(ct), 1);
	WSTEP(ct, seg(&s, F_SYN | F_ACK, 50, 11), CT_V_EST, CT_FATE_PASS);
	WSTEP(ct, seg(&c, F_ACK, 11, 51), CT_V_EST, CT_FATE_PASS);
	WSTEP(ct, seg(&c, F_FIN | F_ACK, 11, 51), CT_V_EST, CT_FATE_PASS);
	WSTEP(ct, seg(&s, F_FIN | F_ACK, 51, 12), CT_V_EST, CT_FATE_PASS);
	WSTEP(ct, seg(&c, F_ACK, 12, 52), CT_V_END, CT_FATE_PASS);
	NF_CHECK_EQ(calls, 1); /* only first packets are asked about */
	/* ACK with no connection: dropped without asking */
	WSTEP(ct, seg(&ssh, F_ACK, 1, 1), CT_V_INVALID, CT_FATE_DROP);
	NF_CHECK_EQ(calls, 1);
	WSTEP(ct, seg(&ssh, F_SYN, 1, 0), CT_V_NEW, CT_FATE_DROP);
	WSTEP(ct, dns, CT_V_NEW, CT_FATE_PASS);
	WSTEP(ct, dns, CT_V_NEW, CT_FATE_PASS);
	NF_CHECK_EQ(calls, 4);
	NF_CHECK_EQ(ct_count(ct), 1);
	/* the ended connection goes after tcp_session_del_s */
	NF_CHECK_EQ(ct_age(ct, 1000 + 10000), 1);
	NF_CHECK_EQ(ct_count(ct), 0);
	ct_destroy(ct);
}

struct wrace {
	struct ct *ct;
	pthread_barrier_t *bar;
	int created, passed, calls;
};

static void *
wrace_thread(void *v)
{
	struct wrace *a = v;

	for (int i = 0; i < 1000; i++) {
		struct ct_pkt p = pkt4(IPPROTO_UDP, (uint16_t)(i + 1), 0);
		struct ct_result r;
		uint8_t fate;

		p.tuple.dport = rte_cpu_to_be_16(5000);
		pthread_barrier_wait(a->bar);
		a->created += ct_worker_process(a->ct, &p, 1, policy,
			&a->calls, &r, &fate);
		a->passed += fate == CT_FATE_PASS && r.entry != NULL;
	}
	return NULL;
}

NF_TEST(autonomous_dup_filter)
{
	struct ct *ct = mk_ct(4096, 0);
	pthread_barrier_t bar;
	struct wrace a[2] = { { .ct = ct, .bar = &bar },
		{ .ct = ct, .bar = &bar } };
	pthread_t t[2];

	pthread_barrier_init(&bar, NULL, 2);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, wrace_thread, &a[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&bar);
	NF_CHECK_EQ(a[0].created + a[1].created, 1000);
	NF_CHECK_EQ(a[0].passed + a[1].passed, 2000);
	NF_CHECK_EQ(ct_count(ct), 1000);
	ct_destroy(ct);
}

static unsigned int n_logged, last_reason;
static uint64_t logged_pkts;

static void
flow_log(const struct ct_flow_log *log, void *arg)
{
	(void)arg;
	n_logged++;
	last_reason = log->reason;
	logged_pkts = log->pkts[0] + log->pkts[1];
}

static int keep_calls;

static int
keep_once(struct ct *ct, struct ct_entry *e, void *arg)
{
	(void)ct;
	(void)e;
	(void)arg;
	return keep_calls++ == 0;
}

NF_TEST(aging_timeouts)
{
	struct ct_cfg cfg = CT_CFG_DEFAULT;
	struct ct_pkt u = pkt4(IPPROTO_UDP, 9000, 0);
	struct ct_pkt t = pkt4(IPPROTO_TCP, 9001, 0), s = rev(&t);
	struct ct_pkt t2 = pkt4(IPPROTO_TCP, 9002, 0), s2 = rev(&t2);
	struct ct_pkt t3 = pkt4(IPPROTO_TCP, 9003, 0), s3 = rev(&t3);
	struct ct *ct;

	cfg.nb_conns = 128;
	cfg.tcp_timeout_s = 100;
	cfg.tcp_session_del_s = 10;
	cfg.udp_timeout_s = 30;
	cfg.clock = fake_clock;
	cfg.flags = CT_CFG_F_FLOW_LOG;
	cfg.flow_log_cb = flow_log;
	fake_now = 1000;
	n_logged = 0;
	ct = ct_create(&cfg);
	NF_CHECK(ct != NULL);
	NF_CHECK_EQ(ct_entry_add(ct, &u, NULL, NULL), 0);
	handshake(ct, &t, &s);
	handshake(ct, &t2, &s2);
	handshake(ct, &t3, &s3);
	/* t2 closes with FIN/FIN/ACK, t3 with RST: tcp_session_del_s */
	lookv(ct, seg(&t2, F_FIN | F_ACK, 101, 501));
	lookv(ct, seg(&s2, F_FIN | F_ACK, 501, 102));
	lookv(ct, seg(&t2, F_ACK, 102, 502));
	lookv(ct, seg(&s3, F_RST, 501, 0));
	NF_CHECK_EQ(ct_count(ct), 4);
	NF_CHECK_EQ(ct_age(ct, 1000 + 9999), 0);
	NF_CHECK_EQ(ct_age(ct, 1000 + 10000), 2);
	NF_CHECK_EQ(n_logged, 2);
	NF_CHECK_EQ(last_reason, CT_RM_AGED);
	NF_CHECK_EQ(ct_age(ct, 1000 + 29999), 0);
	NF_CHECK_EQ(ct_age(ct, 1000 + 30000), 1);
	NF_CHECK_EQ(logged_pkts, 1);
	/* traffic restarts the idle time */
	fake_now = 1000 + 50000;
	lookv(ct, seg(&s, F_ACK, 501, 101));
	NF_CHECK_EQ(ct_age(ct, 1000 + 100000), 0);
	NF_CHECK_EQ(ct_age(ct, 1000 + 149999), 0);
	NF_CHECK_EQ(ct_age(ct, 1000 + 150000), 1);
	NF_CHECK_EQ(ct_count(ct), 0);
	NF_CHECK_EQ(n_logged, 4);
	ct_destroy(ct);
}

NF_TEST(aging_cb_and_flags)
{
	struct ct_cfg cfg = CT_CFG_DEFAULT;
	struct ct_pkt u = pkt4(IPPROTO_UDP, 9100, 0);
	struct ct_pkt v = pkt4(IPPROTO_UDP, 9101, 0);
	struct ct_entry_params pin = { .flags = CT_EF_NO_AGING };
	struct ct *ct;

	cfg.nb_conns = 128;
	cfg.udp_timeout_s = 30;
	cfg.clock = fake_clock;
	cfg.aging_cb = keep_once;
	fake_now = 0;
	keep_calls = 0;
	ct = ct_create(&cfg);
	NF_CHECK_EQ(ct_entry_add(ct, &u, NULL, NULL), 0);
	NF_CHECK_EQ(ct_entry_add(ct, &v, &pin, NULL), 0);
	NF_CHECK_EQ(ct_age(ct, 30000), 0); /* the callback keeps it */
	NF_CHECK_EQ(keep_calls, 1);
	NF_CHECK_EQ(ct_age(ct, 59999), 0);
	NF_CHECK_EQ(ct_age(ct, 60000), 1);
	NF_CHECK_EQ(ct_age(ct, 10000000), 0);
	NF_CHECK_EQ(ct_count(ct), 1);
	ct_destroy(ct);

	cfg.flags = CT_CFG_F_NO_AGING;
	cfg.aging_cb = NULL;
	ct = ct_create(&cfg);
	NF_CHECK_EQ(ct_entry_add(ct, &u, NULL, NULL), 0);
	NF_CHECK_EQ(ct_age(ct, 10000000), 0);
	NF_CHECK_EQ(ct_count(ct), 1);
	ct_destroy(ct);
}

NF_TEST(aging_thread)
{
	struct ct *ct = mk_ct(128, 0);
	struct ct_pkt u = pkt4(IPPROTO_UDP, 9200, 0);

	NF_CHECK_EQ(ct_entry_add(ct, &u, NULL, NULL), 0);
	NF_CHECK_EQ(ct_aging_start(ct, 1), 0);
	NF_CHECK_EQ(ct_aging_start(ct, 1), -EALREADY);
	__atomic_store_n(&fake_now, 1000 + 30000, __ATOMIC_RELAXED);
	/* the thread runs every 10 ms of real time: allow 5 s */
	for (int i = 0; i < 500 && ct_count(ct) != 0; i++)
		usleep(10000);
	NF_CHECK_EQ(ct_count(ct), 0);
	ct_aging_stop(ct);
	ct_destroy(ct);
}

/* A reader thread that also removes more entries than the RCU defer
 * queue holds (1024) must not wait for itself. */
NF_TEST(reader_removes)
{
	struct ct *ct = mk_ct(4096, 0);
	static struct ct_entry *es[3000];

	NF_CHECK_EQ(ct_thread_register(ct, 0), 0);
	NF_CHECK_EQ(ct_thread_register(ct, 64), -EINVAL);
	for (int i = 0; i < 3000; i++) {
		struct ct_pkt p = pkt4(IPPROTO_UDP, (uint16_t)(1 + i), 0);

		NF_CHECK_EQ(ct_entry_add(ct, &p, NULL, &es[i]), 0);
	}
	for (int i = 0; i < 3000; i++)
		NF_CHECK_EQ(ct_entry_remove(ct, es[i]), 0);
	ct_thread_quiescent(ct, 0);
	ct_age(ct, fake_now);
	NF_CHECK_EQ(ct_count(ct), 0);
	ct_thread_unregister(ct, 0);
	ct_destroy(ct);
}

NF_TEST(default_clock)
{
	struct ct_cfg cfg = CT_CFG_DEFAULT;
	struct ct *ct;
	uint64_t t0, t1;

	cfg.nb_conns = 16;
	ct = ct_create(&cfg);
	NF_CHECK(ct != NULL);
	if (ct == NULL)
		return;
	t0 = ct_time_ms(ct);
	usleep(50000);
	t1 = ct_time_ms(ct);
	/* milliseconds, not cycles or seconds (generous for a busy VM) */
	NF_CHECK(t1 - t0 >= 45 && t1 - t0 < 5000);
	ct_destroy(ct);
}

NF_TEST(full_table)
{
	struct ct *ct = mk_ct(1000, 0);
	static struct ct_entry *es[1000];

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 1000; i++) {
			struct ct_pkt p = pkt4(IPPROTO_UDP, 1000 + i, round);

			NF_CHECK_EQ(ct_entry_add(ct, &p, NULL, &es[i]), 0);
		}
		struct ct_pkt p = pkt4(IPPROTO_UDP, 999, round);

		NF_CHECK_EQ(ct_entry_add(ct, &p, NULL, NULL), -ENOSPC);
		NF_CHECK_EQ(ct_count(ct), 1000);
		for (int i = 0; i < 1000; i++)
			NF_CHECK_EQ(ct_entry_remove(ct, es[i]), 0);
		/* adds reclaim by themselves: no ct_age here */
	}
	ct_age(ct, fake_now);
	NF_CHECK_EQ(ct_count(ct), 0);
	ct_destroy(ct);

	/* compact (no extendable buckets): 900 of 1024 slots still fit */
	ct = mk_ct(900, CT_CFG_F_COMPACT);
	for (int i = 0; i < 900; i++) {
		struct ct_pkt p = pkt4(IPPROTO_UDP, 1000 + i, 0);

		NF_CHECK_EQ(ct_entry_add(ct, &p, NULL, &es[i]), 0);
	}
	struct ct_pkt extra = pkt4(IPPROTO_UDP, 999, 0);

	NF_CHECK_EQ(ct_entry_add(ct, &extra, NULL, NULL), -ENOSPC);
	for (int i = 0; i < 900; i++)
		NF_CHECK_EQ(ct_entry_remove(ct, es[i]), 0);
	ct_age(ct, fake_now);
	NF_CHECK_EQ(ct_count(ct), 0);
	ct_destroy(ct);

	struct ct_cfg bad = CT_CFG_DEFAULT;

	bad.nb_conns = 0;
	NF_CHECK(ct_create(&bad) == NULL);
	NF_CHECK_EQ(rte_errno, EINVAL);
}

struct dup_arg {
	struct ct *ct;
	pthread_barrier_t *bar;
	int rounds;
	int won;
	int lost;
	int bad;
	struct ct_entry **winner; /* per round, the entry each side got */
};

static void *
dup_thread(void *v)
{
	struct dup_arg *a = v;

	for (int i = 0; i < a->rounds; i++) {
		struct ct_pkt p = pkt4(IPPROTO_UDP, (uint16_t)(i + 1), 0);
		struct ct_entry *e = NULL;
		int rc;

		pthread_barrier_wait(a->bar);
		rc = ct_entry_add(a->ct, &p, NULL, &e);
		if (rc == 0)
			a->won++;
		else if (rc == -EEXIST && e != NULL)
			a->lost++;
		else
			a->bad++;
		a->winner[i] = e;
	}
	return NULL;
}

NF_TEST(dup_filter_two_threads)
{
	enum { ROUNDS = 2000 };
	struct ct *ct = mk_ct(4096, 0);
	static struct ct_entry *w0[ROUNDS], *w1[ROUNDS];
	pthread_barrier_t bar;
	struct dup_arg a[2] = {
		{ .ct = ct, .bar = &bar, .rounds = ROUNDS, .winner = w0 },
		{ .ct = ct, .bar = &bar, .rounds = ROUNDS, .winner = w1 },
	};
	pthread_t t[2];
	int same = 0;

	pthread_barrier_init(&bar, NULL, 2);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, dup_thread, &a[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&bar);
	NF_CHECK_EQ(a[0].won + a[1].won, ROUNDS);
	NF_CHECK_EQ(a[0].lost + a[1].lost, ROUNDS);
	NF_CHECK_EQ(a[0].bad + a[1].bad, 0);
	for (int i = 0; i < ROUNDS; i++)
		same += w0[i] == w1[i];
	NF_CHECK_EQ(same, ROUNDS);
	NF_CHECK_EQ(ct_count(ct), ROUNDS);
	printf("     dup filter: thread 0 won %d, thread 1 won %d\n",
		a[0].won, a[1].won);
	ct_destroy(ct);
}

/*
 * Stress: two writers add and remove connections of their own port
 * ranges, tagging each with meta = port; a reader looks random ports up
 * and checks every hit carries its own port (a slot reused under a
 * reader, or a half-filled entry, would show another). ASan and UBSan
 * watch the rest.
 */
struct stress {
	struct ct *ct;
	volatile bool stop;
	uint64_t adds[2], hits, misses, bad;
};

struct writer_arg {
	struct stress *s;
	int id;
};

#define STRESS_PORTS 20000

static void *
stress_writer(void *v)
{
	struct writer_arg *wa = v;
	struct stress *s = wa->s;
	static struct ct_entry *live[2][STRESS_PORTS];
	unsigned int seed = 1234u + (unsigned int)wa->id;

	while (!s->stop) {
		int i = rand_r(&seed) % STRESS_PORTS;
		uint16_t port = (uint16_t)(1 + wa->id * STRESS_PORTS + i);
		struct ct_entry_params prm = { .meta = port };
		struct ct_pkt p = pkt4(IPPROTO_UDP, port, 0);

		if (live[wa->id][i] != NULL) {
			if (ct_entry_remove(s->ct, live[wa->id][i]) != 0)
				__atomic_fetch_add(&s->bad, 1,
					__ATOMIC_RELAXED);
			live[wa->id][i] = NULL;
		} else if (ct_entry_add(s->ct, &p, &prm,
					&live[wa->id][i]) == 0) {
			s->adds[wa->id]++;
		} else {
			__atomic_fetch_add(&s->bad, 1, __ATOMIC_RELAXED);
			live[wa->id][i] = NULL;
		}
		if ((s->adds[wa->id] & 1023) == 0)
			ct_age(s->ct, 0); /* reclaim; nothing expires */
	}
	for (int i = 0; i < STRESS_PORTS; i++)
		if (live[wa->id][i] != NULL)
			ct_entry_remove(s->ct, live[wa->id][i]);
	return NULL;
}

static void *
stress_reader(void *v)
{
	struct stress *s = v;
	unsigned int seed = 99;
	struct ct_pkt p[32];
	struct ct_result r[32];

	ct_thread_register(s->ct, 0);
	while (!s->stop) {
		for (int i = 0; i < 32; i++) {
			uint16_t port = (uint16_t)(1 +
				rand_r(&seed) % (2 * STRESS_PORTS));

			p[i] = pkt4(IPPROTO_UDP, port, 0);
			if (i & 1)
				p[i] = rev(&p[i]);
		}
		ct_lookup_burst(s->ct, p, 32, r);
		for (int i = 0; i < 32; i++) {
			uint16_t port = rte_be_to_cpu_16(
				i & 1 ? p[i].tuple.dport : p[i].tuple.sport);

			if (r[i].entry == NULL) {
				s->misses++;
				continue;
			}
			s->hits++;
			if (ct_entry_meta(r[i].entry) != port ||
					r[i].dir != (i & 1))
				s->bad++;
		}
		ct_thread_quiescent(s->ct, 0);
	}
	ct_thread_unregister(s->ct, 0);
	return NULL;
}

NF_TEST(stress_2w_1r)
{
	const char *env = getenv("CT_STRESS_S");
	int secs = env ? atoi(env) : 3;
	struct stress s = { 0 };
	struct writer_arg wa[2] = { { &s, 0 }, { &s, 1 } };
	struct ct_cfg cfg = CT_CFG_DEFAULT;
	pthread_t t[3];

	cfg.nb_conns = 2 * STRESS_PORTS;
	cfg.nb_readers = 1;
	s.ct = ct_create(&cfg);
	NF_CHECK(s.ct != NULL);
	if (s.ct == NULL)
		return;
	pthread_create(&t[0], NULL, stress_writer, &wa[0]);
	pthread_create(&t[1], NULL, stress_writer, &wa[1]);
	pthread_create(&t[2], NULL, stress_reader, &s);
	sleep((unsigned int)secs);
	s.stop = true;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ct_age(s.ct, 0);
	printf("     stress %d s: %llu + %llu adds, %llu hits, %llu misses, "
		"%llu bad\n", secs, (unsigned long long)s.adds[0],
		(unsigned long long)s.adds[1], (unsigned long long)s.hits,
		(unsigned long long)s.misses, (unsigned long long)s.bad);
	NF_CHECK_EQ(s.bad, 0);
	NF_CHECK(s.adds[0] > 0 && s.adds[1] > 0 && s.hits > 0);
	NF_CHECK_EQ(ct_count(s.ct), 0);
	ct_destroy(s.ct);
}

int
main(int argc, char **argv)
{
	char *eal_args[] = { "test_ct", "--no-huge", "-m", "256", "--no-pci",
		"--file-prefix", "nf_test_ct", "-l", "0", "--no-telemetry",
		"--log-level", "lib.eal:error" };
	static const struct nf_test_case cases[] = {
		NF_CASE(tcp_handshake_fin_orig),
		NF_CASE(tcp_fin_reply_first),
		NF_CASE(tcp_simultaneous_open),
		NF_CASE(tcp_rst),
		NF_CASE(tcp_syn_retransmit_and_invalid),
		NF_CASE(tcp_no_connection),
		NF_CASE(zones_isolate),
		NF_CASE(ipv6_and_from_key),
		NF_CASE(counters),
		NF_CASE(nat_per_direction),
		NF_CASE(nat_slots_reused),
		NF_CASE(nat_rewrite_checksums),
		NF_CASE(add_dir_update_remove),
		NF_CASE(aging_timeouts),
		NF_CASE(aging_cb_and_flags),
		NF_CASE(aging_thread),
		NF_CASE(reader_removes),
		NF_CASE(default_clock),
		NF_CASE(full_table),
		NF_CASE(dup_filter_two_threads),
		NF_CASE(autonomous_worker),
		NF_CASE(autonomous_dup_filter),
		NF_CASE(tcp_window_scaled_transfer),
		NF_CASE(tcp_window_scale_one_sided),
		NF_CASE(tcp_window_off),
		NF_CASE(tcp_window_mixed_info),
		NF_CASE(tcp_window_rst),
		NF_CASE(tcp_pickup_mid_stream),
		NF_CASE(tcp_parse_options),
		NF_CASE(tcp_window_threads),
		NF_CASE(autonomous_window),
		NF_CASE(stress_2w_1r),
	};

	(void)argc;
	(void)argv;
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	return nf_test_run(cases, RTE_DIM(cases));
}
