/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic against the spec's rte_flow templates, one case per template
 * (spec §7.2-§7.8): packets are injected on the underlying net_ring ports,
 * the frames the NIC sends are compared byte for byte over their full length
 * with frames built independently with pktgen.h, misses must reach the
 * ingress port's software queue unmodified (N-2, N-3), and COUNT counters
 * must be exact in hits and bytes (N-12). Also covered: VXLAN source ports
 * (N-7), both rule layouts (N-8), ACL tags, groups and shared counters (N-9,
 * N-10, N-11) and rte_flow_destroy stopping a flow (N-14).
 *
 * Conventions the expected frames follow (docs/snic.md): the NIC's outer
 * IPv4 header has DF set and TTL 64 (definition TTL 0), outer hop limit 64,
 * outer UDP checksum 0; a rule's counter counts the packet as it matched,
 * i.e. before its own rewrites (encapsulated length for a DECAP rule, inner
 * length for an ENCAP rule).
 *
 * Topology (one switch for the whole program, rules flushed between cases):
 *   index 0 uplink (remote VTEP side), 1 VF0 (VM1), 2 VF1 (VM2/VM4),
 *   3 VF2 (mirror port / VM3 in the ACL cases).
 */

#include "snic_check.h"

#define VM4_MAC "02:00:00:00:00:04"
#define RGW_MAC "02:00:00:00:01:fe"   /* remote node's gateway */
#define COLL_MAC "0a:00:00:00:00:09"   /* mirror collector */

#define VM3_IP "10.0.0.3"
#define VM4_IP "10.1.0.4"   /* other subnet, same node */
#define RVM_IP "10.2.0.5"   /* other subnet, remote node */
#define FIP1 "192.168.100.1" /* VM1's floating IP */
#define COLL_IP "172.16.0.9"
#define RVM_IP6 "fd02::5"
#define FIP1_IP6 "2001:db8::1"

#define VNI_L2 5000
#define VNI_L3 6000
#define SPORT_MIN 49152 /* N-7: RFC 6335 dynamic range */

/* ------------------------------------------------------------ frames */

/*
 * The templates' own packet model (not snic_check.h's flow_desc/tun_desc):
 * IPv4 fragments, outer DF chosen per frame, and VXLAN_ENCAP definitions
 * as spec §7.3.1 lists them (eth type, has_vlan, proto, UDP dst 4789).
 */

/* One (inner) packet: Ethernet, optional 802.1Q tag, IP, TCP or UDP. */
struct tpl_flow {
	const char *dmac;
	const char *smac;
	uint16_t tci;        /* 802.1Q TCI; 0: untagged */
	bool v6;
	const char *sip;
	const char *dip;
	uint8_t proto;       /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t sport;
	uint16_t dport;
	uint8_t flags;       /* TCP flags; 0 stands for PSH|ACK */
	uint8_t ttl;         /* 0 stands for 64 */
	uint16_t frag;       /* IPv4 fragment_offset field, host order */
	bool no_l4;          /* a later fragment: no L4 header */
};

/* Outer headers of a VXLAN packet. */
struct tpl_tun {
	const char *dmac;
	const char *smac;
	bool v6;
	const char *sip;
	const char *dip;
	uint32_t vni;
	uint16_t sport;      /* UDP source port (0 in expected frames) */
	uint16_t tci;        /* underlay 802.1Q TCI; 0: untagged */
};

static void
tpl_put_outer(struct pk *p, const struct tpl_tun *t, bool df)
{
	uint16_t l3 = t->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	struct rte_ipv4_hdr *ip;

	if (t->tci != 0) {
		pk_eth(p, t->dmac, t->smac, RTE_ETHER_TYPE_VLAN);
		pk_vlan(p, t->tci, l3);
	} else {
		pk_eth(p, t->dmac, t->smac, l3);
	}
	if (t->v6) {
		pk_ipv6(p, t->sip, t->dip, IPPROTO_UDP, 64);
	} else {
		ip = pk_ipv4(p, t->sip, t->dip, IPPROTO_UDP, 64);
		/* The NIC's outer IPv4 header has DF (docs/snic.md) */
		if (df)
			ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	}
	pk_udp(p, t->sport, 4789);
	pk_vxlan(p, t->vni);
}

static void
tpl_put_inner(struct pk *p, const struct tpl_flow *f)
{
	uint16_t l3 = f->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	uint8_t ttl = f->ttl ? f->ttl : 64;
	struct rte_ipv4_hdr *ip;

	if (f->tci != 0) {
		pk_eth(p, f->dmac, f->smac, RTE_ETHER_TYPE_VLAN);
		pk_vlan(p, f->tci, l3);
	} else {
		pk_eth(p, f->dmac, f->smac, l3);
	}
	if (f->v6) {
		pk_ipv6(p, f->sip, f->dip, f->proto, ttl);
	} else {
		ip = pk_ipv4(p, f->sip, f->dip, f->proto, ttl);
		ip->fragment_offset = rte_cpu_to_be_16(f->frag);
	}
	if (!f->no_l4) {
		if (f->proto == IPPROTO_TCP)
			pk_tcp(p, f->sport, f->dport,
			       f->flags ? f->flags : TCP_PSH | TCP_ACK);
		else
			pk_udp(p, f->sport, f->dport);
	}
	pk_payload(p, 40);
}

/* A frame: [outer headers /] packet, lengths and checksums filled. */
static void
tpl_build(struct pk *p, const struct tpl_tun *t, bool df,
	  const struct tpl_flow *f)
{
	pk_init(p);
	if (t != NULL)
		tpl_put_outer(p, t, df);
	tpl_put_inner(p, f);
	pk_finish(p);
}

/* ------------------------------------------------------------ rules */

/*
 * Spec §7.2-§7.5 match: ETH src/dst/type (0x8100 + has_vlan for a tagged
 * VM), VLAN tci/inner_type or the spec's all-zero "no VLAN" placeholder,
 * IPV4|IPV6 dst/proto, [TCP tcp_flags FIN|SYN|RST = 0 (§7.7)], VXLAN vni
 * (0: not tunnelled, N-8). Masks are explicit: the templates list values.
 */
struct tpl_pat {
	struct rte_flow_item_eth eth, eth_m;
	struct rte_flow_item_vlan vlan, vlan_m;
	struct rte_flow_item_ipv4 ip4, ip4_m;
	struct rte_flow_item_ipv6 ip6, ip6_m;
	struct rte_flow_item_tcp tcp, tcp_m;
	struct rte_flow_item_vxlan vx, vx_m;
	struct rte_flow_item it[8];
};

static void
vni_bytes(uint8_t *b, uint32_t vni)
{
	b[0] = (uint8_t)(vni >> 16);
	b[1] = (uint8_t)(vni >> 8);
	b[2] = (uint8_t)vni;
}

static const struct rte_flow_item *
tpl_pattern(struct tpl_pat *t, const struct tpl_flow *f, uint32_t vni,
	    bool stateful)
{
	uint16_t l3 = f->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	unsigned int n = 0;

	memset(t, 0, sizeof(*t));
	pk_mac(t->eth.dst.addr_bytes, f->dmac);
	pk_mac(t->eth.src.addr_bytes, f->smac);
	memset(&t->eth_m.dst, 0xff, RTE_ETHER_ADDR_LEN);
	memset(&t->eth_m.src, 0xff, RTE_ETHER_ADDR_LEN);
	t->eth_m.type = RTE_BE16(0xffff);
	if (f->tci != 0) {
		t->eth.type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		t->eth.has_vlan = 1;
		t->eth_m.has_vlan = 1;
		t->vlan.tci = rte_cpu_to_be_16(f->tci);
		t->vlan.inner_type = rte_cpu_to_be_16(l3);
		t->vlan_m.tci = RTE_BE16(0xffff);
		t->vlan_m.inner_type = RTE_BE16(0xffff);
	} else {
		t->eth.type = rte_cpu_to_be_16(l3);
	}
	t->it[n++] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_ETH,
		.spec = &t->eth, .mask = &t->eth_m };
	t->it[n++] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_VLAN,
		.spec = &t->vlan, .mask = f->tci ? &t->vlan_m : NULL };
	if (f->v6) {
		inet_pton(AF_INET6, f->dip, t->ip6.hdr.dst_addr);
		t->ip6.hdr.proto = f->proto;
		memset(t->ip6_m.hdr.dst_addr, 0xff, 16);
		t->ip6_m.hdr.proto = 0xff;
		t->it[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_IPV6,
			.spec = &t->ip6, .mask = &t->ip6_m };
	} else {
		inet_pton(AF_INET, f->dip, &t->ip4.hdr.dst_addr);
		t->ip4.hdr.next_proto_id = f->proto;
		t->ip4_m.hdr.dst_addr = RTE_BE32(0xffffffff);
		t->ip4_m.hdr.next_proto_id = 0xff;
		t->it[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_IPV4,
			.spec = &t->ip4, .mask = &t->ip4_m };
	}
	if (stateful) {
		/* §7.7: tcp_flags bits 0..2 (FIN, SYN, RST) all 0 */
		t->tcp_m.hdr.tcp_flags = TCP_FIN | TCP_SYN | TCP_RST;
		t->it[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_TCP,
			.spec = &t->tcp, .mask = &t->tcp_m };
	}
	vni_bytes(t->vx.vni, vni);
	memset(t->vx_m.vni, 0xff, 3);
	t->it[n++] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_VXLAN,
		.spec = &t->vx, .mask = &t->vx_m };
	t->it[n].type = RTE_FLOW_ITEM_TYPE_END;
	return t->it;
}

/* VXLAN_ENCAP definition ETH / [VLAN] / IPV4|IPV6 / UDP (src 0, dst 4789)
 * / VXLAN, as spec §7.3.1 lists it. */
struct tpl_encap {
	struct rte_flow_item_eth eth;
	struct rte_flow_item_vlan vlan;
	struct rte_flow_item_ipv4 ip4;
	struct rte_flow_item_ipv6 ip6;
	struct rte_flow_item_udp udp;
	struct rte_flow_item_vxlan vx;
	struct rte_flow_item it[6];
	struct rte_flow_action_vxlan_encap conf;
};

