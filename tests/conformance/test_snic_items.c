/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic, item by item and action by action (N-5, N-6, N-8, N-10, N-21):
 * what test_snic_templates.c does not reach through the spec's templates.
 * One case per item or action family. For an item, a packet that matches
 * is handled by the rule (forwarded byte for byte, counted exactly) and a
 * packet differing only in the matched field (as far as a valid frame
 * allows) misses and reaches the ingress port's software queue unmodified
 * (N-2). For an action, the frame the NIC sends is compared over its full
 * length with a frame built independently with pktgen.h, and TCP/UDP/IPv4
 * checksums are verified with rte_ipv4/ipv6_udptcp_cksum_verify (N-6).
 * Table behaviour: priorities, growth past the first hash size, and rules
 * created and destroyed between two packets of a flow (N-21).
 *
 * Conventions of the expected frames (docs/snic.md): the NIC's outer IPv4
 * header has DF set and TTL 64 unless the definition gives one, outer UDP
 * checksum 0; a rule's counter counts the packet as it matched.
 *
 * Topology (one switch, rules flushed between cases): index 0 uplink,
 * 1 VF0, 2 VF1, 3 VF2. Inline mode: every rx_burst runs one NIC iteration.
 */

#include "snic_check.h"

/* ================================================================ items */

/* N-5 ETH: dst, src, type each alone; has_vlan 0 and 1. */
NF_TEST(test_item_eth)
{
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct flow_desc f6 = flow(true, IPPROTO_TCP);
	struct rte_flow_item_eth s, m;
	struct pat p;

	reset();
	/* dst alone: source MAC and L3 do not matter */
	ZERO2(s, m);
	pk_mac(s.dst.addr_bytes, VM2_MAC);
	memset(&m.dst, 0xff, RTE_ETHER_ADDR_LEN);
	bp(0, NULL, &f);
	VARY(1, f, smac, VM3_MAC);
	bp(2, NULL, &f6);
	VARY(3, f, dmac, VM3_MAC);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_ETH, &s, &m), 3, 1);

	/* src alone */
	ZERO2(s, m);
	pk_mac(s.src.addr_bytes, VM1_MAC);
	memset(&m.src, 0xff, RTE_ETHER_ADDR_LEN);
	bp(0, NULL, &f);
	VARY(1, f, dmac, VM3_MAC);
	VARY(2, f, smac, VM3_MAC);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_ETH, &s, &m), 2, 1);

	/* type alone: the EtherType after the MACs (the TPID if tagged) */
	ZERO2(s, m);
	s.type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m.type = RTE_BE16(0xffff);
	bp(0, NULL, &f6);
	VARY(1, f6, dmac, VM3_MAC);
	bp(2, NULL, &f);
	VARY(3, f6, tci, 100);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_ETH, &s, &m), 2, 2);

	/* has_vlan = 0: untagged only */
	ZERO2(s, m);
	m.has_vlan = 1;
	bp(0, NULL, &f);
	VARY(1, f, tci, 100);
	VARY(2, f, tpid, RTE_ETHER_TYPE_QINQ);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_ETH, &s, &m), 1, 2);

	/* has_vlan = 1: tagged only (802.1Q or 802.1ad) */
	s.has_vlan = 1;
	VARY(0, f, tci, 100);
	VARY(1, f6, tpid, RTE_ETHER_TYPE_QINQ);
	bp(2, NULL, &f);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_ETH, &s, &m), 2, 1);
}

/* N-5 VLAN: tci (DPDK default mask = VID, and a full mask), inner_type. */
NF_TEST(test_item_vlan)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct flow_desc f6 = flow(true, IPPROTO_UDP);
	struct rte_flow_item_vlan s = {0}, m = {0};
	struct pat p;

	reset();
	f.tci = 100;
	f6.tci = 100;
	/* tci 100, NULL mask = DPDK's VID mask 0x0fff: PCP, TPID ignored */
	s.tci = RTE_BE16(100);
	bp(0, NULL, &f);
	VARY(1, f, tci, 5u << 13 | 100);
	VARY(2, f, tpid, RTE_ETHER_TYPE_QINQ);
	bp(3, NULL, &f6);
	VARY(4, f, tci, 101);
	VARY(5, f, tci, 0);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_VLAN, &s, NULL), 4, 2);

	/* tci with a full mask: the PCP counts too */
	s.tci = RTE_BE16(5u << 13 | 100);
	m.tci = RTE_BE16(0xffff);
	VARY(0, f, tci, 5u << 13 | 100);
	VARY(1, f, tci, 100);
	VARY(2, f, tci, 5u << 13 | 101);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_VLAN, &s, &m), 1, 2);

	/* inner_type alone; the VLAN item still means "tagged" */
	ZERO2(s, m);
	s.inner_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m.inner_type = RTE_BE16(0xffff);
	bp(0, NULL, &f6);
	VARY(1, f6, tci, 200);
	bp(2, NULL, &f);
	VARY(3, f6, tci, 0);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_VLAN, &s, &m), 2, 2);
}

/* N-5 IPV4: src, dst, next_proto_id, type_of_service (full and DSCP
 * masks). */
NF_TEST(test_item_ipv4)
{
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct flow_desc fu = flow(false, IPPROTO_UDP);
	struct rte_flow_item_ipv4 s, m;
	struct pat p;

	reset();
	ZERO2(s, m);
	inet_pton(AF_INET, VM1_IP, &s.hdr.src_addr);
	m.hdr.src_addr = RTE_BE32(0xffffffff);
	bp(0, NULL, &f);
	bp(1, NULL, &fu);
	VARY(2, f, sip, OTHER_IP);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV4, &s, &m), 2, 1);

	ZERO2(s, m);
	inet_pton(AF_INET, VM2_IP, &s.hdr.dst_addr);
	m.hdr.dst_addr = RTE_BE32(0xffffffff);
	bp(0, NULL, &f);
	VARY(1, f, sip, OTHER_IP);
	VARY(2, f, dip, OTHER_IP);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV4, &s, &m), 2, 1);

	ZERO2(s, m);
	s.hdr.next_proto_id = IPPROTO_UDP;
	m.hdr.next_proto_id = 0xff;
	bp(0, NULL, &fu);
	bp(1, NULL, &f);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV4, &s, &m), 1, 1);

	/* TOS, full mask: DSCP and ECN */
	ZERO2(s, m);
	s.hdr.type_of_service = 0xb8;
	m.hdr.type_of_service = 0xff;
	VARY(0, f, tos, 0xb8);
	VARY(1, f, tos, 0);
	VARY(2, f, tos, 0xb9);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV4, &s, &m), 1, 2);
	/* DSCP mask 0xfc: ECN ignored */
	m.hdr.type_of_service = 0xfc;
	VARY(0, f, tos, 0xb8);
	VARY(1, f, tos, 0xbb);
	VARY(2, f, tos, 0xb4);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV4, &s, &m), 2, 1);
}

/* N-5 IPV6: src, dst, proto, traffic class through vtc_flow (the flow
 * label is not matched). */
NF_TEST(test_item_ipv6)
{
	struct flow_desc f = flow(true, IPPROTO_TCP);
	struct flow_desc fu = flow(true, IPPROTO_UDP);
	struct rte_flow_item_ipv6 s, m;
	struct pat p;

	reset();
	ZERO2(s, m);
	inet_pton(AF_INET6, VM1_IP6, s.hdr.src_addr);
	memset(m.hdr.src_addr, 0xff, 16);
	bp(0, NULL, &f);
	bp(1, NULL, &fu);
	VARY(2, f, sip, OTHER_IP6);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV6, &s, &m), 2, 1);

	ZERO2(s, m);
	inet_pton(AF_INET6, VM2_IP6, s.hdr.dst_addr);
	memset(m.hdr.dst_addr, 0xff, 16);
	bp(0, NULL, &f);
	VARY(1, f, sip, OTHER_IP6);
	VARY(2, f, dip, OTHER_IP6);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV6, &s, &m), 2, 1);

	ZERO2(s, m);
	s.hdr.proto = IPPROTO_UDP;
	m.hdr.proto = 0xff;
	bp(0, NULL, &fu);
	bp(1, NULL, &f);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV6, &s, &m), 1, 1);

	ZERO2(s, m);
	s.hdr.vtc_flow = RTE_BE32(0xb8u << RTE_IPV6_HDR_TC_SHIFT);
	m.hdr.vtc_flow = RTE_BE32(RTE_IPV6_HDR_TC_MASK);
	VARY(0, f, tos, 0xb8);
	f.tos = 0xb8;
	VARY(1, f, flow_label, 0x12345);
	VARY(2, f, tos, 0);
	VARY(3, f, tos, 0xb9);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_IPV6, &s, &m), 2, 2);
}

