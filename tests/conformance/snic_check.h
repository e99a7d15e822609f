/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */
#ifndef SNIC_CHECK_H
#define SNIC_CHECK_H

/**
 * @file
 * Byte-exact checks for net_snic conformance tests, on top of snic_env.h
 * (the switch over net_ring ports) and pktgen.h (frames).
 *
 * What: describe a packet (struct flow_desc) and optionally its VXLAN outer
 * headers (struct tun_desc), build() the frame; build rules with pat_add()
 * and act(); check what the NIC did with expect_wire() (next frame on a
 * port's wire, compared over its full length, optionally with checksums
 * verified by rte_ipv4/ipv6_udptcp_cksum_verify: N-6), expect_upcall()
 * (next frame in a port's software queue, with its N-10 tag),
 * check_count() (a rule's COUNT, N-12) and expect_quiet() (nothing else
 * anywhere). item_case() and act_case() run the usual "rule, matching
 * packet, missing packets" sequence.
 *
 * The test program includes this header once and uses its switch `env`
 * (index 0 uplink, 1.. VFs): snic_env_create(&env, ...). send_n() and
 * reset() drive the NIC with snic_env_poll(), i.e. inline mode.
 *
 * Usage:
 *   struct flow_desc f = flow(false, IPPROTO_TCP);
 *   struct dst_pat d; struct acts l = {0};
 *   act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
 *   r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
 *   bp(0, NULL, &f); send_n(VF0, &P[0], 1); EXPECT_WIRE(VF1, &P[0]);
 */

#include <stdbool.h>

#include <rte_flow.h>
#include <rte_ip.h>

#include "nf_test.h"
#include "pktgen.h"
#include "snic_env.h"

#define UPLINK 0
#define VF0 1
#define VF1 2
#define VF2 3

#define VM1_MAC "02:00:00:00:00:01"
#define VM2_MAC "02:00:00:00:00:02"
#define VM3_MAC "02:00:00:00:00:03"
#define GW_MAC "02:00:00:00:00:fe"
#define VTEP_L_MAC "0a:00:00:00:00:01"
#define VTEP_R_MAC "0a:00:00:00:00:02"

#define VM1_IP "10.0.0.1"
#define VM2_IP "10.0.0.2"
#define OTHER_IP "10.0.0.9"
#define NAT_IP "192.168.100.1"
#define VM1_IP6 "fd00::1"
#define VM2_IP6 "fd00::2"
#define OTHER_IP6 "fd00::9"
#define NAT_IP6 "2001:db8::1"
#define VTEP_L_IP "172.16.0.1"
#define VTEP_R_IP "172.16.0.2"
#define VTEP_X_IP "172.16.0.3"
#define VTEP_L_IP6 "fd10::1"
#define VTEP_R_IP6 "fd10::2"
#define VTEP_X_IP6 "fd10::3"

#define VNI 100

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

static struct snic_env env __rte_unused;

/* ------------------------------------------------------------ frames */

/* One (inner) packet. */
struct flow_desc {
	const char *dmac;
	const char *smac;
	uint16_t tci;        /* TCI of one tag */
	uint16_t tpid;       /* tagged when tci or tpid != 0; 0: 0x8100 */
	uint16_t tci2;       /* a second (802.1Q) tag after it when != 0 */
	bool v6;
	const char *sip;
	const char *dip;
	uint8_t proto;       /* TCP, UDP, or ICMP/ICMPv6 (type = sport,
			      * code = dport) */
	uint16_t sport;
	uint16_t dport;
	uint8_t flags;       /* TCP flags; 0 stands for PSH|ACK */
	uint8_t ttl;         /* 0 stands for 64 */
	uint8_t tos;         /* IPv4 TOS / IPv6 traffic class */
	uint32_t flow_label; /* IPv6 */
	bool no_udp_csum;    /* UDP checksum 0 ("none" over IPv4) */
};