static const struct rte_flow_action_vxlan_encap *
tpl_encap_def(struct tpl_encap *d, const struct tpl_tun *t)
{
	uint16_t l3 = t->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	unsigned int n = 0;

	memset(d, 0, sizeof(*d));
	pk_mac(d->eth.dst.addr_bytes, t->dmac);
	pk_mac(d->eth.src.addr_bytes, t->smac);
	d->eth.type = rte_cpu_to_be_16(t->tci ? RTE_ETHER_TYPE_VLAN : l3);
	d->eth.has_vlan = t->tci != 0;
	d->it[n++] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_ETH,
		.spec = &d->eth };
	if (t->tci != 0) {
		d->vlan.tci = rte_cpu_to_be_16(t->tci);
		d->vlan.inner_type = rte_cpu_to_be_16(l3);
		d->it[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_VLAN, .spec = &d->vlan };
	}
	if (t->v6) {
		inet_pton(AF_INET6, t->sip, d->ip6.hdr.src_addr);
		inet_pton(AF_INET6, t->dip, d->ip6.hdr.dst_addr);
		d->ip6.hdr.proto = IPPROTO_UDP;
		d->it[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_IPV6, .spec = &d->ip6 };
	} else {
		inet_pton(AF_INET, t->sip, &d->ip4.hdr.src_addr);
		inet_pton(AF_INET, t->dip, &d->ip4.hdr.dst_addr);
		d->ip4.hdr.next_proto_id = IPPROTO_UDP;
		d->it[n++] = (struct rte_flow_item){
			.type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &d->ip4 };
	}
	d->udp.hdr.src_port = 0; /* N-7: the NIC picks it */
	d->udp.hdr.dst_port = RTE_BE16(4789);
	d->it[n++] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_UDP,
		.spec = &d->udp };
	vni_bytes(d->vx.vni, t->vni);
	d->it[n++] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_VXLAN,
		.spec = &d->vx };
	d->it[n].type = RTE_FLOW_ITEM_TYPE_END;
	d->conf.definition = d->it;
	return &d->conf;
}

/* ------------------------------------------------------------ checks */

/* N-6: IPv4 header and TCP/UDP checksums of the frame at off are valid;
 * an outer VXLAN UDP checksum must be 0 and the inner frame is checked. */
static bool
tpl_csums_ok(const uint8_t *f, int len, int off)
{
	uint16_t type;
	uint8_t proto;
	int l3, l4;

	if (off + 14 > len)
		return false;
	type = (uint16_t)(f[off + 12] << 8 | f[off + 13]);
	l3 = off + 14;
	if (type == RTE_ETHER_TYPE_VLAN) {
		type = (uint16_t)(f[l3 + 2] << 8 | f[l3 + 3]);
		l3 += 4;
	}
	if (type == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)(f + l3);

		if (l3 + 20 > len || rte_ipv4_cksum(ip) != 0)
			return false;
		proto = ip->next_proto_id;
		l4 = l3 + 20;
		if (proto == IPPROTO_UDP && f[l4 + 2] == 0x12 &&
		    f[l4 + 3] == 0xb5)
			return f[l4 + 6] == 0 && f[l4 + 7] == 0 &&
				tpl_csums_ok(f, len, l4 + 16);
		if (rte_be_to_cpu_16(ip->fragment_offset) &
		    (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
			return true;
		return rte_ipv4_udptcp_cksum_verify(ip, f + l4) == 0;
	}
	if (type == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const void *)(f + l3);

		if (l3 + 40 > len)
			return false;
		proto = ip->proto;
		l4 = l3 + 40;
		if (proto == IPPROTO_UDP && f[l4 + 2] == 0x12 &&
		    f[l4 + 3] == 0xb5)
			return f[l4 + 6] == 0 && f[l4 + 7] == 0 &&
				tpl_csums_ok(f, len, l4 + 16);
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
			return true; /* a fragment header: no L4 to check */
		return rte_ipv6_udptcp_cksum_verify(ip, f + l4) == 0;
	}
	return false;
}

/*
 * The next frame on wire i is exp (a VXLAN packet built with outer UDP
 * source port 0) except the source port, which the NIC picks (N-7): in
 * 49152..65535. Checksums must verify. Returns the port, or -1.
 */
static int
expect_encap(unsigned int i, const struct pk *exp, int line)
{
	static struct pk e;
	uint8_t out[2048] __rte_aligned(8);
	int n = snic_env_wire_read(&env, i, out, sizeof(out));
	int uoff = pk_off(exp, PK_UDP, 0);
	int before = nf_test_failed_checks;
	uint16_t sport;

	NF_CHECK(n >= 0);
	if (n < 0) {
		fprintf(stderr, "  line %d: nothing sent on port %u\n", line,
			i);
		return -1;
	}
	NF_CHECK(n >= uoff + 2);
	if (n < uoff + 2)
		return -1;
	sport = (uint16_t)(out[uoff] << 8 | out[uoff + 1]);
	NF_CHECK(sport >= SPORT_MIN);
	e = *exp;
	e.b[uoff] = out[uoff];
	e.b[uoff + 1] = out[uoff + 1];
	check_frame(out, n, &e, line);
	NF_CHECK(tpl_csums_ok(out, n, 0));
	note(before, line);
	return sport;
}

#define EXPECT_ENCAP(i, exp) expect_encap(i, exp, __LINE__)

/* ------------------------------------------------- §7.2 same-node L2 */

/* §7.2, untagged VMs, IPv4: forwarded unchanged, counted, misses upcalled
 * unmodified, destroy stops the flow. */
NF_TEST(test_l2_same_node)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
			       IPPROTO_TCP, 1000, 80 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id out = { .id = env.port[VF1] };
	uint64_t fwd0 = xstat(VF0, "nic_hw_forwarded");
	uint64_t miss0 = xstat(VF0, "miss_no_rule");
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, q;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	send_n(VF0, &p, 3);
	NF_CHECK_EQ(snic_env_wire_count(&env, VF1), 3);
	for (int k = 0; k < 3; k++)
		EXPECT_WIRE(VF1, &p);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 3, 3u * p.len);
	NF_CHECK_EQ(xstat(VF0, "nic_hw_forwarded") - fwd0, 3);

	/* N-2: other destination IP, other protocol: unmodified upcalls */
	f.dip = "10.0.0.9";
	tpl_build(&q, NULL, false, &f);
	send_n(VF0, &q, 1);
	EXPECT_UPCALL(VF0, &q);
	f.dip = VM2_IP;
	f.proto = IPPROTO_UDP;
	tpl_build(&q, NULL, false, &f);
	send_n(VF0, &q, 1);
	EXPECT_UPCALL(VF0, &q);
	EXPECT_QUIET();
	NF_CHECK_EQ(xstat(VF0, "miss_no_rule") - miss0, 2);
	CHECK_COUNT(VF0, r, 3, 3u * p.len);

	/* N-14: after destroy the flow goes to software */
	destroy(VF0, r);
	send_n(VF0, &p, 1);
	EXPECT_UPCALL(VF0, &p);
	EXPECT_QUIET();
}

/* §7.2 with a VLAN-tagged VM: eth type 0x8100 + has_vlan, VLAN tci and
 * inner_type; SET_VLAN_VID / SET_VLAN_PCP rewrite the tag. */
NF_TEST(test_l2_same_node_vlan)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 100, false, VM1_IP, VM2_IP,
			       IPPROTO_UDP, 1000, 53 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_of_set_vlan_vid vid = {
		.vlan_vid = RTE_BE16(200) };
	struct rte_flow_action_of_set_vlan_pcp pcp = { .vlan_pcp = 5 };
	struct rte_flow_action_port_id out = { .id = env.port[VF1] };
	struct tpl_flow g;
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, &vid);
	act(&l, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP, &pcp);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	g = f;
	g.tci = 5u << 13 | 200;
	tpl_build(&e, NULL, false, &g);
	send_n(VF0, &p, 2);
	EXPECT_WIRE(VF1, &e);
	EXPECT_WIRE(VF1, &e);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 2, 2u * p.len);

	/* another VLAN, or untagged: not this rule */
	g = f;
	g.tci = 101;
	tpl_build(&e, NULL, false, &g);
	send_n(VF0, &e, 1);
	EXPECT_UPCALL(VF0, &e);
	g.tci = 0;
	tpl_build(&e, NULL, false, &g);
	send_n(VF0, &e, 1);
	EXPECT_UPCALL(VF0, &e);
	EXPECT_QUIET();
	destroy(VF0, r);
}

/* §7.2 with IPv6 (eth type 0x86dd, IPV6 dst/proto). */
NF_TEST(test_l2_same_node_ipv6)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, true, VM1_IP6, VM2_IP6,
			       IPPROTO_TCP, 1000, 443 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id out = { .id = env.port[VF1] };
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, q;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	send_n(VF0, &p, 2);
	EXPECT_WIRE(VF1, &p);
	EXPECT_WIRE(VF1, &p);
	CHECK_COUNT(VF0, r, 2, 2u * p.len);
	f.dip = "fd00::9";
	tpl_build(&q, NULL, false, &f);
	send_n(VF0, &q, 1);
	EXPECT_UPCALL(VF0, &q);
	EXPECT_QUIET();
	destroy(VF0, r);
	send_n(VF0, &p, 1);
	EXPECT_UPCALL(VF0, &p);
	EXPECT_QUIET();
}

/* -------------------------------------------- §7.3 cross-node L2 */

/* §7.3.1 egress over IPv4: VF → uplink with VXLAN_ENCAP; outer headers
 * exact but the N-7 source port, equal for the packets of one flow. */