/* N-5 TCP: ports each alone; tcp_flags under a mask (FIN/SYN/RST). */
NF_TEST(test_item_tcp)
{
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct rte_flow_item_tcp s, m;
	struct pat p;

	reset();
	ZERO2(s, m);
	s.hdr.src_port = RTE_BE16(1000);
	m.hdr.src_port = RTE_BE16(0xffff);
	bp(0, NULL, &f);
	VARY(1, flow(true, IPPROTO_TCP), sport, 1000); /* no IP item: v6 too */
	VARY(2, f, sport, 1001);
	VARY(3, f, proto, IPPROTO_UDP);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_TCP, &s, &m), 2, 2);

	ZERO2(s, m);
	s.hdr.dst_port = RTE_BE16(80);
	m.hdr.dst_port = RTE_BE16(0xffff);
	bp(0, NULL, &f);
	VARY(1, f, sport, 1001);
	VARY(2, f, dport, 81);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_TCP, &s, &m), 2, 1);

	/* SYN set, whatever the other flags */
	ZERO2(s, m);
	s.hdr.tcp_flags = TCP_SYN;
	m.hdr.tcp_flags = TCP_SYN;
	VARY(0, f, flags, TCP_SYN);
	VARY(1, f, flags, TCP_SYN | TCP_ACK);
	VARY(2, f, flags, TCP_ACK);
	VARY(3, f, flags, TCP_FIN | TCP_ACK);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_TCP, &s, &m), 2, 2);
	/* FIN set and RST clear */
	s.hdr.tcp_flags = TCP_FIN;
	m.hdr.tcp_flags = TCP_FIN | TCP_RST;
	VARY(0, f, flags, TCP_FIN | TCP_ACK);
	VARY(1, f, flags, TCP_FIN | TCP_RST);
	VARY(2, f, flags, TCP_RST);
	VARY(3, f, flags, TCP_ACK);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_TCP, &s, &m), 1, 3);
}

/* N-5 UDP: ports each alone, IPv4 and IPv6. */
NF_TEST(test_item_udp)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct flow_desc f6 = flow(true, IPPROTO_UDP);
	struct rte_flow_item_udp s, m;
	struct pat p;

	reset();
	ZERO2(s, m);
	s.hdr.src_port = RTE_BE16(1000);
	m.hdr.src_port = RTE_BE16(0xffff);
	bp(0, NULL, &f);
	bp(1, NULL, &f6);
	VARY(2, f, sport, 999);
	VARY(3, f, proto, IPPROTO_TCP);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_UDP, &s, &m), 2, 2);

	ZERO2(s, m);
	s.hdr.dst_port = RTE_BE16(80);
	m.hdr.dst_port = RTE_BE16(0xffff);
	bp(0, NULL, &f6);
	VARY(1, f6, sport, 999);
	VARY(2, f6, dport, 8080);
	FWD_CASE(pat1(&p, RTE_FLOW_ITEM_TYPE_UDP, &s, &m), 2, 1);
}

/* N-5, N-10: TAG (data, index) in a forwarding rule, the tag set by an
 * ingress ACL SET_TAG; a miss carries its tag to software. */
NF_TEST(test_item_tag_forwarding)
{
	static const struct { const char *sip; uint8_t data, index; } tg[] = {
		{ VM1_IP, 7, 1 }, { "10.0.0.7", 8, 1 }, { "10.0.0.8", 7, 2 },
	};
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct rte_flow_attr a0 = acl_attr(true, 0);
	struct rte_flow_action_set_tag st[3];
	struct rte_flow_item_ipv4 src[3], src_m = {0};
	struct rte_flow_item_tag ts = { .data = 7, .index = 1 };
	struct rte_flow_item_tag tm = { .data = 0xff, .index = 0xff };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	struct rte_flow *acl[3], *r;
	struct dst_pat d;
	struct acts l = {0};
	struct pat p;

	reset();
	src_m.hdr.src_addr = RTE_BE32(0xffffffff);
	for (int k = 0; k < 3; k++) {
		struct acts la = {0};

		memset(&src[k], 0, sizeof(src[k]));
		inet_pton(AF_INET, tg[k].sip, &src[k].hdr.src_addr);
		st[k] = (struct rte_flow_action_set_tag){ .data = tg[k].data,
			.mask = 0xff, .index = tg[k].index };
		act(&la, RTE_FLOW_ACTION_TYPE_SET_TAG, &st[k]);
		acl[k] = CREATE(VF0, &a0, pat1(&p, RTE_FLOW_ITEM_TYPE_IPV4,
					       &src[k], &src_m), &la);
	}
	/* forwarding rule: TAG data 7 index 1 / IPV4 dst */
	dst_pattern(&d, &f, false);
	pat_add(&d.p, RTE_FLOW_ITEM_TYPE_TAG, &ts, &tm);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	r = CREATE(VF0, &fwd_attr, d.p.it, &l);
	if (r == NULL || acl[0] == NULL || acl[1] == NULL || acl[2] == NULL)
		return;
	bp(0, NULL, &f);
	send_n(VF0, &P[0], 2);
	EXPECT_WIRE(VF1, &P[0]);    /* the tag is metadata only */
	EXPECT_WIRE(VF1, &P[0]);
	EXPECT_QUIET();
	/* other data, other index, no tag at all: software, tag kept */
	VARY(1, f, sip, tg[1].sip);
	VARY(2, f, sip, tg[2].sip);
	VARY(3, f, sip, OTHER_IP);
	send_n(VF0, &P[1], 1);
	expect_upcall(VF0, &P[1], 0x0108, __LINE__);
	send_n(VF0, &P[2], 1);
	expect_upcall(VF0, &P[2], 0x0207, __LINE__);
	send_n(VF0, &P[3], 1);
	expect_upcall(VF0, &P[3], 0, __LINE__);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 2, 2u * P[0].len);
	/* without the tagging rule the flow misses */
	destroy(VF0, acl[0]);
	send_n(VF0, &P[0], 1);
	EXPECT_UPCALL(VF0, &P[0]);
	EXPECT_QUIET();
	destroy(VF0, r);
	destroy(VF0, acl[1]);
	destroy(VF0, acl[2]);
}

/* N-5, N-3: ICMP type and code in an ACL rule (ICMPv6 after IPV6); the
 * rule forwards, everything else ICMP reaches software. */
NF_TEST(test_item_icmp_acl)
{
	struct flow_desc f = flow(false, IPPROTO_ICMP);
	struct flow_desc f6 = flow(true, IPPROTO_ICMPV6);
	struct rte_flow_attr a = acl_attr(true, 0);
	struct rte_flow_item_icmp s = { .hdr.icmp_type = 8 };
	struct rte_flow_item_icmp m = { .hdr.icmp_type = 0xff,
					.hdr.icmp_code = 0xff };
	struct pat p;

	reset();
	f.sport = 8;   /* echo request, code 0 */
	f.dport = 0;
	bp(0, NULL, &f);
	VARY(1, f, sport, 0);
	VARY(2, f, dport, 1);
	memset(&p, 0, sizeof(p));
	pat_add(&p, RTE_FLOW_ITEM_TYPE_ETH, NULL, NULL);
	pat_add(&p, RTE_FLOW_ITEM_TYPE_IPV4, NULL, NULL);
	pat_add(&p, RTE_FLOW_ITEM_TYPE_ICMP, &s, &m);
	item_case(&a, VF0, VF1, p.it, 1, 2, __LINE__);

	s.hdr.icmp_type = 128;
	s.hdr.icmp_code = 3;
	f6.sport = 128;
	f6.dport = 3;
	bp(0, NULL, &f6);
	VARY(1, f6, dport, 0);
	VARY(2, f6, sport, 129);
	VARY(3, f, dport, 3);   /* ICMPv4 8/3 */
	p.it[1].type = RTE_FLOW_ITEM_TYPE_IPV6;
	item_case(&a, VF0, VF1, p.it, 1, 3, __LINE__);
}

/* N-5 VXLAN: vni; the rsvd0 colouring byte; any VNI (NULL spec). The
 * VXLAN packets are forwarded without decap, unchanged. */