/* Outer headers of a VXLAN packet (also an encap definition). */
struct tun_desc {
	const char *dmac;
	const char *smac;
	bool v6;
	const char *sip;
	const char *dip;
	uint32_t vni;
	uint16_t sport;
	uint16_t dport;      /* 0 stands for 4789 */
	uint16_t tci;        /* underlay tag; 0: untagged */
	uint32_t rsvd0;      /* the 24 reserved bits after the flags */
	uint8_t ttl;         /* 0 stands for 64 */
	uint8_t tos;         /* TOS / traffic class */
	uint32_t flow_label;
	bool df;             /* IPv4 DF (the NIC sets it) */
	bool udp_csum;       /* outer UDP checksum computed (else 0) */
};

/* VM1 → VM2, untagged, TCP or UDP 1000 → 80. */
static inline struct flow_desc
flow(bool v6, uint8_t proto)
{
	struct flow_desc f = {
		.dmac = VM2_MAC, .smac = VM1_MAC, .v6 = v6,
		.sip = v6 ? VM1_IP6 : VM1_IP, .dip = v6 ? VM2_IP6 : VM2_IP,
		.proto = proto, .sport = 1000, .dport = 80,
	};

	return f;
}

/* Remote VTEP → this node, VNI 100. */
static inline struct tun_desc
tunnel(bool v6)
{
	struct tun_desc t = {
		.dmac = VTEP_L_MAC, .smac = VTEP_R_MAC, .v6 = v6,
		.sip = v6 ? VTEP_R_IP6 : VTEP_R_IP,
		.dip = v6 ? VTEP_L_IP6 : VTEP_L_IP, .vni = VNI, .sport = 51000,
	};

	return t;
}

static inline void
put_outer(struct pk *p, const struct tun_desc *t)
{
	uint16_t l3 = t->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	uint8_t ttl = t->ttl ? t->ttl : 64;
	uint8_t *vx;

	if (t->tci != 0) {
		pk_eth(p, t->dmac, t->smac, RTE_ETHER_TYPE_VLAN);
		pk_vlan(p, t->tci, l3);
	} else {
		pk_eth(p, t->dmac, t->smac, l3);
	}
	if (t->v6) {
		struct rte_ipv6_hdr *ip = pk_ipv6(p, t->sip, t->dip,
						  IPPROTO_UDP, ttl);

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28 |
			(uint32_t)t->tos << 20 | t->flow_label);
	} else {
		struct rte_ipv4_hdr *ip = pk_ipv4(p, t->sip, t->dip,
						  IPPROTO_UDP, ttl);

		ip->type_of_service = t->tos;
		if (t->df)
			ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	}
	pk_udp(p, t->sport, t->dport ? t->dport : 4789);
	pk_vxlan(p, t->vni);
	vx = p->b + p->l[p->nl - 1].off;
	vx[1] = (uint8_t)(t->rsvd0 >> 16);
	vx[2] = (uint8_t)(t->rsvd0 >> 8);
	vx[3] = (uint8_t)t->rsvd0;
}

static inline void
put_inner(struct pk *p, const struct flow_desc *f)
{
	uint16_t l3 = f->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	uint8_t ttl = f->ttl ? f->ttl : 64;

	if (f->tci != 0 || f->tpid != 0) {
		pk_eth(p, f->dmac, f->smac,
		       f->tpid ? f->tpid : RTE_ETHER_TYPE_VLAN);
		pk_vlan(p, f->tci, f->tci2 ? RTE_ETHER_TYPE_VLAN : l3);
		if (f->tci2 != 0)
			pk_vlan(p, f->tci2, l3);
	} else {
		pk_eth(p, f->dmac, f->smac, l3);
	}
	if (f->v6) {
		struct rte_ipv6_hdr *ip = pk_ipv6(p, f->sip, f->dip, f->proto,
						  ttl);

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28 |
			(uint32_t)f->tos << 20 | f->flow_label);
	} else {
		pk_ipv4(p, f->sip, f->dip, f->proto, ttl)->type_of_service =
			f->tos;
	}
	if (f->proto == IPPROTO_TCP)
		pk_tcp(p, f->sport, f->dport,
		       f->flags ? f->flags : TCP_PSH | TCP_ACK);
	else if (f->proto == IPPROTO_UDP)
		pk_udp(p, f->sport, f->dport);
	else
		pk_icmp(p, (uint8_t)f->sport, (uint8_t)f->dport);
	pk_payload(p, 40);
}