NF_TEST(test_l2_cross_node_egress_v4)
{
	struct tpl_flow f = { VM3_MAC, VM1_MAC, 0, false, VM1_IP, VM3_IP,
			       IPPROTO_TCP, 1000, 80 };
	struct tpl_tun tun = { VTEP_R_MAC, VTEP_L_MAC, false, VTEP_L_IP,
				VTEP_R_IP, VNI_L2, 0 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id out = { .id = env.port[UPLINK] };
	struct tpl_encap d;
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;
	int s0;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, tpl_encap_def(&d, &tun));
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	tpl_build(&e, &tun, true, &f);
	send_n(VF0, &p, 3);
	NF_CHECK_EQ(snic_env_wire_count(&env, UPLINK), 3);
	s0 = EXPECT_ENCAP(UPLINK, &e);
	NF_CHECK_EQ(EXPECT_ENCAP(UPLINK, &e), s0);
	NF_CHECK_EQ(EXPECT_ENCAP(UPLINK, &e), s0);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 3, 3u * p.len);

	/* another flow to the same VM (other ports) uses the same rule */
	f.sport = 1001;
	tpl_build(&p, NULL, false, &f);
	tpl_build(&e, &tun, true, &f);
	send_n(VF0, &p, 1);
	EXPECT_ENCAP(UPLINK, &e);
	EXPECT_QUIET();
	destroy(VF0, r);
	send_n(VF0, &p, 1);
	EXPECT_UPCALL(VF0, &p);
	EXPECT_QUIET();
}

/* §7.3.1 egress of a VLAN-tagged VM over IPv6: POP_VLAN then VXLAN_ENCAP
 * with an ETH / IPV6 / UDP / VXLAN definition. */
NF_TEST(test_l2_cross_node_egress_vlan_v6)
{
	struct tpl_flow f = { VM3_MAC, VM1_MAC, 100, false, VM1_IP, VM3_IP,
			       IPPROTO_UDP, 1000, 53 };
	struct tpl_tun tun = { VTEP_R_MAC, VTEP_L_MAC, true, VTEP_L_IP6,
				VTEP_R_IP6, VNI_L2, 0 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id out = { .id = env.port[UPLINK] };
	struct tpl_encap d;
	struct tpl_flow g;
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;
	int s0;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, tpl_encap_def(&d, &tun));
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	g = f;
	g.tci = 0;
	tpl_build(&e, &tun, true, &g);
	send_n(VF0, &p, 2);
	s0 = EXPECT_ENCAP(UPLINK, &e);
	NF_CHECK_EQ(EXPECT_ENCAP(UPLINK, &e), s0);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 2, 2u * p.len);
	destroy(VF0, r);
}

/* §7.3.1 with the ETH / VLAN / IPV4 / UDP / VXLAN definition: a tagged
 * underlay; the VM's own tag is popped (POP_VLAN) first. */
NF_TEST(test_l2_cross_node_egress_outer_vlan)
{
	struct tpl_flow f = { VM3_MAC, VM1_MAC, 100, false, VM1_IP, VM3_IP,
			       IPPROTO_TCP, 1000, 80 };
	struct tpl_tun tun = { VTEP_R_MAC, VTEP_L_MAC, false, VTEP_L_IP,
				VTEP_R_IP, VNI_L2, 0, 4u << 13 | 300 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id out = { .id = env.port[UPLINK] };
	struct tpl_encap d;
	struct tpl_flow g;
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, tpl_encap_def(&d, &tun));
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	g = f;
	g.tci = 0;
	tpl_build(&e, &tun, true, &g);
	send_n(VF0, &p, 1);
	EXPECT_ENCAP(UPLINK, &e);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 1, p.len);
	destroy(VF0, r);
}

/* §7.3.2 ingress: uplink VXLAN packet, spec layout ETH (inner MACs) /
 * VLAN placeholder / IPV4 dst / VXLAN vni → VXLAN_DECAP, COUNT, [PUSH_VLAN,
 * SET_VID, SET_PCP for a trunk VM], PORT_ID; non-matching VNI or IP are
 * upcalled on the uplink with their VXLAN header (N-2). */
NF_TEST(test_l2_cross_node_ingress)
{
	struct tpl_flow f1 = { VM1_MAC, VM3_MAC, 0, false, VM3_IP, VM1_IP,
				IPPROTO_TCP, 80, 1000 };
	struct tpl_flow f2 = { VM2_MAC, VM3_MAC, 0, false, VM3_IP, VM2_IP,
				IPPROTO_UDP, 53, 1000 };
	struct tpl_tun tun = { VTEP_L_MAC, VTEP_R_MAC, false, VTEP_R_IP,
				VTEP_L_IP, VNI_L2, 51000 };
	struct tpl_tun tun6 = { VTEP_L_MAC, VTEP_R_MAC, true, VTEP_R_IP6,
				 VTEP_L_IP6, VNI_L2, 51001 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id to_vf0 = { .id = env.port[VF0] };
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[VF1] };
	struct rte_flow_action_of_push_vlan push = {
		.ethertype = RTE_BE16(RTE_ETHER_TYPE_VLAN) };
	struct rte_flow_action_of_set_vlan_vid vid = {
		.vlan_vid = RTE_BE16(100) };
	struct rte_flow_action_of_set_vlan_pcp pcp = { .vlan_pcp = 3 };
	struct tpl_pat t1, t2;
	struct acts l1 = {0}, l2 = {0};
	struct rte_flow *r1, *r2;
	struct tpl_flow g;
	struct tpl_tun u;
	struct pk p, p6, e;
	uint64_t b1;

	reset();
	act(&l1, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	act(&l1, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l1, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf0);
	r1 = CREATE(UPLINK, &fwd_attr, tpl_pattern(&t1, &f1, VNI_L2, false),
		    &l1);
	/* VM2 is on a trunk port: the NIC tags what it delivers */
	act(&l2, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	act(&l2, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l2, RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN, &push);
	act(&l2, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, &vid);
	act(&l2, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP, &pcp);
	act(&l2, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1);
	r2 = CREATE(UPLINK, &fwd_attr, tpl_pattern(&t2, &f2, VNI_L2, false),
		    &l2);
	if (r1 == NULL || r2 == NULL)
		return;

	tpl_build(&p, &tun, false, &f1);
	tpl_build(&e, NULL, false, &f1);
	send_n(UPLINK, &p, 2);
	EXPECT_WIRE(VF0, &e);
	EXPECT_WIRE(VF0, &e);
	EXPECT_QUIET();
	/* the outer version is not part of the template: IPv6 outer too */
	tpl_build(&p6, &tun6, false, &f1);
	send_n(UPLINK, &p6, 1);
	EXPECT_WIRE(VF0, &e);
	EXPECT_QUIET();
	b1 = 2u * p.len + p6.len;
	CHECK_COUNT(UPLINK, r1, 3, b1);

	tpl_build(&p, &tun, false, &f2);
	g = f2;
	g.tci = 3u << 13 | 100;
	tpl_build(&e, NULL, false, &g);
	send_n(UPLINK, &p, 1);
	EXPECT_WIRE(VF1, &e);
	EXPECT_QUIET();
	CHECK_COUNT(UPLINK, r2, 1, p.len);

	/* other VNI, other destination IP, no tunnel: software */
	u = tun;
	u.vni = VNI_L2 + 1;
	tpl_build(&p, &u, false, &f1);
	send_n(UPLINK, &p, 1);
	EXPECT_UPCALL(UPLINK, &p);
	g = f1;
	g.dip = "10.0.0.9";
	tpl_build(&p, &tun, false, &g);
	send_n(UPLINK, &p, 1);
	EXPECT_UPCALL(UPLINK, &p);
	tpl_build(&p, NULL, false, &f1);
	send_n(UPLINK, &p, 1);
	EXPECT_UPCALL(UPLINK, &p);
	EXPECT_QUIET();
	CHECK_COUNT(UPLINK, r1, 3, b1);

	destroy(UPLINK, r1);
	tpl_build(&p, &tun, false, &f1);
	send_n(UPLINK, &p, 1);
	EXPECT_UPCALL(UPLINK, &p);
	EXPECT_QUIET();
	destroy(UPLINK, r2);
}

/* -------------------------------------------- §7.4 same-node L3 */

/* §7.4 with a floating IP: forward flow SET_IPV4_SRC (FIP), reverse flow
 * SET_IPV4_DST (VM IP); MACs rewritten, TTL decremented, checksums valid;
 * a TTL-1 packet goes to software unmodified (V-3). */
NF_TEST(test_l3_same_node_fip)
{
	struct tpl_flow fw = { GW_MAC, VM1_MAC, 0, false, VM1_IP, VM4_IP,
				IPPROTO_TCP, 1000, 80 };
	struct tpl_flow rv = { GW_MAC, VM4_MAC, 0, false, VM4_IP, FIP1,
				IPPROTO_UDP, 53, 1000 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_mac gw = {0}, vm4 = {0}, vm1 = {0};
	struct rte_flow_action_set_ipv4 fip = {0}, vm1ip = {0};
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[VF1] };
	struct rte_flow_action_port_id to_vf0 = { .id = env.port[VF0] };
	uint64_t ttl0 = xstat(VF0, "miss_ttl");
	struct tpl_pat t1, t2;
	struct acts l1 = {0}, l2 = {0};
	struct rte_flow *r1, *r2;
	struct tpl_flow g;
	struct pk p, e;
	uint8_t out[2048] __rte_aligned(8);
	int n;

	reset();
	pk_mac(gw.mac_addr, GW_MAC);
	pk_mac(vm4.mac_addr, VM4_MAC);
	pk_mac(vm1.mac_addr, VM1_MAC);
	inet_pton(AF_INET, FIP1, &fip.ipv4_addr);
	inet_pton(AF_INET, VM1_IP, &vm1ip.ipv4_addr);
	act(&l1, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l1, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &gw);
	act(&l1, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &vm4);
	act(&l1, RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC, &fip);
	act(&l1, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	act(&l1, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1);
	r1 = CREATE(VF0, &fwd_attr, tpl_pattern(&t1, &fw, 0, false), &l1);
	act(&l2, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l2, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &gw);
	act(&l2, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &vm1);
	act(&l2, RTE_FLOW_ACTION_TYPE_SET_IPV4_DST, &vm1ip);
	act(&l2, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	act(&l2, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf0);
	r2 = CREATE(VF1, &fwd_attr, tpl_pattern(&t2, &rv, 0, false), &l2);
	if (r1 == NULL || r2 == NULL)
		return;

	/* forward: VM1 → VM4, source NATed to the FIP */
	tpl_build(&p, NULL, false, &fw);
	g = fw;
	g.dmac = VM4_MAC;
	g.smac = GW_MAC;
	g.sip = FIP1;
	g.ttl = 63;
	tpl_build(&e, NULL, false, &g);
	send_n(VF0, &p, 2);
	n = snic_env_wire_read(&env, VF1, out, sizeof(out));
	check_frame(out, n, &e, __LINE__);
	NF_CHECK(n > 0 && tpl_csums_ok(out, n, 0));
	EXPECT_WIRE(VF1, &e);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r1, 2, 2u * p.len);

	/* reverse: VM4 → FIP, destination back to VM1 */
	tpl_build(&p, NULL, false, &rv);
	g = rv;
	g.dmac = VM1_MAC;
	g.smac = GW_MAC;
	g.dip = VM1_IP;
	g.ttl = 63;
	tpl_build(&e, NULL, false, &g);
	send_n(VF1, &p, 1);
	n = snic_env_wire_read(&env, VF0, out, sizeof(out));
	check_frame(out, n, &e, __LINE__);
	NF_CHECK(n > 0 && tpl_csums_ok(out, n, 0));
	EXPECT_QUIET();
	CHECK_COUNT(VF1, r2, 1, p.len);

	/* TTL 1 would expire: software answers it, unmodified, uncounted */
	g = fw;
	g.ttl = 1;
	tpl_build(&p, NULL, false, &g);
	send_n(VF0, &p, 1);
	EXPECT_UPCALL(VF0, &p);
	EXPECT_QUIET();
	NF_CHECK_EQ(xstat(VF0, "miss_ttl") - ttl0, 1);
	tpl_build(&p, NULL, false, &fw);
	CHECK_COUNT(VF0, r1, 2, 2u * p.len);
	destroy(VF0, r1);
	destroy(VF1, r2);
}

/* §7.4 between VLAN-tagged VMs (eth type 0x8100): SET_VLAN_VID/PCP give
 * the destination VM's tag next to the MAC and FIP rewrites. */
NF_TEST(test_l3_same_node_vlan)
{
	struct tpl_flow f = { GW_MAC, VM1_MAC, 100, false, VM1_IP, VM4_IP,
			       IPPROTO_UDP, 1000, 53 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_mac gw = {0}, vm4 = {0};
	struct rte_flow_action_set_ipv4 fip = {0};
	struct rte_flow_action_of_set_vlan_vid vid = {
		.vlan_vid = RTE_BE16(200) };
	struct rte_flow_action_of_set_vlan_pcp pcp = { .vlan_pcp = 2 };
	struct rte_flow_action_port_id out = { .id = env.port[VF1] };
	struct tpl_flow g;
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;
	uint8_t buf[2048] __rte_aligned(8);
	int n;

	reset();
	pk_mac(gw.mac_addr, GW_MAC);
	pk_mac(vm4.mac_addr, VM4_MAC);
	inet_pton(AF_INET, FIP1, &fip.ipv4_addr);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &gw);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &vm4);
	act(&l, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, &vid);
	act(&l, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP, &pcp);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC, &fip);
	act(&l, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	g = f;
	g.dmac = VM4_MAC;
	g.smac = GW_MAC;
	g.tci = 2u << 13 | 200;
	g.sip = FIP1;
	g.ttl = 63;
	tpl_build(&e, NULL, false, &g);
	send_n(VF0, &p, 1);
	n = snic_env_wire_read(&env, VF1, buf, sizeof(buf));
	check_frame(buf, n, &e, __LINE__);
	NF_CHECK(n > 0 && tpl_csums_ok(buf, n, 0));
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 1, p.len);
	destroy(VF0, r);
}

/* -------------------------------------------- §7.5 cross-node L3 */

/* §7.5.1 egress: POP_VLAN, MACs, SET_IPV4_SRC (FIP), VXLAN_ENCAP, DEC_TTL,
 * PORT_ID uplink, DEC_TTL again as the spec lists it: the rewrites act on
 * the inner packet and the TTL drops by one. */
NF_TEST(test_l3_cross_node_egress)
{
	struct tpl_flow f = { GW_MAC, VM1_MAC, 100, false, VM1_IP, RVM_IP,
			       IPPROTO_UDP, 1000, 53 };
	struct tpl_tun tun = { VTEP_R_MAC, VTEP_L_MAC, false, VTEP_L_IP,
				VTEP_R_IP, VNI_L3, 0 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_mac gw = {0}, rgw = {0};
	struct rte_flow_action_set_ipv4 fip = {0};
	struct rte_flow_action_port_id out = { .id = env.port[UPLINK] };
	struct tpl_encap d;
	struct tpl_flow g;
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;
	int s0;

	reset();
	pk_mac(gw.mac_addr, GW_MAC);
	pk_mac(rgw.mac_addr, RGW_MAC);
	inet_pton(AF_INET, FIP1, &fip.ipv4_addr);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &gw);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &rgw);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC, &fip);
	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, tpl_encap_def(&d, &tun));
	act(&l, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	act(&l, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	g = f;
	g.tci = 0;
	g.dmac = RGW_MAC;
	g.smac = GW_MAC;
	g.sip = FIP1;
	g.ttl = 63;
	tpl_build(&e, &tun, true, &g);
	send_n(VF0, &p, 2);
	s0 = EXPECT_ENCAP(UPLINK, &e);
	NF_CHECK_EQ(EXPECT_ENCAP(UPLINK, &e), s0);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 2, 2u * p.len);
	destroy(VF0, r);
	send_n(VF0, &p, 1);
	EXPECT_UPCALL(VF0, &p);
	EXPECT_QUIET();
}