NF_TEST(test_item_vxlan)
{
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct tun_desc t = tunnel(false);
	struct rte_flow_item_vxlan s = { .vni = { 0, 0, VNI } };
	struct rte_flow_item_vxlan m = { .vni = { 0xff, 0xff, 0xff } };
	struct dst_pat d;

	reset();
	f.dmac = VM1_MAC;
	f.smac = VM2_MAC;
	f.dip = VM1_IP;
	dst_pattern(&d, &f, false);
	pat_add(&d.p, RTE_FLOW_ITEM_TYPE_VXLAN, &s, &m);
	bp(0, &t, &f);
	VARY_T(1, tunnel(true), f, vni, VNI);   /* IPv6 underlay */
	VARY_T(2, t, f, rsvd0, 0x5a);
	VARY_T(3, t, f, vni, VNI + 1);
	bp(4, NULL, &f);
	item_case(&fwd_attr, UPLINK, VF0, d.p.it, 3, 2, __LINE__);

	/* colouring byte (rsvd0[2]) matched with the VNI */
	s.rsvd0[2] = 0x5a;
	m.rsvd0[2] = 0xff;
	VARY_T(0, t, f, rsvd0, 0x00005a);
	VARY_T(1, t, f, rsvd0, 0x11005a); /* other reserved bits ignored */
	VARY_T(2, t, f, rsvd0, 0x00005b);
	VARY_T(3, t, f, rsvd0, 0);
	item_case(&fwd_attr, UPLINK, VF0, d.p.it, 2, 2, __LINE__);

	/* all three reserved bytes */
	s.rsvd0[0] = 0x11;
	m.rsvd0[0] = 0xff;
	m.rsvd0[1] = 0xff;
	VARY_T(0, t, f, rsvd0, 0x11005a);
	VARY_T(1, t, f, rsvd0, 0x00005a);
	VARY_T(2, t, f, rsvd0, 0x11015a);
	item_case(&fwd_attr, UPLINK, VF0, d.p.it, 1, 2, __LINE__);

	/* NULL spec: any VNI, still only tunnelled packets */
	d.p.it[1].spec = NULL;
	d.p.it[1].mask = NULL;
	bp(0, &t, &f);
	VARY_T(1, t, f, vni, 7);
	bp(2, NULL, &f);
	item_case(&fwd_attr, UPLINK, VF0, d.p.it, 2, 1, __LINE__);
}

/* N-5 custom OUTER_IPV4 / OUTER_IPV6 (spec §7.1.4) with inner fields:
 * the outer src and dst, outer IP version and inner match must agree. */
NF_TEST(test_item_outer_ip)
{
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct rte_flow_item_tcp tcp_s = { .hdr.dst_port = RTE_BE16(80) };
	struct rte_flow_item_tcp tcp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_item_ipv4 o4 = {0}, o4m = {0};
	struct rte_flow_item_ipv6 o6 = {0}, o6m = {0};
	struct dst_pat d;

	reset();
	f.dmac = VM1_MAC;
	f.smac = VM2_MAC;
	f.dip = VM1_IP;
	inet_pton(AF_INET, VTEP_R_IP, &o4.hdr.src_addr);
	inet_pton(AF_INET, VTEP_L_IP, &o4.hdr.dst_addr);
	o4m.hdr.src_addr = RTE_BE32(0xffffffff);
	o4m.hdr.dst_addr = RTE_BE32(0xffffffff);
	inet_pton(AF_INET6, VTEP_R_IP6, o6.hdr.src_addr);
	inet_pton(AF_INET6, VTEP_L_IP6, o6.hdr.dst_addr);
	memset(o6m.hdr.src_addr, 0xff, 16);
	memset(o6m.hdr.dst_addr, 0xff, 16);
	for (int v6 = 0; v6 < 2; v6++) {
		struct tun_desc t = tunnel(v6);
		struct tun_desc other = tunnel(!v6);

		dst_pattern(&d, &f, false);
		pat_add(&d.p, RTE_FLOW_ITEM_TYPE_TCP, &tcp_s, &tcp_m);
		if (v6)
			pat_add(&d.p, RTE_FLOW_ITEM_TYPE_OUTER_IPV6, &o6, &o6m);
		else
			pat_add(&d.p, RTE_FLOW_ITEM_TYPE_OUTER_IPV4, &o4, &o4m);
		bp(0, &t, &f);
		VARY_T(1, t, f, vni, 7);           /* VNI not matched */
		VARY_T(2, t, f, sip, v6 ? VTEP_X_IP6 : VTEP_X_IP);
		VARY_T(3, t, f, dip, v6 ? VTEP_X_IP6 : VTEP_X_IP);
		bp(4, &other, &f);                  /* other outer version */
		VARY_I(5, &t, f, dip, OTHER_IP);    /* other inner dst */
		VARY_I(6, &t, f, dport, 81);        /* other inner port */
		bp(7, NULL, &f);                    /* not tunnelled */
		item_case(&fwd_attr, UPLINK, VF0, d.p.it, 2, 6, __LINE__);
	}
}

/* N-5 PORT_ID / REPRESENTED_PORT items: a forwarding rule created on one
 * port for packets entering another; ACL rules on the ingress port. */
NF_TEST(test_item_ingress_port)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_item_port_id pi = { .id = env.port[VF2] };
	struct rte_flow_item_ethdev ri = { .port_id = env.port[UPLINK] };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[VF1] };
	struct rte_flow_attr e0 = acl_attr(false, 0), e1 = acl_attr(false, 1);
	uint64_t drop0 = xstat(VF0, "drop_rule");
	struct rte_flow *r, *fw0, *fw2, *adrop, *acnt;
	struct acts l = {0}, ld = {0}, lc = {0};
	struct dst_pat d;
	struct pat p;

	reset();
	bp(0, NULL, &f);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1);
	/* created on VF0, PORT_ID item (default mask): for VF2's packets */
	dst_pattern(&d, &f, false);
	pat_add(&d.p, RTE_FLOW_ITEM_TYPE_PORT_ID, &pi, NULL);
	r = CREATE(VF0, &fwd_attr, d.p.it, &l);
	if (r == NULL)
		return;
	send_n(VF2, &P[0], 1);
	EXPECT_WIRE(VF1, &P[0]);
	send_n(VF0, &P[0], 1);
	EXPECT_UPCALL(VF0, &P[0]);
	send_n(UPLINK, &P[0], 1);
	EXPECT_UPCALL(UPLINK, &P[0]);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 1, P[0].len);
	destroy(VF0, r);

	/* REPRESENTED_PORT item: the uplink's packets */
	dst_pattern(&d, &f, false);
	pat_add(&d.p, RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT, &ri, NULL);
	r = CREATE(VF0, &fwd_attr, d.p.it, &l);
	if (r == NULL)
		return;
	send_n(UPLINK, &P[0], 1);
	EXPECT_WIRE(VF1, &P[0]);
	send_n(VF0, &P[0], 1);
	EXPECT_UPCALL(VF0, &P[0]);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 1, P[0].len);
	destroy(VF0, r);

	/* egress ACL of VF1: PORT_ID item VF0 → DROP; REPRESENTED_PORT VF2
	 * → COUNT only. Two forwarding rules bring the flow to VF1. */
	fw0 = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	fw2 = CREATE(VF2, &fwd_attr, d.p.it, &l);
	pi.id = env.port[VF0];
	act(&ld, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&ld, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	adrop = CREATE(VF1, &e0, pat1(&p, RTE_FLOW_ITEM_TYPE_PORT_ID, &pi,
				      NULL), &ld);
	ri.port_id = env.port[VF2];
	act(&lc, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	acnt = CREATE(VF1, &e1, pat1(&p, RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT,
				     &ri, NULL), &lc);
	if (fw0 == NULL || fw2 == NULL || adrop == NULL || acnt == NULL)
		return;
	send_n(VF0, &P[0], 1);
	EXPECT_QUIET();
	send_n(VF2, &P[0], 2);
	EXPECT_WIRE(VF1, &P[0]);
	EXPECT_WIRE(VF1, &P[0]);
	EXPECT_QUIET();
	CHECK_COUNT(VF1, adrop, 1, P[0].len);
	CHECK_COUNT(VF1, acnt, 2, 2u * P[0].len);
	NF_CHECK_EQ(xstat(VF0, "drop_rule") - drop0, 1);
	CHECK_COUNT(VF0, fw0, 1, P[0].len);
	CHECK_COUNT(VF2, fw2, 2, 2u * P[0].len);
}

/* N-5 VOID items and actions are skipped: the rule is the same as without
 * them (EEXIST for the VOID-free twin) and behaves the same. */
NF_TEST(test_item_void)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_item_eth eth = {0}, eth_m = {0};
	struct rte_flow_item_udp udp = { .hdr.dst_port = RTE_BE16(80) };
	struct rte_flow_item_udp udp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	struct rte_flow_error err;
	struct rte_flow *r, *twin;
	struct acts l = {0}, l2 = {0};
	struct dst_pat d;
	struct pat p = {0}, q = {0};

	reset();
	pk_mac(eth.dst.addr_bytes, VM2_MAC);
	memset(&eth_m.dst, 0xff, RTE_ETHER_ADDR_LEN);
	dst_pattern(&d, &f, false);
	pat_add(&p, RTE_FLOW_ITEM_TYPE_VOID, NULL, NULL);
	pat_add(&p, RTE_FLOW_ITEM_TYPE_ETH, &eth, &eth_m);
	pat_add(&p, RTE_FLOW_ITEM_TYPE_VOID, NULL, NULL);
	pat_add(&p, RTE_FLOW_ITEM_TYPE_IPV4, &d.ip4, &d.ip4_m);
	pat_add(&p, RTE_FLOW_ITEM_TYPE_VOID, &eth, NULL); /* spec ignored */
	pat_add(&p, RTE_FLOW_ITEM_TYPE_UDP, &udp, &udp_m);
	pat_add(&p, RTE_FLOW_ITEM_TYPE_VOID, NULL, NULL);
	pat_add(&q, RTE_FLOW_ITEM_TYPE_ETH, &eth, &eth_m);
	pat_add(&q, RTE_FLOW_ITEM_TYPE_IPV4, &d.ip4, &d.ip4_m);
	pat_add(&q, RTE_FLOW_ITEM_TYPE_UDP, &udp, &udp_m);
	act(&l, RTE_FLOW_ACTION_TYPE_VOID, NULL);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_VOID, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	act(&l, RTE_FLOW_ACTION_TYPE_VOID, NULL);
	act(&l2, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	r = CREATE(VF0, &fwd_attr, p.it, &l);
	if (r == NULL)
		return;
	twin = rte_flow_create(env.port[VF0], &fwd_attr, q.it, l2.a, &err);
	NF_CHECK(twin == NULL && rte_errno == EEXIST);
	destroy(VF0, r);

	bp(0, NULL, &f);
	VARY(1, f, sport, 7);
	VARY(2, f, dmac, VM3_MAC);
	VARY(3, f, dip, OTHER_IP);
	VARY(4, f, dport, 81);
	FWD_CASE(p.it, 2, 3);
}

/* ============================================================== actions */

/* N-6, N-12 COUNT: hits and bytes exact, query reset, COUNT given twice
 * counts once, misses are not counted. */
NF_TEST(test_action_count)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	struct rte_flow *r;
	struct acts l = {0};
	struct dst_pat d;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	if (r == NULL)
		return;
	CHECK_COUNT(VF0, r, 0, 0);
	bp(0, NULL, &f);
	VARY(1, f, tci, 100);        /* 4 bytes longer, same rule */
	VARY(2, f, dip, OTHER_IP);
	send_n(VF0, &P[0], 3);
	send_n(VF0, &P[1], 1);
	send_n(VF0, &P[2], 1);
	for (int k = 0; k < 3; k++)
		EXPECT_WIRE(VF1, &P[0]);
	EXPECT_WIRE(VF1, &P[1]);
	EXPECT_UPCALL(VF0, &P[2]);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 4, 3u * P[0].len + P[1].len);
	/* reset: this query still reports, the next starts from zero */
	check_count(VF0, r, 4, 3u * P[0].len + P[1].len, 1, __LINE__);
	CHECK_COUNT(VF0, r, 0, 0);
	send_n(VF0, &P[1], 2);
	EXPECT_WIRE(VF1, &P[1]);
	EXPECT_WIRE(VF1, &P[1]);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, r, 2, 2u * P[1].len);
	check_count(VF0, r, 2, 2u * P[1].len, 1, __LINE__);
	check_count(VF0, r, 0, 0, 1, __LINE__);
	destroy(VF0, r);
}