/* The outer UDP checksum over the whole datagram. */
static inline void
outer_udp_csum(struct pk *p, bool v6)
{
	int l3 = pk_off(p, v6 ? PK_IPV6 : PK_IPV4, 0);
	int l4 = pk_off(p, PK_UDP, 0);
	uint16_t ck;

	p->b[l4 + 6] = p->b[l4 + 7] = 0;
	if (v6)
		ck = rte_ipv6_udptcp_cksum((void *)(p->b + l3), p->b + l4);
	else
		ck = rte_ipv4_udptcp_cksum((void *)(p->b + l3), p->b + l4);
	memcpy(p->b + l4 + 6, &ck, 2);
}

/* ICMPv6 checksums cover a pseudo-header (pktgen.h's do not). */
static inline void
icmp6_csum(struct pk *p)
{
	for (int i = 1; i < p->nl; i++) {
		uint8_t *h = p->b + p->l[i].off;
		uint16_t ck;

		if (p->l[i].type != PK_ICMP || p->l[i - 1].type != PK_IPV6)
			continue;
		h[2] = h[3] = 0;
		ck = rte_ipv6_udptcp_cksum((void *)(p->b + p->l[i - 1].off),
					   h);
		memcpy(h + 2, &ck, 2);
	}
}

/* A frame: [outer headers /] packet, lengths and checksums filled. */
static inline void
build(struct pk *p, const struct tun_desc *t, const struct flow_desc *f)
{
	pk_init(p);
	if (t != NULL)
		put_outer(p, t);
	put_inner(p, f);
	pk_finish(p);
	if (f->no_udp_csum && f->proto == IPPROTO_UDP) {
		int u = pk_off(p, PK_UDP, t != NULL);

		p->b[u + 6] = p->b[u + 7] = 0;
	}
	icmp6_csum(p);
	if (t != NULL && t->udp_csum)
		outer_udp_csum(p, t->v6);
}

/* Scratch frames of the item cases: hits first, then misses. */
static struct pk P[8] __rte_unused;

static inline void
bp(int k, const struct tun_desc *t, const struct flow_desc *f)
{
	build(&P[k], t, f);
}

/* Zero an item's spec and mask. */
#define ZERO2(s, m) do {                                                     \
		memset(&(s), 0, sizeof(s));                                 \
		memset(&(m), 0, sizeof(m));                                 \
	} while (0)

/* P[k] = base with one field changed. */
#define VARY(k, base, field, val) do {                                      \
		struct flow_desc g_ = (base);                               \
		g_.field = (val);                                           \
		bp(k, NULL, &g_);                                           \
	} while (0)
#define VARY_T(k, tun, base, field, val) do {                               \
		struct tun_desc u_ = (tun);                                 \
		u_.field = (val);                                           \
		bp(k, &u_, &(base));                                        \
	} while (0)
/* P[k] = base (inner packet) with one field changed, under tunnel t. */
#define VARY_I(k, t, base, field, val) do {                                 \
		struct flow_desc g_ = (base);                               \
		g_.field = (val);                                           \
		bp(k, t, &g_);                                              \
	} while (0)

/* ------------------------------------------------------------ rules */

/* A pattern, END-terminated after every append. */
struct pat {
	struct rte_flow_item it[12];
	unsigned int n;
};

static inline const struct rte_flow_item *
pat_add(struct pat *p, enum rte_flow_item_type type, const void *spec,
	const void *mask)
{
	p->it[p->n] = (struct rte_flow_item){ .type = type, .spec = spec,
					      .mask = mask };
	p->n++;
	p->it[p->n] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_END };
	return p->it;
}

static inline const struct rte_flow_item *
pat1(struct pat *p, enum rte_flow_item_type type, const void *spec,
     const void *mask)
{
	memset(p, 0, sizeof(*p));
	return pat_add(p, type, spec, mask);
}

/* IPV4|IPV6 destination of f; [VXLAN (any VNI) when tun]. */
struct dst_pat {
	struct rte_flow_item_ipv4 ip4, ip4_m;
	struct rte_flow_item_ipv6 ip6, ip6_m;
	struct pat p;
};