/* §7.5.2 ingress: VXLAN_DECAP, COUNT, MACs, SET_IPV4_DST (FIP → VM IP),
 * DEC_TTL, PORT_ID; the delivered frame is the rewritten inner one. */
NF_TEST(test_l3_cross_node_ingress)
{
	struct tpl_flow f = { GW_MAC, RGW_MAC, 0, false, RVM_IP, FIP1,
			       IPPROTO_TCP, 80, 1000 };
	struct tpl_tun tun = { VTEP_L_MAC, VTEP_R_MAC, false, VTEP_R_IP,
				VTEP_L_IP, VNI_L3, 52000 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_mac gw = {0}, vm1 = {0};
	struct rte_flow_action_set_ipv4 vm1ip = {0};
	struct rte_flow_action_port_id out = { .id = env.port[VF0] };
	struct tpl_flow g;
	struct tpl_tun u;
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;
	uint8_t buf[2048] __rte_aligned(8);
	int n;

	reset();
	pk_mac(gw.mac_addr, GW_MAC);
	pk_mac(vm1.mac_addr, VM1_MAC);
	inet_pton(AF_INET, VM1_IP, &vm1ip.ipv4_addr);
	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &gw);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &vm1);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_IPV4_DST, &vm1ip);
	act(&l, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(UPLINK, &fwd_attr, tpl_pattern(&t, &f, VNI_L3, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, &tun, false, &f);
	g = f;
	g.dmac = VM1_MAC;
	g.smac = GW_MAC;
	g.dip = VM1_IP;
	g.ttl = 63;
	tpl_build(&e, NULL, false, &g);
	send_n(UPLINK, &p, 2);
	n = snic_env_wire_read(&env, VF0, buf, sizeof(buf));
	check_frame(buf, n, &e, __LINE__);
	NF_CHECK(n > 0 && tpl_csums_ok(buf, n, 0));
	EXPECT_WIRE(VF0, &e);
	EXPECT_QUIET();
	CHECK_COUNT(UPLINK, r, 2, 2u * p.len);

	/* the L2 VNI is not the L3 one */
	u = tun;
	u.vni = VNI_L2;
	tpl_build(&e, &u, false, &f);
	send_n(UPLINK, &e, 1);
	EXPECT_UPCALL(UPLINK, &e);
	EXPECT_QUIET();
	destroy(UPLINK, r);
}

/* §7.5 with IPv6 inner packets: SET_IPV6_SRC on egress (TCP, encap over
 * an IPv6 underlay), SET_IPV6_DST on ingress (UDP, IPv4 underlay); hop
 * limit decremented once, L4 checksums valid. */
NF_TEST(test_l3_cross_node_ipv6)
{
	struct tpl_flow fe = { GW_MAC, VM1_MAC, 0, true, VM1_IP6, RVM_IP6,
				IPPROTO_TCP, 1000, 80 };
	struct tpl_flow fi = { GW_MAC, RGW_MAC, 0, true, RVM_IP6, FIP1_IP6,
				IPPROTO_UDP, 53, 1000 };
	struct tpl_tun te = { VTEP_R_MAC, VTEP_L_MAC, true, VTEP_L_IP6,
			       VTEP_R_IP6, VNI_L3, 0 };
	struct tpl_tun ti = { VTEP_L_MAC, VTEP_R_MAC, false, VTEP_R_IP,
			       VTEP_L_IP, VNI_L3, 52001 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_mac gw = {0}, rgw = {0}, vm1 = {0};
	struct rte_flow_action_set_ipv6 fip = {{0}}, vm1ip = {{0}};
	struct rte_flow_action_port_id to_up = { .id = env.port[UPLINK] };
	struct rte_flow_action_port_id to_vf0 = { .id = env.port[VF0] };
	struct tpl_encap d;
	struct tpl_flow g;
	struct tpl_pat t1, t2;
	struct acts l1 = {0}, l2 = {0};
	struct rte_flow *r1, *r2;
	struct pk p, e;
	uint8_t buf[2048] __rte_aligned(8);
	int n;

	reset();
	pk_mac(gw.mac_addr, GW_MAC);
	pk_mac(rgw.mac_addr, RGW_MAC);
	pk_mac(vm1.mac_addr, VM1_MAC);
	inet_pton(AF_INET6, FIP1_IP6, fip.ipv6_addr);
	inet_pton(AF_INET6, VM1_IP6, vm1ip.ipv6_addr);
	act(&l1, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l1, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &gw);
	act(&l1, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &rgw);
	act(&l1, RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC, &fip);
	act(&l1, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, tpl_encap_def(&d, &te));
	act(&l1, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	act(&l1, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_up);
	act(&l1, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	r1 = CREATE(VF0, &fwd_attr, tpl_pattern(&t1, &fe, 0, false), &l1);
	act(&l2, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	act(&l2, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l2, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &gw);
	act(&l2, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &vm1);
	act(&l2, RTE_FLOW_ACTION_TYPE_SET_IPV6_DST, &vm1ip);
	act(&l2, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	act(&l2, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf0);
	r2 = CREATE(UPLINK, &fwd_attr, tpl_pattern(&t2, &fi, VNI_L3, false),
		    &l2);
	if (r1 == NULL || r2 == NULL)
		return;

	tpl_build(&p, NULL, false, &fe);
	g = fe;
	g.dmac = RGW_MAC;
	g.smac = GW_MAC;
	g.sip = FIP1_IP6;
	g.ttl = 63;
	tpl_build(&e, &te, true, &g);
	send_n(VF0, &p, 1);
	EXPECT_ENCAP(UPLINK, &e);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r1, 1, p.len);

	tpl_build(&p, &ti, false, &fi);
	g = fi;
	g.dmac = VM1_MAC;
	g.smac = GW_MAC;
	g.dip = VM1_IP6;
	g.ttl = 63;
	tpl_build(&e, NULL, false, &g);
	send_n(UPLINK, &p, 1);
	n = snic_env_wire_read(&env, VF0, buf, sizeof(buf));
	check_frame(buf, n, &e, __LINE__);
	NF_CHECK(n > 0 && tpl_csums_ok(buf, n, 0));
	EXPECT_QUIET();
	CHECK_COUNT(UPLINK, r2, 1, p.len);
	destroy(VF0, r1);
	destroy(UPLINK, r2);
}

/* ------------------------------------------------ §7.6 mirroring */

/* §7.6 local mirror: SAMPLE ratio 1 / PORT_ID to a third port. The mirror
 * port gets the frame as received, the destination the rewritten one. */
NF_TEST(test_mirror_local)
{
	struct tpl_flow f = { GW_MAC, VM1_MAC, 0, false, VM1_IP, VM4_IP,
			       IPPROTO_TCP, 1000, 80 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_mac gw = {0}, vm4 = {0};
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[VF1] };
	struct rte_flow_action_port_id to_vf2 = { .id = env.port[VF2] };
	struct rte_flow_action sub[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_PORT_ID, .conf = &to_vf2 },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action_sample smp = { .ratio = 1, .actions = sub };
	struct tpl_flow g;
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;

	reset();
	pk_mac(gw.mac_addr, GW_MAC);
	pk_mac(vm4.mac_addr, VM4_MAC);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &gw);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &vm4);
	act(&l, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1);
	act(&l, RTE_FLOW_ACTION_TYPE_SAMPLE, &smp);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	g = f;
	g.dmac = VM4_MAC;
	g.smac = GW_MAC;
	g.ttl = 63;
	tpl_build(&e, NULL, false, &g);
	send_n(VF0, &p, 3);
	NF_CHECK_EQ(snic_env_wire_count(&env, VF1), 3);
	NF_CHECK_EQ(snic_env_wire_count(&env, VF2), 3);
	for (int k = 0; k < 3; k++) {
		EXPECT_WIRE(VF1, &e);
		EXPECT_WIRE(VF2, &p);
	}
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 3, 3u * p.len);
	destroy(VF0, r);
	send_n(VF0, &p, 1);
	EXPECT_UPCALL(VF0, &p);
	EXPECT_QUIET();
}

/* §7.6 on a §7.3.2 ingress rule: the mirror copy is taken before
 * VXLAN_DECAP, so the mirror port sees the VXLAN packet as received. */
NF_TEST(test_mirror_local_decap)
{
	struct tpl_flow f = { VM1_MAC, VM3_MAC, 0, false, VM3_IP, VM1_IP,
			       IPPROTO_TCP, 80, 1000 };
	struct tpl_tun tun = { VTEP_L_MAC, VTEP_R_MAC, false, VTEP_R_IP,
				VTEP_L_IP, VNI_L2, 51000 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id to_vf0 = { .id = env.port[VF0] };
	struct rte_flow_action_port_id to_vf2 = { .id = env.port[VF2] };
	struct rte_flow_action sub[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_PORT_ID, .conf = &to_vf2 },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action_sample smp = { .ratio = 1, .actions = sub };
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf0);
	act(&l, RTE_FLOW_ACTION_TYPE_SAMPLE, &smp);
	r = CREATE(UPLINK, &fwd_attr, tpl_pattern(&t, &f, VNI_L2, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, &tun, false, &f);
	tpl_build(&e, NULL, false, &f);
	send_n(UPLINK, &p, 1);
	EXPECT_WIRE(VF0, &e);
	EXPECT_WIRE(VF2, &p);
	EXPECT_QUIET();
	CHECK_COUNT(UPLINK, r, 1, p.len);
	destroy(UPLINK, r);
}

/* §7.6 remote mirror: SAMPLE with VXLAN_ENCAP + PORT_ID uplink; the uplink
 * gets the original frame encapsulated towards the collector. */
NF_TEST(test_mirror_remote)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
			       IPPROTO_UDP, 1000, 53 };
	struct tpl_tun coll = { COLL_MAC, VTEP_L_MAC, false, VTEP_L_IP,
				 COLL_IP, 9999, 0 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[VF1] };
	struct rte_flow_action_port_id to_up = { .id = env.port[UPLINK] };
	struct tpl_encap d;
	struct rte_flow_action sub[3];
	struct rte_flow_action_sample smp = { .ratio = 1, .actions = sub };
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	struct pk p, e;
	int s0;

	reset();
	memset(sub, 0, sizeof(sub));
	sub[0].type = RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP;
	sub[0].conf = tpl_encap_def(&d, &coll);
	sub[1].type = RTE_FLOW_ACTION_TYPE_PORT_ID;
	sub[1].conf = &to_up;
	sub[2].type = RTE_FLOW_ACTION_TYPE_END;
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1);
	act(&l, RTE_FLOW_ACTION_TYPE_SAMPLE, &smp);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, false), &l);
	if (r == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	tpl_build(&e, &coll, true, &f);
	send_n(VF0, &p, 2);
	EXPECT_WIRE(VF1, &p);
	EXPECT_WIRE(VF1, &p);
	s0 = EXPECT_ENCAP(UPLINK, &e);
	NF_CHECK_EQ(EXPECT_ENCAP(UPLINK, &e), s0);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 2, 2u * p.len);
	destroy(VF0, r);
}