/* N-6 PORT_ID and its synonyms REPRESENTED_PORT, PORT_REPRESENTOR; the
 * output port may be the input port. */
NF_TEST(test_action_port)
{
	static const struct {
		enum rte_flow_action_type type;
		const char *dip;
		unsigned int out;
	} pc[] = {
		{ RTE_FLOW_ACTION_TYPE_PORT_ID, "10.0.1.1", VF1 },
		{ RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, "10.0.1.2", VF2 },
		{ RTE_FLOW_ACTION_TYPE_PORT_REPRESENTOR, "10.0.1.3", UPLINK },
		{ RTE_FLOW_ACTION_TYPE_PORT_ID, "10.0.1.4", VF0 },
	};
	uint64_t fwd0 = xstat(VF0, "nic_hw_forwarded");

	reset();
	for (unsigned int k = 0; k < RTE_DIM(pc); k++) {
		struct flow_desc f = flow(false, IPPROTO_TCP);
		struct rte_flow_action_port_id pid = {
			.id = env.port[pc[k].out] };
		struct rte_flow_action_ethdev ed = {
			.port_id = env.port[pc[k].out] };
		struct acts l = {0};
		struct dst_pat d;

		f.dip = pc[k].dip;
		bp(0, NULL, &f);
		act(&l, pc[k].type, pc[k].type == RTE_FLOW_ACTION_TYPE_PORT_ID ?
		    (const void *)&pid : (const void *)&ed);
		ACT_CASE(VF0, dst_pattern(&d, &f, false), &l, &P[0],
			 pc[k].out, &P[0]);
	}
	NF_CHECK_EQ(xstat(VF0, "nic_hw_forwarded") - fwd0, RTE_DIM(pc));
}

/* N-6 OF_POP_VLAN, OF_PUSH_VLAN (0x8100, 0x88a8), OF_SET_VLAN_VID,
 * OF_SET_VLAN_PCP, alone and combined; on the inner frame of a VXLAN packet
 * kept tunnelled the outer lengths and UDP checksum follow. */
NF_TEST(test_action_vlan)
{
	static const struct {
		uint16_t tci, tpid;      /* received tag (tpid 0: 0x8100) */
		bool pop;
		uint16_t push;           /* 0: no push */
		int vid, pcp;            /* -1: not set */
		uint16_t otci, otpid;    /* sent tag */
		bool otagged;
		bool tun;                /* inner frame of a VXLAN packet
					  * kept tunnelled */
		uint16_t otci2;          /* sent second tag (QinQ) */
	} vc[] = {
		{ 0xa064, 0, true, 0, -1, -1, 0, 0, false },
		{ 0xa064, RTE_ETHER_TYPE_QINQ, true, 0, -1, -1, 0, 0, false },
		{ 0, 0, true, 0, -1, -1, 0, 0, false },   /* no tag: no-op */
		{ 0, 0, false, RTE_ETHER_TYPE_VLAN, -1, -1, 0,
		  RTE_ETHER_TYPE_VLAN, true },             /* pushes TCI 0 */
		{ 0, 0, false, RTE_ETHER_TYPE_QINQ, 300, 6, 6u << 13 | 300,
		  RTE_ETHER_TYPE_QINQ, true },
		{ 0xa064, 0, false, 0, 200, -1, 0xa0c8, 0, true },
		{ 0xa064, 0, false, 0, -1, 2, 0x4064, 0, true },
		{ 0, 0, false, 0, 200, 2, 0, 0, false },  /* untagged: alone */
		{ 0x0064, 0, true, RTE_ETHER_TYPE_VLAN, 300, -1, 300, 0,
		  true },                                   /* re-tag */
		{ 0xa064, 0, true, 0, -1, -1, 0, 0, false, true },
		{ 0, 0, false, RTE_ETHER_TYPE_QINQ, 7, 1, 1u << 13 | 7,
		  RTE_ETHER_TYPE_QINQ, true, true },
		{ 100, 0, false, RTE_ETHER_TYPE_QINQ, 300, -1, 300,
		  RTE_ETHER_TYPE_QINQ, true, false, 100 }, /* QinQ */
	};

	reset();
	for (unsigned int k = 0; k < RTE_DIM(vc); k++) {
		struct flow_desc f = flow(false, IPPROTO_UDP), g;
		struct tun_desc t = tunnel(k & 1);
		const struct tun_desc *tp = vc[k].tun ? &t : NULL;
		struct rte_flow_action_of_push_vlan push = {
			.ethertype = rte_cpu_to_be_16(vc[k].push) };
		struct rte_flow_action_of_set_vlan_vid vid = {
			.vlan_vid = rte_cpu_to_be_16((uint16_t)vc[k].vid) };
		struct rte_flow_action_of_set_vlan_pcp pcp = {
			.vlan_pcp = (uint8_t)vc[k].pcp };
		struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
		struct acts l = {0};
		struct dst_pat d;

		f.tci = vc[k].tci;
		f.tpid = vc[k].tpid;
		g = f;
		g.tci = vc[k].otci;
		g.tpid = vc[k].otagged ? (vc[k].otpid ? vc[k].otpid :
					  RTE_ETHER_TYPE_VLAN) : 0;
		g.tci2 = vc[k].otci2;
		t.udp_csum = true;  /* the NIC must fix it */
		bp(0, tp, &f);
		bp(1, tp, &g);
		if (vc[k].pop)
			act(&l, RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, NULL);
		if (vc[k].push)
			act(&l, RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN, &push);
		if (vc[k].vid >= 0)
			act(&l, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, &vid);
		if (vc[k].pcp >= 0)
			act(&l, RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP, &pcp);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		ACT_CASE(vc[k].tun ? UPLINK : VF0,
			 dst_pattern(&d, &f, vc[k].tun), &l, &P[0], VF1,
			 &P[1]);
	}
}