static inline const struct rte_flow_item *
dst_pattern(struct dst_pat *d, const struct flow_desc *f, bool tun)
{
	memset(d, 0, sizeof(*d));
	if (f->v6) {
		inet_pton(AF_INET6, f->dip, d->ip6.hdr.dst_addr);
		memset(d->ip6_m.hdr.dst_addr, 0xff, 16);
		pat_add(&d->p, RTE_FLOW_ITEM_TYPE_IPV6, &d->ip6, &d->ip6_m);
	} else {
		inet_pton(AF_INET, f->dip, &d->ip4.hdr.dst_addr);
		d->ip4_m.hdr.dst_addr = RTE_BE32(0xffffffff);
		pat_add(&d->p, RTE_FLOW_ITEM_TYPE_IPV4, &d->ip4, &d->ip4_m);
	}
	if (tun)
		pat_add(&d->p, RTE_FLOW_ITEM_TYPE_VXLAN, NULL, NULL);
	return d->p.it;
}

/* An action list, END-terminated after every append. */
struct acts {
	struct rte_flow_action a[16];
	unsigned int n;
};

static inline void
act(struct acts *l, enum rte_flow_action_type type, const void *conf)
{
	l->a[l->n].type = type;
	l->a[l->n].conf = conf;
	l->n++;
	l->a[l->n].type = RTE_FLOW_ACTION_TYPE_END;
	l->a[l->n].conf = NULL;
}

/* VXLAN_ENCAP definition ETH / [VLAN] / IPV4|IPV6 / UDP / VXLAN of t. */
struct encap_def {
	struct rte_flow_item_eth eth;
	struct rte_flow_item_vlan vlan;
	struct rte_flow_item_ipv4 ip4;
	struct rte_flow_item_ipv6 ip6;
	struct rte_flow_item_udp udp;
	struct rte_flow_item_vxlan vx;
	struct pat p;
	struct rte_flow_action_vxlan_encap conf;
};

static inline const struct rte_flow_action_vxlan_encap *
encap_def(struct encap_def *d, const struct tun_desc *t)
{
	memset(d, 0, sizeof(*d));
	pk_mac(d->eth.dst.addr_bytes, t->dmac);
	pk_mac(d->eth.src.addr_bytes, t->smac);
	pat_add(&d->p, RTE_FLOW_ITEM_TYPE_ETH, &d->eth, NULL);
	if (t->tci != 0) {
		d->vlan.tci = rte_cpu_to_be_16(t->tci);
		pat_add(&d->p, RTE_FLOW_ITEM_TYPE_VLAN, &d->vlan, NULL);
	}
	if (t->v6) {
		inet_pton(AF_INET6, t->sip, d->ip6.hdr.src_addr);
		inet_pton(AF_INET6, t->dip, d->ip6.hdr.dst_addr);
		d->ip6.hdr.vtc_flow = rte_cpu_to_be_32((uint32_t)t->tos << 20 |
						       t->flow_label);
		d->ip6.hdr.hop_limits = t->ttl;
		pat_add(&d->p, RTE_FLOW_ITEM_TYPE_IPV6, &d->ip6, NULL);
	} else {
		inet_pton(AF_INET, t->sip, &d->ip4.hdr.src_addr);
		inet_pton(AF_INET, t->dip, &d->ip4.hdr.dst_addr);
		d->ip4.hdr.type_of_service = t->tos;
		d->ip4.hdr.time_to_live = t->ttl;
		pat_add(&d->p, RTE_FLOW_ITEM_TYPE_IPV4, &d->ip4, NULL);
	}
	d->udp.hdr.src_port = rte_cpu_to_be_16(t->sport);
	d->udp.hdr.dst_port = rte_cpu_to_be_16(t->dport);
	pat_add(&d->p, RTE_FLOW_ITEM_TYPE_UDP, &d->udp, NULL);
	d->vx.vni[0] = (uint8_t)(t->vni >> 16);
	d->vx.vni[1] = (uint8_t)(t->vni >> 8);
	d->vx.vni[2] = (uint8_t)t->vni;
	d->vx.rsvd0[0] = (uint8_t)(t->rsvd0 >> 16);
	d->vx.rsvd0[1] = (uint8_t)(t->rsvd0 >> 8);
	d->vx.rsvd0[2] = (uint8_t)t->rsvd0;
	pat_add(&d->p, RTE_FLOW_ITEM_TYPE_VXLAN, &d->vx, NULL);
	d->conf.definition = d->p.it;
	return &d->conf;
}