/* ------------------------------------------------ §7.7 security groups */

/* §7.7.2 stateless: DROP; counted, nothing out, xstat drop_rule. */
NF_TEST(test_sg_stateless_drop)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
			       IPPROTO_TCP, 1000, 22 };
	struct tpl_flow f2 = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
				IPPROTO_UDP, 1000, 161 };
	struct rte_flow_action_count cnt = {0};
	uint64_t drop0 = xstat(VF0, "drop_rule");
	struct tpl_pat t1, t2;
	struct acts l1 = {0}, l2 = {0};
	struct rte_flow *r1, *r2;
	struct pk p;

	reset();
	act(&l1, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l1, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	r1 = CREATE(VF0, &fwd_attr, tpl_pattern(&t1, &f, 0, false), &l1);
	/* exactly the spec's template: DROP alone */
	act(&l2, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	r2 = CREATE(VF0, &fwd_attr, tpl_pattern(&t2, &f2, 0, false), &l2);
	if (r1 == NULL || r2 == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	send_n(VF0, &p, 4);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r1, 4, 4u * p.len);
	tpl_build(&p, NULL, false, &f2);
	send_n(VF0, &p, 2);
	EXPECT_QUIET();
	NF_CHECK_EQ(xstat(VF0, "drop_rule") - drop0, 6);
	destroy(VF0, r1);
	destroy(VF0, r2);
}

/* §7.7.1 stateful: tcp_flags spec 0 mask 0x07. Data packets (ACK, PSH)
 * are forwarded; SYN, FIN and RST reach software unmodified (V-5). */
NF_TEST(test_sg_stateful_tcp_flags)
{
	static const uint8_t fwd[] = { TCP_ACK, TCP_PSH | TCP_ACK, TCP_PSH };
	static const uint8_t sw[] = { TCP_SYN, TCP_SYN | TCP_ACK,
		TCP_FIN | TCP_ACK, TCP_RST, TCP_RST | TCP_ACK, TCP_FIN };
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
			       IPPROTO_TCP, 40000, 80 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id out = { .id = env.port[VF1] };
	struct tpl_pat t;
	struct acts l = {0};
	struct rte_flow *r;
	uint64_t bytes = 0;
	struct pk p;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	r = CREATE(VF0, &fwd_attr, tpl_pattern(&t, &f, 0, true), &l);
	if (r == NULL)
		return;
	for (unsigned int k = 0; k < RTE_DIM(fwd); k++) {
		f.flags = fwd[k];
		tpl_build(&p, NULL, false, &f);
		send_n(VF0, &p, 1);
		EXPECT_WIRE(VF1, &p);
		EXPECT_QUIET();
		bytes += p.len;
	}
	for (unsigned int k = 0; k < RTE_DIM(sw); k++) {
		f.flags = sw[k];
		tpl_build(&p, NULL, false, &f);
		send_n(VF0, &p, 1);
		EXPECT_UPCALL(VF0, &p);
		EXPECT_QUIET();
	}
	CHECK_COUNT(VF0, r, RTE_DIM(fwd), bytes);
	destroy(VF0, r);
}

/* ------------------------------------------------------ §7.8 ACL */

/* §7.2 forwarding rule VF0 → port `to` for f's destination and protocol. */
static struct rte_flow *
l2_fwd(struct tpl_pat *t, struct acts *l,
       struct rte_flow_action_port_id *pid, const struct tpl_flow *f,
       unsigned int to)
{
	memset(l, 0, sizeof(*l));
	pid->id = env.port[to];
	act(l, RTE_FLOW_ACTION_TYPE_PORT_ID, pid);
	return CREATE(VF0, &fwd_attr, tpl_pattern(t, f, 0, false), l);
}

/* Ingress ACL pattern: IPv4 source address. */
struct acl_src {
	struct rte_flow_item_ipv4 ip, ip_m;
	struct rte_flow_item it[2];
};

static const struct rte_flow_item *
acl_src_pattern(struct acl_src *a, const char *src)
{
	memset(a, 0, sizeof(*a));
	inet_pton(AF_INET, src, &a->ip.hdr.src_addr);
	a->ip_m.hdr.src_addr = RTE_BE32(0xffffffff);
	a->it[0] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_IPV4,
		.spec = &a->ip, .mask = &a->ip_m };
	a->it[1].type = RTE_FLOW_ITEM_TYPE_END;
	return a->it;
}