/* N-6 VXLAN_DECAP: IPv4 and tagged IPv6 underlays; an inner tag stays. */
NF_TEST(test_action_decap)
{
	for (int k = 0; k < 3; k++) {
		struct flow_desc f = flow(k == 2, IPPROTO_TCP);
		struct tun_desc t = tunnel(k >= 1);
		struct rte_flow_action_port_id pid = { .id = env.port[VF0] };
		struct acts l = {0};
		struct dst_pat d;

		reset();
		f.dmac = VM1_MAC;
		f.dip = f.v6 ? VM1_IP6 : VM1_IP;
		if (k >= 1)
			t.tci = 4u << 13 | 30;
		if (k == 2)
			f.tci = 100;
		bp(0, &t, &f);
		bp(1, NULL, &f);
		act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		ACT_CASE(UPLINK, dst_pattern(&d, &f, true), &l, &P[0], VF0,
			 &P[1]);
	}
}

/* N-6 VXLAN_ENCAP: IPv4 / IPv6 outer, with and without VLAN in the
 * definition, a fixed (non-zero) UDP source port kept as given, the
 * definition's TOS/TTL, traffic class/flow label/hop limit, rsvd0. */
NF_TEST(test_action_encap)
{
	static const struct {
		bool v6;
		uint16_t tci, sport, dport;
		uint8_t tos, ttl;
		uint32_t fl, rsvd0;
		uint16_t inner_tci;
	} ec[] = {
		{ false, 0, 4444, 4789, 0, 0, 0, 0, 0 },
		{ false, 3u << 13 | 300, 4445, 0, 0x28, 17, 0, 0x33, 0 },
		{ true, 0, 4446, 4789, 0x30, 0, 0x12345, 0, 0 },
		{ true, 301, 4447, 4789, 0, 9, 0, 0xabcdef, 100 },
	};

	reset();
	for (unsigned int k = 0; k < RTE_DIM(ec); k++) {
		struct flow_desc f = flow(k == 2, IPPROTO_UDP);
		struct tun_desc t = {
			.dmac = VTEP_R_MAC, .smac = VTEP_L_MAC, .v6 = ec[k].v6,
			.sip = ec[k].v6 ? VTEP_L_IP6 : VTEP_L_IP,
			.dip = ec[k].v6 ? VTEP_R_IP6 : VTEP_R_IP,
			.vni = 5000 + k, .sport = ec[k].sport,
			.dport = ec[k].dport, .tci = ec[k].tci,
			.rsvd0 = ec[k].rsvd0, .ttl = ec[k].ttl,
			.tos = ec[k].tos, .flow_label = ec[k].fl,
			.df = !ec[k].v6,
		};
		struct rte_flow_action_port_id pid = {
			.id = env.port[UPLINK] };
		struct encap_def def;
		struct acts l = {0};
		struct dst_pat d;

		f.tci = ec[k].inner_tci;
		bp(0, NULL, &f);
		act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, encap_def(&def, &t));
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		bp(1, &t, &f);
		ACT_CASE(VF0, dst_pattern(&d, &f, false), &l, &P[0], UPLINK,
			 &P[1]);
	}
}

/* N-6 DEC_TTL: IPv4 TTL (header checksum), IPv6 hop limit, the inner
 * header of a VXLAN packet kept tunnelled (outer UDP checksum fixed);
 * TTL/hop limit <= 1 reaches software unmodified and uncounted. */
NF_TEST(test_action_dec_ttl)
{
	static const struct { bool v6, tun; uint8_t ttl, out; } tc[] = {
		{ false, false, 64, 63 }, { false, false, 2, 1 },
		{ true, false, 64, 63 }, { true, false, 2, 1 },
		{ false, true, 64, 63 }, { true, true, 255, 254 },
		{ true, false, 1, 0 }, { false, false, 1, 0 },
		{ false, false, 0, 0 },
	};
	uint64_t ttl0 = xstat(VF0, "miss_ttl");

	reset();
	for (unsigned int k = 0; k < RTE_DIM(tc); k++) {
		struct flow_desc f = flow(tc[k].v6, IPPROTO_TCP), g;
		struct tun_desc t = tunnel(false);
		struct rte_flow_action_count cnt = {0};
		struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
		struct rte_flow *r;
		struct acts l = {0};
		struct dst_pat d;

		t.udp_csum = true;
		f.ttl = tc[k].ttl;
		g = f;
		g.ttl = tc[k].out;
		bp(0, tc[k].tun ? &t : NULL, &f);
		bp(1, tc[k].tun ? &t : NULL, &g);
		if (tc[k].ttl == 0) {
			/* flow_desc's TTL 0 stands for 64: write a real 0 */
			struct rte_ipv4_hdr *ip = (void *)(P[0].b +
				pk_off(&P[0], PK_IPV4, 0));

			ip->time_to_live = 0;
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		act(&l, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		if (tc[k].out != 0) {
			ACT_CASE(VF0, dst_pattern(&d, &f, tc[k].tun), &l,
				 &P[0], VF1, &P[1]);
			continue;
		}
		act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
		r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
		send_n(VF0, &P[0], 1);
		EXPECT_UPCALL(VF0, &P[0]);
		EXPECT_QUIET();
		if (r != NULL)
			CHECK_COUNT(VF0, r, 0, 0);
		destroy(VF0, r);
	}
	NF_CHECK_EQ(xstat(VF0, "miss_ttl") - ttl0, 3);
}

/* N-6 SET_MAC_SRC, SET_MAC_DST, each alone, untagged and tagged. */
NF_TEST(test_action_set_mac)
{
	reset();
	for (int k = 0; k < 4; k++) {
		struct flow_desc f = flow(k & 1, IPPROTO_TCP), g;
		struct rte_flow_action_set_mac mac = {0};
		struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
		struct acts l = {0};
		struct dst_pat d;

		f.tci = k >= 2 ? 100 : 0;
		g = f;
		pk_mac(mac.mac_addr, GW_MAC);
		if (k % 2 == 0) {
			g.smac = GW_MAC;
			act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &mac);
		} else {
			g.dmac = GW_MAC;
			act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &mac);
		}
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		bp(0, NULL, &f);
		bp(1, NULL, &g);
		ACT_CASE(VF0, dst_pattern(&d, &f, false), &l, &P[0], VF1,
			 &P[1]);
	}
}

/* N-6 SAMPLE ratio 4 (spec §7.6): exactly every 4th packet is mirrored,
 * as received (before the rule's rewrites); COUNT and VOID sub-actions
 * are ignored. */
NF_TEST(test_action_sample_ratio)
{
	struct flow_desc f = flow(false, IPPROTO_UDP), g;
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_set_mac mac = {0};
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[VF1] };
	struct rte_flow_action_port_id to_vf2 = { .id = env.port[VF2] };
	struct rte_flow_action sub[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_VOID },
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT, .conf = &cnt },
		{ .type = RTE_FLOW_ACTION_TYPE_PORT_ID, .conf = &to_vf2 },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action_sample smp = { .ratio = 4, .actions = sub };
	struct rte_flow *r;
	struct acts l = {0};
	struct dst_pat d;

	reset();
	pk_mac(mac.mac_addr, GW_MAC);
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_SAMPLE, &smp);
	act(&l, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &mac);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1);
	r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	if (r == NULL)
		return;
	for (int k = 0; k < 14; k++) {
		f.sport = (uint16_t)(2000 + k);
		g = f;
		g.dmac = GW_MAC;
		bp(0, NULL, &f);
		bp(1, NULL, &g);
		send_n(VF0, &P[0], 1);
		EXPECT_WIRE(VF1, &P[1]);
		if (k % 4 == 3)
			EXPECT_WIRE(VF2, &P[0]);
		EXPECT_QUIET();
	}
	CHECK_COUNT(VF0, r, 14, 14u * P[0].len);
	destroy(VF0, r);
}

/* N-6 SET_IPV4_SRC/DST, SET_IPV6_SRC/DST on TCP and UDP: the IPv4 header
 * checksum and the L4 checksum (pseudo-header) stay valid; an IPv4 UDP
 * checksum of 0 ("none") stays 0; inside a VXLAN packet kept tunnelled the
 * outer UDP checksum follows; in ACL rules on ICMP, the ICMPv6 checksum
 * (its pseudo-header covers the addresses) follows too. */