/* MODIFY_FIELD of an immediate value (docs/snic.md value encoding: a
 * big-endian number in the field's ceil(bits / 8) first bytes). */
static inline struct rte_flow_action_modify_field
modify(enum rte_flow_field_id field, enum rte_flow_modify_op op,
       uint32_t value, uint32_t offset, uint32_t width)
{
	struct rte_flow_action_modify_field m = { .operation = op,
						  .width = width };

	m.dst.field = field;
	m.dst.offset = offset;
	m.src.field = RTE_FLOW_FIELD_VALUE;
	if (field == RTE_FLOW_FIELD_VXLAN_RSVD0) {
		m.src.value[0] = (uint8_t)(value >> 16);
		m.src.value[1] = (uint8_t)(value >> 8);
		m.src.value[2] = (uint8_t)value;
	} else {
		m.src.value[0] = (uint8_t)value;
	}
	return m;
}

/* Not inline: inlined into a caller that fills l (test_snic_templates.c
 * l2_fwd), GCC warns a false -Wstringop-overread. */
static __rte_unused struct rte_flow *
create(unsigned int i, const struct rte_flow_attr *attr,
       const struct rte_flow_item *pat, const struct acts *l, int line)
{
	struct rte_flow_error err = {0};
	struct rte_flow *f = rte_flow_create(env.port[i], attr, pat, l->a,
					     &err);

	NF_CHECK(f != NULL);
	if (f == NULL)
		fprintf(stderr, "  line %d: rte_flow_create: %s\n", line,
			err.message ? err.message : "(no message)");
	return f;
}

#define CREATE(i, attr, pat, l) create(i, attr, pat, l, __LINE__)

static const struct rte_flow_attr fwd_attr __rte_unused = { .ingress = 1 };

/* ACL attributes: flow type 3 in attr.reserved (N-4). */
static inline struct rte_flow_attr
acl_attr(bool ingress, uint32_t group)
{
	struct rte_flow_attr a = { .group = group, .ingress = ingress,
				   .egress = !ingress };

	rte_pmd_snic_flow_type_set(&a, RTE_PMD_SNIC_FLOW_TYPE_ACL);
	return a;
}

/* ------------------------------------------------------------ checks */

static inline void
note(int before, int line)
{
	if (nf_test_failed_checks != before)
		fprintf(stderr, "  (checked at line %d)\n", line);
}

static inline void
check_frame(const uint8_t *got, int glen, const struct pk *exp, int line)
{
	int before = nf_test_failed_checks;

	NF_CHECK_EQ(glen, exp->len);
	if (glen == exp->len) {
		NF_CHECK_MEM(got, exp->b, exp->len);
		for (int i = 0; i < glen; i++)
			if (got[i] != exp->b[i]) {
				fprintf(stderr, "  first difference at byte %d: got 0x%02x, want 0x%02x\n",
					i, got[i], exp->b[i]);
				break;
			}
	}
	note(before, line);
}

/*
 * N-6: the IPv4 header checksum and the TCP/UDP checksum of the frame at
 * off verify (rte_ipv4/ipv6_udptcp_cksum_verify); a UDP checksum of 0 is
 * "none" over IPv4. VXLAN: the outer headers (UDP checksum if non-zero),
 * then the inner frame. ICMP and other protocols: IP header only.
 */