/* TAG index 1 data 0x5a (N-10). */
static const struct rte_flow_item_tag tag_spec = { .data = 0x5a, .index = 1 };
static const struct rte_flow_item_tag tag_mask = { .data = 0xff,
						   .index = 0xff };
static const struct rte_flow_item tag_pattern[] = {
	{ .type = RTE_FLOW_ITEM_TYPE_TAG, .spec = &tag_spec,
	  .mask = &tag_mask },
	{ .type = RTE_FLOW_ITEM_TYPE_END },
};

/* §7.8: ingress ACL SET_TAG + COUNT on VF0; egress ACLs on VF1 and VF2
 * match the tag and count through one INDIRECT COUNT handle (N-11); the
 * forwarded packets are counted at both, untagged ones at neither. */
NF_TEST(test_acl_tag_shared_count)
{
	struct tpl_flow f1 = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
				IPPROTO_TCP, 1000, 80 };
	struct tpl_flow f2 = { VM3_MAC, VM1_MAC, 0, false, VM1_IP, VM3_IP,
				IPPROTO_TCP, 1000, 80 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_tag st = { .data = 0x5a, .mask = 0xff,
					      .index = 1 };
	struct rte_flow_action cnt_act = { .type = RTE_FLOW_ACTION_TYPE_COUNT,
					   .conf = &cnt };
	struct rte_flow_indir_action_conf hconf = { .egress = 1 };
	struct rte_flow_attr in0 = acl_attr(true, 0);
	struct rte_flow_attr out0 = acl_attr(false, 0);
	struct rte_flow_action_port_id pid1, pid2;
	struct rte_flow_action_handle *h;
	struct rte_flow_query_count q = { .reset = 0 };
	struct rte_flow_error err;
	struct tpl_pat t1, t2;
	struct acl_src as;
	struct acts l1, l2, la = {0}, le = {0};
	struct rte_flow *fw1, *fw2, *ain, *aout1, *aout2;
	struct tpl_flow g;
	struct pk p1, p2, p3;

	reset();
	fw1 = l2_fwd(&t1, &l1, &pid1, &f1, VF1);
	fw2 = l2_fwd(&t2, &l2, &pid2, &f2, VF2);
	act(&la, RTE_FLOW_ACTION_TYPE_SET_TAG, &st);
	act(&la, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	ain = CREATE(VF0, &in0, acl_src_pattern(&as, VM1_IP), &la);
	h = rte_flow_action_handle_create(env.port[VF1], &hconf, &cnt_act,
					  &err);
	NF_CHECK(h != NULL);
	if (fw1 == NULL || fw2 == NULL || ain == NULL || h == NULL)
		return;
	act(&le, RTE_FLOW_ACTION_TYPE_INDIRECT, h);
	aout1 = CREATE(VF1, &out0, tag_pattern, &le);
	aout2 = CREATE(VF2, &out0, tag_pattern, &le);
	if (aout1 == NULL || aout2 == NULL)
		return;

	tpl_build(&p1, NULL, false, &f1);
	tpl_build(&p2, NULL, false, &f2);
	send_n(VF0, &p1, 3);
	send_n(VF0, &p2, 2);
	for (int k = 0; k < 3; k++)
		EXPECT_WIRE(VF1, &p1); /* the tag is metadata only */
	EXPECT_WIRE(VF2, &p2);
	EXPECT_WIRE(VF2, &p2);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, ain, 5, 3u * p1.len + 2u * p2.len);
	NF_CHECK_EQ(rte_flow_action_handle_query(env.port[VF1], h, &q, &err),
		    0);
	NF_CHECK_EQ(q.hits, 5);
	NF_CHECK_EQ(q.bytes, 3u * p1.len + 2u * p2.len);
	/* either rule's query reads the shared counter */
	CHECK_COUNT(VF2, aout2, 5, 3u * p1.len + 2u * p2.len);

	/* another source: not tagged, forwarded, counted nowhere */
	g = f1;
	g.sip = "10.0.0.7";
	tpl_build(&p3, NULL, false, &g);
	send_n(VF0, &p3, 1);
	EXPECT_WIRE(VF1, &p3);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, ain, 5, 3u * p1.len + 2u * p2.len);
	q.reset = 1;
	NF_CHECK_EQ(rte_flow_action_handle_query(env.port[VF1], h, &q, &err),
		    0);
	NF_CHECK_EQ(q.hits, 5);
	q.reset = 0;
	NF_CHECK_EQ(rte_flow_action_handle_query(env.port[VF1], h, &q, &err),
		    0);
	NF_CHECK_EQ(q.hits, 0);

	/* N-11: a handle in use cannot go; after its rules, it can */
	NF_CHECK(rte_flow_action_handle_destroy(env.port[VF1], h, &err) != 0);
	destroy(VF1, aout1);
	destroy(VF2, aout2);
	NF_CHECK_EQ(rte_flow_action_handle_destroy(env.port[VF1], h, &err), 0);
	destroy(VF0, ain);
	destroy(VF0, fw1);
	destroy(VF0, fw2);
}

/* §7.8 + N-10: ingress ACL group 0 SET_TAG, group 1 SNIC_UPCALL for UDP
 * port 53: that packet reaches software unmodified carrying tag 0x015a;
 * other packets keep being forwarded. */
NF_TEST(test_acl_upcall_carries_tag)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
			       IPPROTO_UDP, 1000, 5000 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_tag st = { .data = 0x5a, .mask = 0xff,
					      .index = 1 };
	struct rte_flow_item_udp udp = { .hdr.dst_port = RTE_BE16(53) };
	struct rte_flow_item_udp udp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_item dns[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4 },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp,
		  .mask = &udp_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_attr g0 = acl_attr(true, 0), g1 = acl_attr(true, 1);
	struct rte_flow_action_port_id pid;
	uint64_t up0 = xstat(VF0, "miss_acl_upcall");
	struct tpl_pat t;
	struct acl_src as;
	struct acts l, la = {0}, lu = {0};
	struct rte_flow *fw, *tag, *up;
	struct tpl_flow g;
	struct pk p;

	reset();
	/* the forwarding rule matches dst ip + proto, not the ports */
	fw = l2_fwd(&t, &l, &pid, &f, VF1);
	act(&la, RTE_FLOW_ACTION_TYPE_SET_TAG, &st);
	tag = CREATE(VF0, &g0, acl_src_pattern(&as, VM1_IP), &la);
	act(&lu, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&lu, RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL);
	up = CREATE(VF0, &g1, dns, &lu);
	if (fw == NULL || tag == NULL || up == NULL)
		return;

	tpl_build(&p, NULL, false, &f);
	send_n(VF0, &p, 1);
	EXPECT_WIRE(VF1, &p);
	EXPECT_QUIET();

	g = f;
	g.dport = 53;
	tpl_build(&p, NULL, false, &g);
	send_n(VF0, &p, 2);
	expect_upcall(VF0, &p, 0x015a, __LINE__);
	expect_upcall(VF0, &p, 0x015a, __LINE__);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, up, 2, 2u * p.len);
	NF_CHECK_EQ(xstat(VF0, "miss_acl_upcall") - up0, 2);

	/* not tagged by group 0 (other source): upcalled with tag 0 */
	g.sip = "10.0.0.7";
	tpl_build(&p, NULL, false, &g);
	send_n(VF0, &p, 1);
	expect_upcall(VF0, &p, 0, __LINE__);
	EXPECT_QUIET();
	destroy(VF0, up);
	destroy(VF0, tag);
	destroy(VF0, fw);
}

/* §7.8: ACL rules may match ICMP and ICMPv6 (N-3 keeps them out of the
 * forwarding table, not out of the ACL): echo requests counted and
 * dropped, echo replies still reach software. */
NF_TEST(test_acl_icmp)
{
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_item_icmp ic = { .hdr.icmp_type = 8 };
	struct rte_flow_item_icmp ic_m = { .hdr.icmp_type = 0xff };
	struct rte_flow_item pat[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4 },
		{ .type = RTE_FLOW_ITEM_TYPE_ICMP, .spec = &ic, .mask = &ic_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_attr a = acl_attr(true, 0);
	uint64_t drop0 = xstat(VF0, "drop_rule");
	struct acts l = {0};
	struct rte_flow *r, *r6;
	struct pk p;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	r = CREATE(VF0, &a, pat, &l);
	if (r == NULL)
		return;
	pk_init(&p);
	pk_eth(&p, GW_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(&p, VM1_IP, VM4_IP, IPPROTO_ICMP, 64);
	pk_icmp(&p, 8, 0);
	pk_payload(&p, 32);
	pk_finish(&p);
	send_n(VF0, &p, 2);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 2, 2u * p.len);
	NF_CHECK_EQ(xstat(VF0, "drop_rule") - drop0, 2);
	pk_init(&p);
	pk_eth(&p, GW_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(&p, VM1_IP, VM4_IP, IPPROTO_ICMP, 64);
	pk_icmp(&p, 0, 0);
	pk_payload(&p, 32);
	pk_finish(&p);
	send_n(VF0, &p, 1);
	EXPECT_UPCALL(VF0, &p);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 2, 2u * p.len);

	/* after IPV6 the ICMP item means ICMPv6: echo request 128 */
	memset(&l, 0, sizeof(l));
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	pat[1].type = RTE_FLOW_ITEM_TYPE_IPV6;
	ic.hdr.icmp_type = 128;
	r6 = CREATE(VF0, &a, pat, &l);
	if (r6 == NULL)
		return;
	pk_init(&p);
	pk_eth(&p, GW_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV6);
	pk_ipv6(&p, VM1_IP6, VM2_IP6, IPPROTO_ICMPV6, 64);
	pk_icmp(&p, 128, 0);
	pk_payload(&p, 32);
	pk_finish(&p);
	send_n(VF0, &p, 1);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r6, 1, p.len);
	pk_init(&p);
	pk_eth(&p, GW_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV6);
	pk_ipv6(&p, VM1_IP6, VM2_IP6, IPPROTO_ICMPV6, 64);
	pk_icmp(&p, 129, 0);
	pk_payload(&p, 32);
	pk_finish(&p);
	send_n(VF0, &p, 1);
	EXPECT_UPCALL(VF0, &p);
	EXPECT_QUIET();
	NF_CHECK_EQ(xstat(VF0, "drop_rule") - drop0, 3);
	destroy(VF0, r6);
	destroy(VF0, r);
}