NF_TEST(test_action_set_ip)
{
	static const struct {
		bool v6, dst;
		uint8_t proto;
		bool nocsum, tun;
	} ic[] = {
		{ false, false, IPPROTO_TCP, false },
		{ false, true, IPPROTO_TCP, false },
		{ false, false, IPPROTO_UDP, false },
		{ false, true, IPPROTO_UDP, false },
		{ false, true, IPPROTO_UDP, true },
		{ true, false, IPPROTO_TCP, false },
		{ true, true, IPPROTO_TCP, false },
		{ true, false, IPPROTO_UDP, false },
		{ true, true, IPPROTO_UDP, false },
		{ false, true, IPPROTO_TCP, false, true },
		{ true, false, IPPROTO_UDP, false, true },
		{ false, true, IPPROTO_ICMP, false, false },   /* ACL */
		{ true, true, IPPROTO_ICMPV6, false, false },  /* ACL */
	};

	reset();
	for (unsigned int k = 0; k < RTE_DIM(ic); k++) {
		struct flow_desc f = flow(ic[k].v6, ic[k].proto), g;
		struct tun_desc t = tunnel(!ic[k].v6);
		const struct tun_desc *tp = ic[k].tun ? &t : NULL;
		bool icmp = ic[k].proto != IPPROTO_TCP &&
			    ic[k].proto != IPPROTO_UDP;
		struct rte_flow_attr acl = acl_attr(true, 0);
		struct rte_flow_action_set_ipv4 a4 = {0};
		struct rte_flow_action_set_ipv6 a6 = {{0}};
		struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
		enum rte_flow_action_type type;
		struct acts l = {0};
		struct dst_pat d;
		const char *nat = ic[k].v6 ? NAT_IP6 : NAT_IP;

		f.no_udp_csum = ic[k].nocsum;
		if (icmp) {
			f.sport = ic[k].v6 ? 128 : 8;   /* echo request */
			f.dport = 0;
		}
		g = f;
		if (ic[k].dst)
			g.dip = nat;
		else
			g.sip = nat;
		inet_pton(AF_INET, NAT_IP, &a4.ipv4_addr);
		inet_pton(AF_INET6, NAT_IP6, a6.ipv6_addr);
		if (ic[k].v6)
			type = ic[k].dst ? RTE_FLOW_ACTION_TYPE_SET_IPV6_DST :
					   RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC;
		else
			type = ic[k].dst ? RTE_FLOW_ACTION_TYPE_SET_IPV4_DST :
					   RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC;
		act(&l, type, ic[k].v6 ? (const void *)&a6 :
					 (const void *)&a4);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		t.udp_csum = true;
		bp(0, tp, &f);
		bp(1, tp, &g);
		act_case(icmp ? &acl : &fwd_attr, ic[k].tun ? UPLINK : VF0,
			 dst_pattern(&d, &f, ic[k].tun), &l, &P[0], VF1,
			 &P[1], __LINE__);
	}
}

/* N-6 DROP in a forwarding rule and in an ACL rule (ARP, which the
 * forwarding table never sees): counted, xstat drop_rule. */
NF_TEST(test_action_drop)
{
	struct flow_desc f = flow(true, IPPROTO_UDP);
	struct rte_flow_item_eth arp = { .type = RTE_BE16(0x0806) };
	struct rte_flow_item_eth arp_m = { .type = RTE_BE16(0xffff) };
	struct rte_flow_attr a = acl_attr(true, 1);
	struct rte_flow_action_count cnt = {0};
	uint64_t d0 = xstat(VF0, "drop_rule"), du = xstat(UPLINK, "drop_rule");
	struct rte_flow *r, *ra;
	struct acts l = {0};
	struct dst_pat d;
	struct pat p;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_DROP, NULL);
	r = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	ra = CREATE(UPLINK, &a, pat1(&p, RTE_FLOW_ITEM_TYPE_ETH, &arp, &arp_m),
		    &l);
	if (r == NULL || ra == NULL)
		return;
	bp(0, NULL, &f);
	VARY(1, f, dip, OTHER_IP6);
	send_n(VF0, &P[0], 3);
	EXPECT_QUIET();
	send_n(VF0, &P[1], 1);
	EXPECT_UPCALL(VF0, &P[1]);
	CHECK_COUNT(VF0, r, 3, 3u * P[0].len);
	pk_init(&P[2]);
	pk_eth(&P[2], "ff:ff:ff:ff:ff:ff", VTEP_R_MAC, 0x0806);
	pk_payload(&P[2], 28);
	pk_finish(&P[2]);
	send_n(UPLINK, &P[2], 2);
	send_n(UPLINK, &P[0], 1);
	EXPECT_UPCALL(UPLINK, &P[0]);
	EXPECT_QUIET();
	CHECK_COUNT(UPLINK, ra, 2, 2u * P[2].len);
	NF_CHECK_EQ(xstat(VF0, "drop_rule") - d0, 3);
	NF_CHECK_EQ(xstat(UPLINK, "drop_rule") - du, 2);
	destroy(VF0, r);
	destroy(UPLINK, ra);
}

/* N-6, N-11 INDIRECT: two forwarding rules share a COUNT handle; a rule
 * with its own COUNT reports that one, a rule with only INDIRECT the
 * handle (and resets it). */
NF_TEST(test_action_indirect)
{
	struct flow_desc f = flow(false, IPPROTO_TCP), g;
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action cnt_act = { .type = RTE_FLOW_ACTION_TYPE_COUNT,
					   .conf = &cnt };
	struct rte_flow_indir_action_conf hconf = { .ingress = 1 };
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[VF1] };
	struct rte_flow_action_port_id to_vf2 = { .id = env.port[VF2] };
	struct rte_flow_action_handle *h;
	struct rte_flow_query_count q = {0};
	struct rte_flow_error err;
	struct rte_flow *ra, *rb;
	struct acts la = {0}, lb = {0};
	struct dst_pat da, db;
	uint64_t ba, bb;

	reset();
	h = rte_flow_action_handle_create(env.port[VF0], &hconf, &cnt_act,
					  &err);
	NF_CHECK(h != NULL);
	if (h == NULL)
		return;
	g = f;
	g.dip = OTHER_IP;
	act(&la, RTE_FLOW_ACTION_TYPE_INDIRECT, h);
	act(&la, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&la, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1);
	act(&lb, RTE_FLOW_ACTION_TYPE_INDIRECT, h);
	act(&lb, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf2);
	ra = CREATE(VF0, &fwd_attr, dst_pattern(&da, &f, false), &la);
	rb = CREATE(VF0, &fwd_attr, dst_pattern(&db, &g, false), &lb);
	if (ra == NULL || rb == NULL)
		return;
	bp(0, NULL, &f);
	bp(1, NULL, &g);
	send_n(VF0, &P[0], 2);
	send_n(VF0, &P[1], 3);
	EXPECT_WIRE(VF1, &P[0]);
	EXPECT_WIRE(VF1, &P[0]);
	for (int k = 0; k < 3; k++)
		EXPECT_WIRE(VF2, &P[1]);
	EXPECT_QUIET();
	ba = 2u * P[0].len;
	bb = 3u * P[1].len;
	NF_CHECK_EQ(rte_flow_action_handle_query(env.port[VF0], h, &q, &err),
		    0);
	NF_CHECK_EQ(q.hits, 5);
	NF_CHECK_EQ(q.bytes, ba + bb);
	CHECK_COUNT(VF0, ra, 2, ba);       /* its own COUNT */
	CHECK_COUNT(VF0, rb, 5, ba + bb);  /* the handle */
	check_count(VF0, rb, 5, ba + bb, 1, __LINE__);
	NF_CHECK_EQ(rte_flow_action_handle_query(env.port[VF0], h, &q, &err),
		    0);
	NF_CHECK_EQ(q.hits, 0);
	NF_CHECK_EQ(q.bytes, 0);
	send_n(VF0, &P[0], 1);
	EXPECT_WIRE(VF1, &P[0]);
	q.reset = 1;
	NF_CHECK_EQ(rte_flow_action_handle_query(env.port[VF0], h, &q, &err),
		    0);
	NF_CHECK_EQ(q.hits, 1);
	CHECK_COUNT(VF0, rb, 0, 0);
	CHECK_COUNT(VF0, ra, 3, ba + P[0].len);
	/* in use: refused; after its rules: gone */
	NF_CHECK(rte_flow_action_handle_destroy(env.port[VF0], h, &err) != 0);
	destroy(VF0, ra);
	destroy(VF0, rb);
	NF_CHECK_EQ(rte_flow_action_handle_destroy(env.port[VF0], h, &err), 0);
}

/* N-6 MODIFY_FIELD IPV4_DSCP SET/ADD/SUB (wrapping modulo 2^width, with
 * offset/width), IPV6_DSCP SET/SUB; ECN bits and the flow label kept, the
 * IPv4 header checksum valid; DSCP on the inner header of a VXLAN packet
 * forwarded without decap fixes a non-zero outer UDP checksum. */