static inline bool
csums_ok(const uint8_t *f, int len, int off)
{
	uint16_t type;
	int l3, l4;

	if (off + 14 > len)
		return false;
	type = (uint16_t)(f[off + 12] << 8 | f[off + 13]);
	l3 = off + 14;
	for (int tags = 0; tags < 2 && (type == RTE_ETHER_TYPE_VLAN ||
					type == RTE_ETHER_TYPE_QINQ); tags++) {
		type = (uint16_t)(f[l3 + 2] << 8 | f[l3 + 3]);
		l3 += 4;
	}
	if (type == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)(f + l3);

		if (l3 + 20 > len || rte_ipv4_cksum(ip) != 0)
			return false;
		l4 = l3 + 20;
		if (ip->next_proto_id == IPPROTO_UDP &&
		    f[l4 + 6] == 0 && f[l4 + 7] == 0)
			return f[l4 + 2] == 0x12 && f[l4 + 3] == 0xb5 ?
				csums_ok(f, len, l4 + 16) : true;
		if (ip->next_proto_id != IPPROTO_UDP &&
		    ip->next_proto_id != IPPROTO_TCP)
			return true;
		if (rte_ipv4_udptcp_cksum_verify(ip, f + l4) != 0)
			return false;
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const void *)(f + l3);

		if (l3 + 40 > len)
			return false;
		l4 = l3 + 40;
		if (ip->proto != IPPROTO_UDP && ip->proto != IPPROTO_TCP)
			return true;
		if (ip->proto == IPPROTO_UDP && f[l4 + 6] == 0 &&
		    f[l4 + 7] == 0 && f[l4 + 2] == 0x12 && f[l4 + 3] == 0xb5)
			return csums_ok(f, len, l4 + 16);
		if (rte_ipv6_udptcp_cksum_verify(ip, f + l4) != 0)
			return false;
	} else {
		return false;
	}
	if (f[l3 + (type == RTE_ETHER_TYPE_IPV4 ? 9 : 6)] == IPPROTO_UDP &&
	    f[l4 + 2] == 0x12 && f[l4 + 3] == 0xb5)
		return csums_ok(f, len, l4 + 16);
	return true;
}

/* The next frame sent on wire i is exactly exp [and its checksums
 * verify]. */
static inline void
expect_wire(unsigned int i, const struct pk *exp, bool csum, int line)
{
	uint8_t out[2048] __rte_aligned(8);
	int n = snic_env_wire_read(&env, i, out, sizeof(out));

	NF_CHECK(n >= 0);
	if (n < 0) {
		fprintf(stderr, "  line %d: nothing sent on port %u\n", line,
			i);
		return;
	}
	check_frame(out, n, exp, line);
	if (csum) {
		int before = nf_test_failed_checks;

		NF_CHECK(csums_ok(out, n, 0));
		note(before, line);
	}
}

#define EXPECT_WIRE(i, exp) expect_wire(i, exp, false, __LINE__)
#define EXPECT_WIRE_CSUM(i, exp) expect_wire(i, exp, true, __LINE__)

/* The next frame upcalled on port i is exactly exp, with that tag. */
static inline void
expect_upcall(unsigned int i, const struct pk *exp, uint16_t tag, int line)
{
	uint8_t out[2048] __rte_aligned(8);
	uint16_t got_tag = 0xffff;
	int n = snic_env_upcall_read(&env, i, out, sizeof(out), &got_tag);
	int before = nf_test_failed_checks;

	NF_CHECK(n >= 0);
	if (n < 0) {
		fprintf(stderr, "  line %d: nothing upcalled on port %u\n",
			line, i);
		return;
	}
	check_frame(out, n, exp, line);
	NF_CHECK_EQ(got_tag, tag);
	note(before, line);
}

#define EXPECT_UPCALL(i, exp) expect_upcall(i, exp, 0, __LINE__)