/* N-9: every group is evaluated, in group order whatever the creation
 * order: group 0 sets the tag, group 1 drops what carries it. */
NF_TEST(test_acl_groups_in_order)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
			       IPPROTO_TCP, 1000, 80 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_tag st = { .data = 0x5a, .mask = 0xff,
					      .index = 1 };
	struct rte_flow_attr g0 = acl_attr(true, 0), g1 = acl_attr(true, 1);
	struct rte_flow_action_port_id pid;
	uint64_t drop0 = xstat(VF0, "drop_rule");
	struct tpl_pat t;
	struct acl_src as;
	struct acts l, ld = {0}, lt = {0};
	struct rte_flow *fw, *drop, *tag;
	struct tpl_flow g;
	struct pk p;

	reset();
	fw = l2_fwd(&t, &l, &pid, &f, VF1);
	act(&ld, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&ld, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	drop = CREATE(VF0, &g1, tag_pattern, &ld);
	act(&lt, RTE_FLOW_ACTION_TYPE_SET_TAG, &st);
	tag = CREATE(VF0, &g0, acl_src_pattern(&as, VM1_IP), &lt);
	if (fw == NULL || drop == NULL || tag == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	send_n(VF0, &p, 2);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, drop, 2, 2u * p.len);
	NF_CHECK_EQ(xstat(VF0, "drop_rule") - drop0, 2);
	g = f;
	g.sip = "10.0.0.7";
	tpl_build(&p, NULL, false, &g);
	send_n(VF0, &p, 1);
	EXPECT_WIRE(VF1, &p);
	EXPECT_QUIET();
	/* without the tagging rule nothing is dropped */
	destroy(VF0, tag);
	tpl_build(&p, NULL, false, &f);
	send_n(VF0, &p, 1);
	EXPECT_WIRE(VF1, &p);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, drop, 2, 2u * p.len);
	destroy(VF0, drop);
	destroy(VF0, fw);
}

/* The application sends frame p on port i (tx_burst). */
static void
app_send(unsigned int i, const struct pk *p)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(env.mp);
	char *d = m != NULL ? rte_pktmbuf_append(m, p->len) : NULL;

	NF_CHECK(d != NULL);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(d, p->b, p->len);
	NF_CHECK_EQ(rte_eth_tx_burst(env.port[i], 0, &m, 1), 1);
	snic_env_poll(&env);
}

/* §7.8, N-9: the egress ACL of a port runs for the packets the NIC
 * forwards to it and for those the application sends on it. */
NF_TEST(test_acl_egress_app_tx)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
			       IPPROTO_UDP, 1000, 5000 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_attr e0 = acl_attr(false, 0), e1 = acl_attr(false, 1);
	struct rte_flow_item_udp udp = { .hdr.dst_port = RTE_BE16(9) };
	struct rte_flow_item_udp udp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_item discard[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4 },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp,
		  .mask = &udp_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_port_id pid;
	uint64_t drop0 = xstat(VF1, "drop_rule");
	struct tpl_pat t;
	struct acl_src as;
	struct acts l, lc = {0}, ld = {0};
	struct rte_flow *fw, *count, *drop;
	struct tpl_flow g;
	struct pk p, q;

	reset();
	fw = l2_fwd(&t, &l, &pid, &f, VF1);
	act(&lc, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	count = CREATE(VF1, &e0, acl_src_pattern(&as, VM1_IP), &lc);
	act(&ld, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	drop = CREATE(VF1, &e1, discard, &ld);
	if (fw == NULL || count == NULL || drop == NULL)
		return;
	tpl_build(&p, NULL, false, &f);
	send_n(VF0, &p, 1);      /* forwarded by the NIC */
	EXPECT_WIRE(VF1, &p);
	app_send(VF1, &p);       /* sent by software */
	EXPECT_WIRE(VF1, &p);
	EXPECT_QUIET();
	CHECK_COUNT(VF1, count, 2, 2u * p.len);
	g = f;
	g.dport = 9;
	tpl_build(&q, NULL, false, &g);
	app_send(VF1, &q);
	EXPECT_QUIET();
	NF_CHECK_EQ(xstat(VF1, "drop_rule") - drop0, 1);
	CHECK_COUNT(VF1, count, 3, 2u * p.len + q.len);
	destroy(VF1, drop);
	app_send(VF1, &q);
	EXPECT_WIRE(VF1, &q);
	EXPECT_QUIET();
	destroy(VF1, count);
	destroy(VF0, fw);
}

/* ------------------------------------------------ N-7 source port */

static struct rte_flow *
encap_rule(struct tpl_pat *t, struct acts *l, struct tpl_encap *d,
	   struct rte_flow_action_port_id *pid, const struct tpl_flow *f,
	   const struct tpl_tun *tun)
{
	memset(l, 0, sizeof(*l));
	pid->id = env.port[UPLINK];
	act(l, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, tpl_encap_def(d, tun));
	act(l, RTE_FLOW_ACTION_TYPE_PORT_ID, pid);
	return CREATE(VF0, &fwd_attr, tpl_pattern(t, f, 0, false), l);
}

/* N-7: every fragment of a datagram (the first with UDP ports, later ones
 * without) is encapsulated with one source port: the 3-tuple's. */
NF_TEST(test_vxlan_sport_fragments)
{
	struct tpl_flow f = { VM3_MAC, VM1_MAC, 0, false, VM1_IP, VM3_IP,
			       IPPROTO_UDP, 1111, 2222 };
	struct tpl_tun tun = { VTEP_R_MAC, VTEP_L_MAC, false, VTEP_L_IP,
				VTEP_R_IP, VNI_L2, 0 };
	struct rte_flow_action_port_id pid;
	struct tpl_encap d;
	struct tpl_pat t;
	struct acts l;
	struct rte_flow *r;
	struct tpl_flow g;
	struct pk p, e;
	int s[4];

	reset();
	r = encap_rule(&t, &l, &d, &pid, &f, &tun);
	if (r == NULL)
		return;
	for (int k = 0; k < 4; k++) {
		/* two datagrams (other ports), first and later fragment */
		g = f;
		if (k >= 2) {
			g.sport = 3333;
			g.dport = 4444;
		}
		if (k % 2 == 0) {
			g.frag = RTE_IPV4_HDR_MF_FLAG;
		} else {
			g.frag = 6; /* 48 bytes: UDP header + payload */
			g.no_l4 = true;
		}
		tpl_build(&p, NULL, false, &g);
		tpl_build(&e, &tun, true, &g);
		send_n(VF0, &p, 1);
		s[k] = EXPECT_ENCAP(UPLINK, &e);
		EXPECT_QUIET();
	}
	NF_CHECK(s[0] >= SPORT_MIN);
	NF_CHECK_EQ(s[1], s[0]);
	NF_CHECK_EQ(s[2], s[0]);
	NF_CHECK_EQ(s[3], s[0]);
	destroy(VF0, r);
}

/*
 * An IPv6 UDP fragment: [outer /] ETH / IPV6 (next header 44) / fragment
 * header / [UDP] / payload. The first fragment (offset 0, M) has the UDP
 * header, a later one (offset 6 = 48 bytes) only data.
 */
static void
frag6(struct pk *p, const struct tpl_tun *t, bool first, uint16_t sport,
      uint16_t dport)
{
	uint8_t *fh;

	pk_init(p);
	if (t != NULL)
		tpl_put_outer(p, t, true);
	pk_eth(p, VM3_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV6);
	pk_ipv6(p, VM1_IP6, VM2_IP6, IPPROTO_FRAGMENT, 64);
	fh = pk_put(p, PK_RAW, 8);
	fh[0] = IPPROTO_UDP;
	fh[3] = first ? 0x01 : 6 << 3;
	fh[7] = 0x2a; /* identification */
	if (first)
		pk_udp(p, sport, dport);
	pk_payload(p, 40);
	pk_finish(p);
}

/* N-7 for IPv6: the fragment extension header decides, as for IPv4. */
NF_TEST(test_vxlan_sport_fragments_ipv6)
{
	struct tpl_flow f = { VM3_MAC, VM1_MAC, 0, true, VM1_IP6, VM2_IP6,
			       IPPROTO_UDP };
	struct tpl_tun tun = { VTEP_R_MAC, VTEP_L_MAC, false, VTEP_L_IP,
				VTEP_R_IP, VNI_L2, 0 };
	struct rte_flow_action_port_id pid;
	struct tpl_encap d;
	struct tpl_pat t;
	struct acts l;
	struct rte_flow *r;
	struct pk p, e;
	int s[4];

	reset();
	r = encap_rule(&t, &l, &d, &pid, &f, &tun);
	if (r == NULL)
		return;
	for (int k = 0; k < 4; k++) {
		uint16_t sport = k < 2 ? 1111 : 3333;

		frag6(&p, NULL, k % 2 == 0, sport, 2222);
		frag6(&e, &tun, k % 2 == 0, sport, 2222);
		send_n(VF0, &p, 1);
		s[k] = EXPECT_ENCAP(UPLINK, &e);
		EXPECT_QUIET();
	}
	NF_CHECK(s[0] >= SPORT_MIN);
	NF_CHECK_EQ(s[1], s[0]);
	NF_CHECK_EQ(s[2], s[0]);
	NF_CHECK_EQ(s[3], s[0]);
	destroy(VF0, r);
}

/* N-7: 1024 distinct 5-tuples (source IP and both ports vary) through one
 * encap rule that matches the destination only: at least 900 distinct
 * source ports, all in 49152..65535, the inner frames intact. */
NF_TEST(test_vxlan_sport_spread)
{
	enum { FLOWS = 1024, BATCH = 128 };
	struct tpl_flow f = { VM3_MAC, VM1_MAC, 0, false, VM1_IP, VM3_IP,
			       IPPROTO_UDP, 0, 0 };
	struct tpl_tun tun = { VTEP_R_MAC, VTEP_L_MAC, false, VTEP_L_IP,
				VTEP_R_IP, VNI_L2, 0 };
	static uint8_t seen[65536];
	static struct pk p[BATCH];
	uint8_t out[2048] __rte_aligned(8);
	struct rte_flow_action_port_id pid;
	struct tpl_encap d;
	struct tpl_pat t;
	struct acts l;
	struct rte_flow *r;
	unsigned int distinct = 0, bad = 0, lost = 0, wrong = 0;
	char sip[32];

	reset();
	memset(seen, 0, sizeof(seen));
	r = encap_rule(&t, &l, &d, &pid, &f, &tun);
	if (r == NULL)
		return;
	for (int b = 0; b < FLOWS; b += BATCH) {
		for (int k = 0; k < BATCH; k++) {
			int i = b + k;

			snprintf(sip, sizeof(sip), "10.0.%d.%d", 1 + i / 200,
				 1 + i % 200);
			f.sip = sip;
			f.sport = (uint16_t)(10000 + i);
			f.dport = (uint16_t)(20000 + 7 * i);
			tpl_build(&p[k], NULL, false, &f);
			NF_CHECK_EQ(snic_env_inject(&env, VF0, p[k].b,
						    p[k].len), 0);
		}
		snic_env_poll(&env);
		for (int k = 0; k < BATCH; k++) {
			int n = snic_env_wire_read(&env, UPLINK, out,
						   sizeof(out));
			uint16_t sport;

			if (n != p[k].len + 50) {
				lost++;
				continue;
			}
			sport = (uint16_t)(out[34] << 8 | out[35]);
			bad += sport < SPORT_MIN;
			distinct += !seen[sport];
			seen[sport] = 1;
			wrong += memcmp(out + 50, p[k].b, p[k].len) != 0;
		}
	}
	NF_CHECK_EQ(lost, 0);
	NF_CHECK_EQ(bad, 0);
	NF_CHECK_EQ(wrong, 0);
	NF_CHECK(distinct >= 900);
	if (distinct < 900)
		fprintf(stderr, "  %u distinct source ports\n", distinct);
	EXPECT_QUIET();
	destroy(VF0, r);
}

/* ------------------------------------------------ N-8 both layouts */

/*
 * N-8: the §7.3.2 ingress rule in standard DPDK layering (ETH / IPV4 /
 * UDP dst 4789 / VXLAN vni / ETH / IPV4 dst / TCP) does what the spec
 * layout does, packet for packet.
 */
NF_TEST(test_layouts_agree)
{
	struct tpl_flow f = { VM1_MAC, VM3_MAC, 0, false, VM3_IP, VM1_IP,
			       IPPROTO_TCP, 80, 1000 };
	struct tpl_tun tun = { VTEP_L_MAC, VTEP_R_MAC, false, VTEP_R_IP,
				VTEP_L_IP, VNI_L2, 51000 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id out = { .id = env.port[VF0] };
	struct rte_flow_item_udp udp = { .hdr.dst_port = RTE_BE16(4789) };
	struct rte_flow_item_udp udp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_item_vxlan vx = {0}, vx_m = {0};
	struct tpl_pat t;
	struct rte_flow_item std[8];
	struct acts l = {0};
	struct pk pkts[5], exp[5];
	bool fwd[5] = { true, false, false, false, true };
	uint64_t bytes = 0;

	act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	tpl_pattern(&t, &f, VNI_L2, false);
	vni_bytes(vx.vni, VNI_L2);
	memset(vx_m.vni, 0xff, 3);
	memset(std, 0, sizeof(std));
	std[0].type = RTE_FLOW_ITEM_TYPE_ETH;
	std[1].type = RTE_FLOW_ITEM_TYPE_IPV4;
	std[2] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_UDP,
		.spec = &udp, .mask = &udp_m };
	std[3] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_VXLAN,
		.spec = &vx, .mask = &vx_m };
	std[4] = t.it[0]; /* inner ETH src/dst/type */
	std[5] = t.it[2]; /* inner IPV4 dst/proto */
	std[6].type = RTE_FLOW_ITEM_TYPE_TCP;
	std[7].type = RTE_FLOW_ITEM_TYPE_END;

	/* 0 match, 1 other VNI, 2 other dst, 3 inner UDP, 4 match (other
	 * ports) */
	for (int k = 0; k < 5; k++) {
		struct tpl_flow g = f;
		struct tpl_tun u = tun;

		if (k == 1)
			u.vni = VNI_L2 + 1;
		if (k == 2)
			g.dip = "10.0.0.9";
		if (k == 3)
			g.proto = IPPROTO_UDP;
		if (k == 4)
			g.sport = 81;
		tpl_build(&pkts[k], &u, false, &g);
		tpl_build(&exp[k], NULL, false, &g);
		if (fwd[k])
			bytes += pkts[k].len;
	}
	for (int layout = 0; layout < 2; layout++) {
		const struct rte_flow_item *pat = layout ? std : t.it;
		struct rte_flow *r;

		reset();
		r = CREATE(UPLINK, &fwd_attr, pat, &l);
		if (r == NULL)
			continue;
		for (int k = 0; k < 5; k++) {
			send_n(UPLINK, &pkts[k], 1);
			if (fwd[k])
				EXPECT_WIRE(VF0, &exp[k]);
			else
				EXPECT_UPCALL(UPLINK, &pkts[k]);
			EXPECT_QUIET();
		}
		CHECK_COUNT(UPLINK, r, 2, bytes);
		destroy(UPLINK, r);
		send_n(UPLINK, &pkts[0], 1);
		EXPECT_UPCALL(UPLINK, &pkts[0]);
		EXPECT_QUIET();
	}
}