NF_TEST(test_action_modify_dscp)
{
	static const struct {
		bool v6, tun;
		enum rte_flow_modify_op op;
		uint8_t value, offset, width, tos, out;
	} mc[] = {
		{ false, false, RTE_FLOW_MODIFY_SET, 46, 0, 6, 0x01, 0xb9 },
		{ false, false, RTE_FLOW_MODIFY_ADD, 10, 0, 6, 0xf2, 0x1a },
		{ false, false, RTE_FLOW_MODIFY_SUB, 10, 0, 6, 0x10, 0xe8 },
		{ false, false, RTE_FLOW_MODIFY_SET, 5, 3, 3, 0x1c, 0xbc },
		{ false, false, RTE_FLOW_MODIFY_ADD, 3, 4, 2, 0xc3, 0x83 },
		{ true, false, RTE_FLOW_MODIFY_SET, 46, 0, 6, 0x03, 0xbb },
		{ true, false, RTE_FLOW_MODIFY_SUB, 1, 0, 6, 0x00, 0xfc },
		{ false, true, RTE_FLOW_MODIFY_SET, 46, 0, 6, 0x00, 0xb8 },
		{ true, true, RTE_FLOW_MODIFY_ADD, 8, 0, 6, 0x01, 0x21 },
	};

	reset();
	for (unsigned int k = 0; k < RTE_DIM(mc); k++) {
		struct flow_desc f = flow(mc[k].v6, IPPROTO_UDP), g;
		struct tun_desc t = tunnel(mc[k].v6);
		struct rte_flow_action_modify_field md = modify(mc[k].v6 ?
			RTE_FLOW_FIELD_IPV6_DSCP : RTE_FLOW_FIELD_IPV4_DSCP,
			mc[k].op, mc[k].value, mc[k].offset, mc[k].width);
		struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
		unsigned int in = mc[k].tun ? UPLINK : VF0;
		struct acts l = {0};
		struct dst_pat d;

		t.udp_csum = true;
		f.tos = mc[k].tos;
		f.flow_label = 0xabcde;
		g = f;
		g.tos = mc[k].out;
		bp(0, mc[k].tun ? &t : NULL, &f);
		bp(1, mc[k].tun ? &t : NULL, &g);
		act(&l, RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, &md);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		ACT_CASE(in, dst_pattern(&d, &f, mc[k].tun), &l, &P[0], VF1,
			 &P[1]);
	}
}

/* N-6 MODIFY_FIELD IPV4_DSCP / IPV6_DSCP name an IP version: in a rule
 * whose pattern matches both versions, a packet of the other version is
 * left alone, as for SET_IPV4/6_* (docs/snic.md "Action order"). */
NF_TEST(test_action_modify_dscp_version)
{
	struct rte_flow_item_eth s = {0}, m = {0};
	struct pat p;

	reset();
	pk_mac(s.dst.addr_bytes, VM2_MAC);
	memset(&m.dst, 0xff, RTE_ETHER_ADDR_LEN);
	for (int v6 = 0; v6 < 2; v6++) {
		struct rte_flow_action_modify_field md = modify(v6 ?
			RTE_FLOW_FIELD_IPV6_DSCP : RTE_FLOW_FIELD_IPV4_DSCP,
			RTE_FLOW_MODIFY_SET, 46, 0, 6);
		struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
		struct flow_desc f = flow(v6, IPPROTO_TCP);
		struct flow_desc o = flow(!v6, IPPROTO_TCP);
		struct acts l = {0};

		act(&l, RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, &md);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		bp(0, NULL, &f);
		VARY(1, f, tos, 46 << 2);
		ACT_CASE(VF0, pat1(&p, RTE_FLOW_ITEM_TYPE_ETH, &s, &m), &l,
			 &P[0], VF1, &P[1]);
		bp(0, NULL, &o);   /* COUNT twice now: still counts once */
		ACT_CASE(VF0, p.it, &l, &P[0], VF1, &P[0]);
	}
}

/* N-6 MODIFY_FIELD VXLAN_RSVD0 (custom): on the header VXLAN_ENCAP adds;
 * on a received VXLAN packet forwarded without decap, uplink to uplink
 * (hairpin) and to a VF (a non-zero outer UDP checksum fixed, ADD wrapping
 * at 24 bits); no effect on a packet without VXLAN. */
NF_TEST(test_action_modify_rsvd0)
{
	static const struct {
		int kind;                /* 0 encap, 1 hairpin, 2 to VF0,
					  * 3 not tunnelled */
		bool v6;
		enum rte_flow_modify_op op;
		uint32_t value, offset, width, rsvd0, out;
	} rc[] = {
		{ 0, false, RTE_FLOW_MODIFY_SET, 0x5a, 0, 8, 0x120011,
		  0x12005a },
		{ 0, true, RTE_FLOW_MODIFY_SET, 0xabcdef, 0, 24, 0, 0xabcdef },
		{ 1, false, RTE_FLOW_MODIFY_SET, 0x5a, 0, 8, 0x110000,
		  0x11005a },
		{ 1, true, RTE_FLOW_MODIFY_SUB, 1, 8, 8, 0x000001, 0x00ff01 },
		{ 2, false, RTE_FLOW_MODIFY_ADD, 1, 0, 24, 0xffffff, 0 },
		{ 2, true, RTE_FLOW_MODIFY_SET, 0x77, 0, 24, 0x123456,
		  0x000077 },
		{ 3, false, RTE_FLOW_MODIFY_SET, 0x5a, 0, 8, 0, 0 },
	};

	reset();
	for (unsigned int k = 0; k < RTE_DIM(rc); k++) {
		struct flow_desc f = flow(false, IPPROTO_TCP);
		struct tun_desc t = tunnel(rc[k].v6), u;
		struct rte_flow_action_modify_field md = modify(
			RTE_FLOW_FIELD_VXLAN_RSVD0, rc[k].op, rc[k].value,
			rc[k].offset, rc[k].width);
		unsigned int in = UPLINK, out = UPLINK;
		struct rte_flow_action_port_id pid;
		struct encap_def def;
		struct acts l = {0};
		struct dst_pat d;

		t.rsvd0 = rc[k].rsvd0;
		t.udp_csum = rc[k].kind == 2;
		if (rc[k].kind == 0) {
			t = (struct tun_desc){ .dmac = VTEP_R_MAC,
				.smac = VTEP_L_MAC, .v6 = rc[k].v6,
				.sip = rc[k].v6 ? VTEP_L_IP6 : VTEP_L_IP,
				.dip = rc[k].v6 ? VTEP_R_IP6 : VTEP_R_IP,
				.vni = 6000, .sport = 4500,
				.rsvd0 = rc[k].rsvd0, .df = !rc[k].v6 };
			in = VF0;
			act(&l, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP,
			    encap_def(&def, &t));
		} else if (rc[k].kind == 2) {
			out = VF0;
		} else if (rc[k].kind == 3) {
			in = VF0;
			out = VF1;
		}
		u = t;
		u.rsvd0 = rc[k].out;
		pid.id = env.port[out];
		act(&l, RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, &md);
		act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
		bp(0, rc[k].kind >= 1 && rc[k].kind <= 2 ? &t : NULL, &f);
		bp(1, rc[k].kind <= 2 ? &u : NULL, &f);
		ACT_CASE(in, dst_pattern(&d, &f, rc[k].kind == 1 ||
					 rc[k].kind == 2),
			 &l, &P[0], out, &P[1]);
	}
}

/* N-9 ACL upcall: RTE_FLOW_ACTION_TYPE_SNIC_UPCALL and QUEUE index 0 (its
 * synonym) send packets the forwarding table would forward to software,
 * unmodified, counted (miss_acl_upcall); at egress the forwarded packet
 * goes to the ingress port's rx. */
NF_TEST(test_action_upcall)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_attr in0 = acl_attr(true, 0), out0 = acl_attr(false, 0);
	struct rte_flow_item_udp u53 = { .hdr.dst_port = RTE_BE16(53) };
	struct rte_flow_item_udp u54 = { .hdr.dst_port = RTE_BE16(54) };
	struct rte_flow_item_udp u55 = { .hdr.dst_port = RTE_BE16(55) };
	struct rte_flow_item_udp um = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_action_queue q0 = { .index = 0 };
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	uint64_t up0 = xstat(VF0, "miss_acl_upcall");
	struct rte_flow *fw, *a53, *a54, *a55;
	struct acts l = {0}, l53 = {0}, l54 = {0}, l55 = {0};
	struct dst_pat d;
	struct pat p;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	fw = CREATE(VF0, &fwd_attr, dst_pattern(&d, &f, false), &l);
	act(&l53, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l53, RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL);
	a53 = CREATE(VF0, &in0, pat1(&p, RTE_FLOW_ITEM_TYPE_UDP, &u53, &um),
		     &l53);
	act(&l54, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l54, RTE_FLOW_ACTION_TYPE_QUEUE, &q0);
	a54 = CREATE(VF0, &in0, pat1(&p, RTE_FLOW_ITEM_TYPE_UDP, &u54, &um),
		     &l54);
	act(&l55, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l55, RTE_FLOW_ACTION_TYPE_SNIC_UPCALL, NULL);
	a55 = CREATE(VF1, &out0, pat1(&p, RTE_FLOW_ITEM_TYPE_UDP, &u55, &um),
		     &l55);
	if (fw == NULL || a53 == NULL || a54 == NULL || a55 == NULL)
		return;
	VARY(0, f, dport, 53);
	VARY(1, f, dport, 54);
	VARY(2, f, dport, 55);
	bp(3, NULL, &f);
	for (int k = 0; k < 3; k++) {
		send_n(VF0, &P[k], 1);
		EXPECT_UPCALL(VF0, &P[k]);
		EXPECT_QUIET();
	}
	send_n(VF0, &P[3], 1);
	EXPECT_WIRE(VF1, &P[3]);
	EXPECT_QUIET();
	CHECK_COUNT(VF0, a53, 1, P[0].len);
	CHECK_COUNT(VF0, a54, 1, P[1].len);
	CHECK_COUNT(VF1, a55, 1, P[2].len);
	NF_CHECK_EQ(xstat(VF0, "miss_acl_upcall") - up0, 3);
}