static inline void
check_count(unsigned int i, struct rte_flow *f, uint64_t hits,
	    uint64_t bytes, int reset, int line)
{
	struct rte_flow_query_count q = { .reset = reset };
	struct rte_flow_action qa[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_error err;
	int before = nf_test_failed_checks;

	NF_CHECK_EQ(rte_flow_query(env.port[i], f, qa, &q, &err), 0);
	NF_CHECK(q.hits_set && q.bytes_set);
	NF_CHECK_EQ(q.hits, hits);
	NF_CHECK_EQ(q.bytes, bytes);
	note(before, line);
}

#define CHECK_COUNT(i, f, hits, bytes) \
	check_count(i, f, hits, bytes, 0, __LINE__)

/* Nothing left on any wire nor in any software queue. */
static inline void
expect_quiet(int line)
{
	int before = nf_test_failed_checks;

	for (unsigned int i = 0; i < env.n; i++) {
		NF_CHECK_EQ(snic_env_wire_count(&env, i), 0);
		NF_CHECK_EQ(snic_env_upcall_count(&env, i), 0);
	}
	note(before, line);
}

#define EXPECT_QUIET() expect_quiet(__LINE__)

/* Port i's wire (or VM) sends p, n times; the NIC runs. */
static inline void
send_n(unsigned int i, const struct pk *p, int n)
{
	for (int k = 0; k < n; k++)
		NF_CHECK_EQ(snic_env_inject(&env, i, p->b, p->len), 0);
	snic_env_poll(&env);
}

static inline void
destroy(unsigned int i, struct rte_flow *f)
{
	struct rte_flow_error err;

	if (f != NULL)
		NF_CHECK_EQ(rte_flow_destroy(env.port[i], f, &err), 0);
}

/* Every case starts from an empty switch. */
static inline void
reset(void)
{
	struct rte_flow_error err;
	uint8_t buf[2048];

	for (unsigned int i = 0; i < env.n; i++)
		rte_flow_flush(env.port[i], &err);
	snic_env_poll(&env);
	for (unsigned int i = 0; i < env.n; i++) {
		while (snic_env_wire_read(&env, i, buf, sizeof(buf)) >= 0)
			;
		while (snic_env_upcall_read(&env, i, buf, sizeof(buf),
					    NULL) >= 0)
			;
	}
}

static inline uint64_t
xstat(unsigned int i, const char *name)
{
	return snic_env_xstat(env.port[i], name);
}

/* One NIC iteration (inline mode: one rx_burst), upcalls of port i kept. */
static inline void
poll_once(unsigned int i)
{
	struct rte_mbuf *pkts[32];
	uint16_t n = rte_eth_rx_burst(env.port[i], 0, pkts, 32);

	for (uint16_t j = 0; j < n; j++) {
		if (env.nup[i] < SNIC_ENV_UPQ)
			env.up[i][env.nup[i]++] = pkts[j];
		else
			rte_pktmbuf_free(pkts[j]);
	}
}

/*
 * The check of an item: a rule on port `in` with pattern pat, COUNT and
 * PORT_ID `out`. P[0..nhit-1] are forwarded unchanged and counted,
 * P[nhit..nhit+nmiss-1] reach software on `in` unmodified, uncounted.
 */
static inline void
item_case(const struct rte_flow_attr *attr, unsigned int in, unsigned int out,
	  const struct rte_flow_item *pat, int nhit, int nmiss, int line)
{
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = env.port[out] };
	struct acts l = {0};
	struct rte_flow *r;
	uint64_t bytes = 0;
	int before = nf_test_failed_checks;

	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	r = create(in, attr, pat, &l, line);
	if (r == NULL)
		return;
	for (int k = 0; k < nhit + nmiss; k++) {
		send_n(in, &P[k], 1);
		if (k < nhit) {
			expect_wire(out, &P[k], false, line);
			bytes += P[k].len;
		} else {
			expect_upcall(in, &P[k], 0, line);
		}
		expect_quiet(line);
		if (nf_test_failed_checks != before) {
			fprintf(stderr, "  frame P[%d] (%s)\n", k,
				k < nhit ? "hit" : "miss");
			before = nf_test_failed_checks;
		}
	}
	check_count(in, r, nhit, bytes, 0, line);
	destroy(in, r);
}

#define FWD_CASE(pat, nhit, nmiss) \
	item_case(&fwd_attr, VF0, VF1, pat, nhit, nmiss, __LINE__)

/*
 * The check of an action: a rule on port `in` with pattern pat, actions l
 * (fate included) and COUNT; p sent once leaves port `out` as exp with
 * valid checksums, and is counted once with its received length.
 */
static inline void
act_case(const struct rte_flow_attr *attr, unsigned int in,
	 const struct rte_flow_item *pat, struct acts *l, const struct pk *p,
	 unsigned int out, const struct pk *exp, int line)
{
	struct rte_flow_action_count cnt = {0};
	struct rte_flow *r;

	act(l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	r = create(in, attr, pat, l, line);
	if (r == NULL)
		return;
	send_n(in, p, 1);
	expect_wire(out, exp, true, line);
	expect_quiet(line);
	check_count(in, r, 1, p->len, 0, line);
	destroy(in, r);
}

#define ACT_CASE(in, pat, l, p, out, exp) \
	act_case(&fwd_attr, in, pat, l, p, out, exp, __LINE__)

#endif /* SNIC_CHECK_H */