/*
 * N-8 without a tunnel: the §7.2 rule (ETH / VLAN placeholder / IPV4 /
 * VXLAN vni 0) and its standard form (ETH / IPV4 / TCP, no VXLAN item)
 * both match the plain packet and neither its VXLAN-encapsulated twin.
 */
NF_TEST(test_layouts_agree_plain)
{
	struct tpl_flow f = { VM2_MAC, VM1_MAC, 0, false, VM1_IP, VM2_IP,
			       IPPROTO_TCP, 1000, 80 };
	struct tpl_tun tun = { VTEP_L_MAC, VTEP_R_MAC, false, VTEP_R_IP,
				VTEP_L_IP, 0, 51000 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id out = { .id = env.port[VF1] };
	struct tpl_pat t;
	struct rte_flow_item std[4];
	struct acts l = {0};
	struct pk p, v, v0;

	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &out);
	tpl_pattern(&t, &f, 0, false);
	memset(std, 0, sizeof(std));
	std[0] = t.it[0];
	std[1] = t.it[2];
	std[2].type = RTE_FLOW_ITEM_TYPE_TCP;
	std[3].type = RTE_FLOW_ITEM_TYPE_END;
	tpl_build(&p, NULL, false, &f);
	tun.vni = VNI_L2;
	tpl_build(&v, &tun, false, &f);
	tun.vni = 0; /* VNI 0 is still a tunnel, not "vni 0" of §7.2 */
	tpl_build(&v0, &tun, false, &f);
	for (int layout = 0; layout < 2; layout++) {
		struct rte_flow *r;

		reset();
		r = CREATE(VF0, &fwd_attr, layout ? std : t.it, &l);
		if (r == NULL)
			continue;
		send_n(VF0, &p, 1);
		EXPECT_WIRE(VF1, &p);
		send_n(VF0, &v, 1);
		EXPECT_UPCALL(VF0, &v);
		send_n(VF0, &v0, 1);
		EXPECT_UPCALL(VF0, &v0);
		EXPECT_QUIET();
		CHECK_COUNT(VF0, r, 1, p.len);
		destroy(VF0, r);
	}
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_l2_same_node),
		NF_CASE(test_l2_same_node_vlan),
		NF_CASE(test_l2_same_node_ipv6),
		NF_CASE(test_l2_cross_node_egress_v4),
		NF_CASE(test_l2_cross_node_egress_vlan_v6),
		NF_CASE(test_l2_cross_node_egress_outer_vlan),
		NF_CASE(test_l2_cross_node_ingress),
		NF_CASE(test_l3_same_node_fip),
		NF_CASE(test_l3_same_node_vlan),
		NF_CASE(test_l3_cross_node_egress),
		NF_CASE(test_l3_cross_node_ingress),
		NF_CASE(test_l3_cross_node_ipv6),
		NF_CASE(test_mirror_local),
		NF_CASE(test_mirror_local_decap),
		NF_CASE(test_mirror_remote),
		NF_CASE(test_sg_stateless_drop),
		NF_CASE(test_sg_stateful_tcp_flags),
		NF_CASE(test_acl_tag_shared_count),
		NF_CASE(test_acl_upcall_carries_tag),
		NF_CASE(test_acl_icmp),
		NF_CASE(test_acl_groups_in_order),
		NF_CASE(test_acl_egress_app_tx),
		NF_CASE(test_vxlan_sport_fragments),
		NF_CASE(test_vxlan_sport_fragments_ipv6),
		NF_CASE(test_vxlan_sport_spread),
		NF_CASE(test_layouts_agree),
		NF_CASE(test_layouts_agree_plain),
	};
	return snic_env_main(snic_env_eal_init("snic_tpl"), &env,
			     "net_snic_tpl", 3, NULL, cases,
			     RTE_DIM(cases), reset);
}