/* ====================================================== table behaviour */

/* Two overlapping forwarding rules, different masks: priority 0 wins in
 * either creation order; destroying it hands the flow to the other. */
NF_TEST(test_table_priority)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_item_udp u53 = { .hdr.dst_port = RTE_BE16(53) };
	struct rte_flow_item_udp u53_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[VF1] };
	struct rte_flow_action_port_id to_vf2 = { .id = env.port[VF2] };
	struct dst_pat dw, dn;

	VARY(0, f, dport, 53);
	VARY(1, f, dport, 80);
	dst_pattern(&dw, &f, false);
	pat_add(&dw.p, RTE_FLOW_ITEM_TYPE_UDP, NULL, NULL);
	dst_pattern(&dn, &f, false);
	pat_add(&dn.p, RTE_FLOW_ITEM_TYPE_UDP, &u53, &u53_m);
	/* order bit 0: narrow rule first; bit 1: the wide rule has
	 * priority 0 */
	for (int c = 0; c < 4; c++) {
		struct rte_flow_attr aw = { .ingress = 1, .priority = c & 2 ?
					    0 : 1 };
		struct rte_flow_attr an = { .ingress = 1, .priority = c & 2 ?
					    1 : 0 };
		struct acts lw = {0}, ln = {0};
		struct rte_flow *rw, *rn;
		bool wide_wins = c & 2;

		reset();
		act(&lw, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1);
		act(&ln, RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf2);
		if (c & 1) {
			rn = CREATE(VF0, &an, dn.p.it, &ln);
			rw = CREATE(VF0, &aw, dw.p.it, &lw);
		} else {
			rw = CREATE(VF0, &aw, dw.p.it, &lw);
			rn = CREATE(VF0, &an, dn.p.it, &ln);
		}
		if (rw == NULL || rn == NULL)
			continue;
		send_n(VF0, &P[0], 1);
		EXPECT_WIRE(wide_wins ? VF1 : VF2, &P[0]);
		send_n(VF0, &P[1], 1);
		EXPECT_WIRE(VF1, &P[1]);
		EXPECT_QUIET();
		/* destroy the priority-0 rule: the other takes over */
		destroy(VF0, wide_wins ? rw : rn);
		send_n(VF0, &P[0], 1);
		EXPECT_WIRE(wide_wins ? VF2 : VF1, &P[0]);
		send_n(VF0, &P[1], 1);
		if (wide_wins)
			EXPECT_UPCALL(VF0, &P[1]);
		else
			EXPECT_WIRE(VF1, &P[1]);
		EXPECT_QUIET();
		destroy(VF0, wide_wins ? rn : rw);
	}
}

/* P[0] = packet k of the growth case: UDP to 10.1.(k / 250).(k % 250 + 1). */
static void
growth_pkt(int k)
{
	struct flow_desc f = flow(false, IPPROTO_UDP);
	char ip[32];

	snprintf(ip, sizeof(ip), "10.1.%d.%d", k / 250, k % 250 + 1);
	f.dip = ip;
	bp(0, NULL, &f);
}

/* N-21: 5000 rules of one mask (distinct destinations) fill the first
 * 1024-entry hash several times over; every rule forwards its packet byte
 * for byte and every rule is destroyed cleanly. */
NF_TEST(test_table_growth)
{
	enum { RULES = 5000, BATCH = 250 };
	static struct rte_flow *r[RULES];
	struct flow_desc f = flow(false, IPPROTO_UDP);
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	uint64_t fwd0 = xstat(VF0, "nic_hw_forwarded");
	unsigned int created = 0, bad = 0, destroyed = 0;
	struct rte_flow_error err;
	struct acts l = {0};
	struct dst_pat d;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	dst_pattern(&d, &f, false);
	pat_add(&d.p, RTE_FLOW_ITEM_TYPE_UDP, NULL, NULL);
	for (int k = 0; k < RULES; k++) {
		d.ip4.hdr.dst_addr = rte_cpu_to_be_32(0x0a010000u |
			(uint32_t)(k / 250) << 8 | (uint32_t)(k % 250 + 1));
		r[k] = rte_flow_create(env.port[VF0], &fwd_attr, d.p.it, l.a,
				       &err);
		created += r[k] != NULL;
	}
	NF_CHECK_EQ(created, RULES);
	for (int b = 0; b < RULES; b += BATCH) {
		uint8_t out[2048] __rte_aligned(8);

		for (int k = b; k < b + BATCH; k++) {
			growth_pkt(k);
			NF_CHECK_EQ(snic_env_inject(&env, VF0, P[0].b,
						    P[0].len), 0);
		}
		snic_env_poll(&env);
		for (int k = b; k < b + BATCH; k++) {
			int n = snic_env_wire_read(&env, VF1, out,
						   sizeof(out));

			growth_pkt(k);
			bad += n != P[0].len || memcmp(out, P[0].b, n) != 0;
		}
	}
	NF_CHECK_EQ(bad, 0);
	EXPECT_QUIET();
	NF_CHECK_EQ(xstat(VF0, "nic_hw_forwarded") - fwd0, RULES);
	for (int k = 0; k < RULES; k++)
		if (r[k] != NULL)
			destroyed += rte_flow_destroy(env.port[VF0], r[k],
						      &err) == 0;
	NF_CHECK_EQ(destroyed, created);
	/* all gone: the first and last flows reach software */
	f.dip = "10.1.0.1";
	bp(0, NULL, &f);
	f.dip = "10.1.19.250";
	bp(1, NULL, &f);
	send_n(VF0, &P[0], 1);
	send_n(VF0, &P[1], 1);
	EXPECT_UPCALL(VF0, &P[0]);
	EXPECT_UPCALL(VF0, &P[1]);
	EXPECT_QUIET();
}

/* N-21, inline mode: a rule created between two packets of a flow takes
 * effect on the next packet; a destroyed one likewise stops at once. */
NF_TEST(test_table_insert_under_traffic)
{
	struct flow_desc f = flow(false, IPPROTO_TCP);
	struct rte_flow_action_count cnt = {0};
	struct rte_flow_action_port_id pid = { .id = env.port[VF1] };
	struct rte_flow *r = NULL;
	struct acts l = {0};
	struct dst_pat d;

	reset();
	act(&l, RTE_FLOW_ACTION_TYPE_COUNT, &cnt);
	act(&l, RTE_FLOW_ACTION_TYPE_PORT_ID, &pid);
	dst_pattern(&d, &f, false);
	for (int k = 0; k < 12; k++) {
		f.sport = (uint16_t)(3000 + k);
		bp(0, NULL, &f);
		NF_CHECK_EQ(snic_env_inject(&env, VF0, P[0].b, P[0].len), 0);
		poll_once(VF0);
		if (k < 5 || k >= 9)
			EXPECT_UPCALL(VF0, &P[0]);
		else
			EXPECT_WIRE(VF1, &P[0]);
		EXPECT_QUIET();
		if (k == 4)
			r = CREATE(VF0, &fwd_attr, d.p.it, &l);
		if (k == 8 && r != NULL) {
			CHECK_COUNT(VF0, r, 4, 4u * P[0].len);
			destroy(VF0, r);
		}
	}
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_item_eth),
		NF_CASE(test_item_vlan),
		NF_CASE(test_item_ipv4),
		NF_CASE(test_item_ipv6),
		NF_CASE(test_item_tcp),
		NF_CASE(test_item_udp),
		NF_CASE(test_item_tag_forwarding),
		NF_CASE(test_item_icmp_acl),
		NF_CASE(test_item_vxlan),
		NF_CASE(test_item_outer_ip),
		NF_CASE(test_item_ingress_port),
		NF_CASE(test_item_void),
		NF_CASE(test_action_count),
		NF_CASE(test_action_port),
		NF_CASE(test_action_vlan),
		NF_CASE(test_action_decap),
		NF_CASE(test_action_encap),
		NF_CASE(test_action_dec_ttl),
		NF_CASE(test_action_set_mac),
		NF_CASE(test_action_sample_ratio),
		NF_CASE(test_action_set_ip),
		NF_CASE(test_action_drop),
		NF_CASE(test_action_indirect),
		NF_CASE(test_action_modify_dscp),
		NF_CASE(test_action_modify_dscp_version),
		NF_CASE(test_action_modify_rsvd0),
		NF_CASE(test_action_upcall),
		NF_CASE(test_table_priority),
		NF_CASE(test_table_growth),
		NF_CASE(test_table_insert_under_traffic),
	};
	return snic_env_main(snic_env_eal_init("snic_items"), &env,
			     "net_snic_items", 3, NULL, cases,
			     RTE_DIM(cases), reset);
}
