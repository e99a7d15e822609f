/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The nicflow authors
 */

/*
 * net_snic and malformed frames (N-1, N-2, N-3, N-21). Frames cut at every
 * byte of every header (Ethernet, VLAN, IPv4, IPv4 options, IPv6, IPv6
 * extension headers, TCP, TCP options, UDP, ICMP, ICMPv6, VXLAN, the inner
 * Ethernet and IP of VXLAN), with bad lengths and flags, or random, enter a
 * VF and the uplink. The NIC must not crash (this program runs under
 * ASan/UBSan), must send nothing on any wire and upcall nothing for them,
 * and must count each in the ingress port's xstats "malformed_<reason>"
 * (nf_pkt_err_name) -- the crafted ones exactly. Valid IPv6 packets with
 * extension headers before UDP are parsed and forwarded by a matching rule.
 */

#include <ethdev_driver.h>
#include <rte_flow.h>

#include "nf_pkt.h"
#include "nf_test.h"
#include "pktgen.h"
#include "snic_env.h"

#define VM1_MAC "02:00:00:00:00:01"
#define VM2_MAC "02:00:00:00:00:02"
#define GW_MAC "02:00:00:00:00:fe"
#define PEER_MAC "0e:00:00:00:00:01"

#define FUZZ_FRAMES 100000
#define FUZZ_MAX_LEN 200

/* A sanitizer report fails the test instead of scrolling by. */
const char *__ubsan_default_options(void);
const char *
__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static struct snic_env env;
/* Expected malformed counts, by env index and reason. */
static uint64_t want[SNIC_ENV_MAX][NF_PKT_ERR_MAX];
/* Well-formed frames upcalled so far (no rule), by env index. */
static uint64_t upcalls_ok[SNIC_ENV_MAX];

/* ------------------------------------------------------------ helpers */

static uint64_t
malformed(unsigned int i, int why)
{
	char name[64];

	snprintf(name, sizeof(name), "malformed_%s", nf_pkt_err_name(why));
	return snic_env_xstat(env.port[i], name);
}

static uint64_t
malformed_total(unsigned int i)
{
	uint64_t n = 0;

	for (int r = 1; r < NF_PKT_ERR_MAX; r++)
		n += malformed(i, r);
	return n;
}

/* Frames the NIC sent on any wire or upcalled since the last drain. */
static void
drain(unsigned int *wire, unsigned int *up)
{
	struct rte_mbuf *pkts[32];
	unsigned int w = 0, u = 0;
	void *m;

	for (unsigned int i = 0; i < env.n; i++) {
		uint16_t n;

		while (rte_ring_dequeue(env.wire[i].out, &m) == 0) {
			rte_pktmbuf_free(m);
			w++;
		}
		while ((n = rte_eth_rx_burst(env.port[i], 0, pkts, 32)) > 0) {
			rte_pktmbuf_free_bulk(pkts, n);
			u += n;
		}
		while (env.upr[i] < env.nup[i]) {
			rte_pktmbuf_free(env.up[i][env.upr[i]++]);
			u++;
		}
		/* snic_env_poll keeps (and counts) at most SNIC_ENV_UPQ */
		env.nup[i] = 0;
		env.upr[i] = 0;
	}
	if (wire != NULL)
		*wire = w;
	if (up != NULL)
		*up = u;
}

/*
 * Frame b cut to len bytes enters port i; the room - len bytes after the
 * cut are in the mbuf's tailroom, so a parser reading past data_len would
 * see a well-formed frame there (DPDK mempool memory is not ASan-poisoned:
 * this is what catches an over-read). With seg > 0 the frame is a chain,
 * its first segment seg bytes long (only that one is parsed).
 */
static int
inject_cut(unsigned int i, const uint8_t *b, uint16_t len, uint16_t room,
	   uint16_t seg)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(env.mp), *m2 = NULL;
	char *d;

	if (m == NULL)
		return -1;
	d = rte_pktmbuf_append(m, room);
	if (d == NULL)
		goto fail;
	memcpy(d, b, room);
	if (rte_pktmbuf_trim(m, room - len) != 0)
		goto fail;
	if (seg > 0 && seg < len) {
		m2 = rte_pktmbuf_alloc(env.mp);
		if (m2 == NULL)
			goto fail;
		memcpy(rte_pktmbuf_append(m2, len - seg), b + seg, len - seg);
		rte_pktmbuf_trim(m, len - seg);
		if (rte_pktmbuf_chain(m, m2) != 0)
			goto fail;
	}
	if (rte_ring_enqueue(env.wire[i].in, m) == 0)
		return 0;
fail:
	rte_pktmbuf_free(m2);
	rte_pktmbuf_free(m);
	return -1;
}

/* A malformed frame enters port i: dropped, counted once as why. */
static void
bad(int line, const char *what, unsigned int i, const uint8_t *b,
    uint16_t len, uint16_t room, uint16_t seg, int why)
{
	uint64_t before = malformed(i, why);
	uint64_t total = malformed_total(i);
	unsigned int w, u;

	if (inject_cut(i, b, len, room, seg) != 0) {
		NF_CHECK(0);
		return;
	}
	snic_env_poll(&env);
	want[i][why]++;
	drain(&w, &u);
	if (malformed(i, why) == before + 1 &&
	    malformed_total(i) == total + 1 && w == 0 && u == 0)
		return;
	nf_test_failed_checks++;
	fprintf(stderr, "%s:%d: %s, length %u (segment %u), port %u: want "
		"malformed_%s; got %+lld of it, %+lld malformed in all, %u "
		"sent, %u upcalled\n", __FILE__, line, what, len, seg, i,
		nf_pkt_err_name(why),
		(long long)(malformed(i, why) - before),
		(long long)(malformed_total(i) - total), w, u);
}

#define BAD(i, what, b, len, why) bad(__LINE__, what, i, b, len, len, 0, why)

/* Insert n zero bytes at off, after layer li: later layers move. */
static uint8_t *
pk_insert(struct pk *p, int li, uint16_t off, uint16_t n)
{
	memmove(p->b + off + n, p->b + off, p->len - off);
	memset(p->b + off, 0, n);
	p->len += n;
	for (int i = li + 1; i < p->nl; i++)
		p->l[i].off += n;
	return p->b + off;
}

static int
pk_layer(const struct pk *p, enum pk_layer t)
{
	for (int i = 0; i < p->nl; i++)
		if (p->l[i].type == t)
			return i;
	return -1;
}

/* IPv4 options (NOPs, then EOL) on the first, non-tunnelled IPv4 header. */
static void
ipv4_options(struct pk *p, uint16_t n)
{
	int li = pk_layer(p, PK_IPV4);
	uint16_t off = p->l[li].off;
	struct rte_ipv4_hdr *ip;
	uint8_t *o = pk_insert(p, li, off + 20, n);

	memset(o, 1, n - 1);
	ip = (struct rte_ipv4_hdr *)(p->b + off);
	ip->version_ihl = 0x40 | (5 + n / 4);
	ip->total_length = htons(ntohs(ip->total_length) + n);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/*
 * IPv6 extension headers (hop-by-hop, routing, destination options) after
 * the first IPv6 header; len[k] is each header's length in 8-byte units
 * minus 1. Upper-layer checksums do not change (RFC 8200 §8.1).
 */
static void
ipv6_ext(struct pk *p, const uint8_t *types, const uint8_t *len, int n)
{
	int li = pk_layer(p, PK_IPV6);
	uint16_t off = p->l[li].off;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(p->b + off);
	uint16_t at = off + 40, total = 0;
	uint8_t next = ip->proto;

	for (int k = 0; k < n; k++)
		total += (len[k] + 1) * 8;
	pk_insert(p, li, at, total);
	ip = (struct rte_ipv6_hdr *)(p->b + off);
	ip->proto = types[0];
	ip->payload_len = htons(ntohs(ip->payload_len) + total);
	for (int k = 0; k < n; k++) {
		uint8_t *h = p->b + at;

		h[0] = k + 1 < n ? types[k + 1] : next;
		h[1] = len[k];
		/* a PadN option filling the rest */
		h[2] = 1;
		h[3] = (len[k] + 1) * 8 - 4;
		at += (len[k] + 1) * 8;
	}
}

/*
 * Length fields of every IPv4, IPv6 and UDP header that starts before the
 * cut at len, rewritten to end there: the parser then reaches the header
 * that is cut instead of refusing an enclosing length.
 */
static void
fix_lengths(uint8_t *b, uint16_t len, const struct pk *p)
{
	for (int i = 0; i < p->nl; i++) {
		uint16_t off = p->l[i].off;
		uint16_t v;

		if (off >= len)
			break;
		if (p->l[i].type == PK_IPV4 && len - off >= 4) {
			v = htons(len - off);
			memcpy(b + off + 2, &v, 2);
		} else if (p->l[i].type == PK_IPV6 && len - off >= 40) {
			v = htons(len - off - 40);
			memcpy(b + off + 4, &v, 2);
		} else if (p->l[i].type == PK_UDP && len - off >= 8) {
			v = htons(len - off);
			memcpy(b + off + 4, &v, 2);
		}
	}
}

/* Cuts below end[k] (and at or above end[k - 1]) are refused as why[k]. */
struct seg {
	uint16_t end;
	int why;
};

/*
 * Every cut of p below the last segment's end, on port i. With split, the
 * frame is whole but its first mbuf segment ends at the cut.
 */
static void
cuts(const char *what, unsigned int i, const struct pk *p, bool fix,
     const struct seg *s, unsigned int n, bool split)
{
	uint8_t b[512];
	char label[96];
	unsigned int k = 0;

	for (uint16_t len = split; len < s[n - 1].end; len++) {
		while (len >= s[k].end)
			k++;
		memcpy(b, p->b, p->len);
		if (fix)
			fix_lengths(b, len, p);
		snprintf(label, sizeof(label), "%s %s", what,
			 split ? "split" : fix ? "cut, lengths fixed" : "cut");
		if (split)
			bad(__LINE__, label, i, p->b, p->len, p->len, len,
			    s[k].why);
		else
			bad(__LINE__, label, i, b, len, p->len, 0, s[k].why);
	}
}

/* Split after all headers (from first on): parsed, upcalled (no rule). */
static void
split_ok(unsigned int i, const struct pk *p, uint16_t first)
{
	uint64_t total = malformed_total(i);
	unsigned int w, u;

	for (uint16_t seg = first; seg < p->len; seg++) {
		NF_CHECK_EQ(inject_cut(i, p->b, p->len, p->len, seg), 0);
		snic_env_poll(&env);
		drain(&w, &u);
		NF_CHECK_EQ(w, 0);
		NF_CHECK_EQ(u, 1);
		upcalls_ok[i]++;
	}
	NF_CHECK_EQ(malformed_total(i), total);
}

/* ------------------------------------------------------------ frames */

/* ETH / VLAN / IPv4 + 8 bytes options / TCP + 4 bytes options / 10. */
static void
frame_v4_tcp(struct pk *p)
{
	struct rte_tcp_hdr *th;

	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_VLAN);
	pk_vlan(p, 10, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(p, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 64);
	th = pk_tcp(p, 1000, 80, 0x10);
	th->data_off = 6 << 4;
	pk_payload(p, 4);   /* TCP options */
	pk_payload(p, 10);
	pk_finish(p);
	ipv4_options(p, 8);
}

/* ETH / IPv6 / hop-by-hop (8) / dest-opts (16) / UDP / 32. */
static void
frame_v6_ext_udp(struct pk *p, uint16_t sport)
{
	static const uint8_t types[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS };
	static const uint8_t lens[] = { 0, 1 };

	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV6);
	pk_ipv6(p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 64);
	pk_udp(p, sport, 2000);
	pk_payload(p, 32);
	pk_finish(p);
	ipv6_ext(p, types, lens, 2);
}

/* Outer ETH / IPv4 / UDP 4789 / VXLAN / ETH / IPv4 / UDP / 16. */
static void
frame_vxlan(struct pk *p)
{
	pk_init(p);
	pk_eth(p, GW_MAC, PEER_MAC, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(p, "192.168.0.2", "192.168.0.1", IPPROTO_UDP, 64);
	pk_udp(p, 49152, 4789);
	pk_vxlan(p, 100);
	pk_eth(p, VM1_MAC, VM2_MAC, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(p, "10.0.1.1", "10.0.1.2", IPPROTO_UDP, 64);
	pk_udp(p, 5555, 6666);
	pk_payload(p, 16);
	pk_finish(p);
}

static void
frame_v4_udp(struct pk *p, uint16_t payload)
{
	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV4);
	pk_ipv4(p, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 64);
	pk_udp(p, 1000, 2000);
	pk_payload(p, payload);
	pk_finish(p);
}

static void
frame_icmp(struct pk *p, bool v6)
{
	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC,
	       v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	if (v6)
		pk_ipv6(p, "2001:db8::1", "2001:db8::2", IPPROTO_ICMPV6, 64);
	else
		pk_ipv4(p, "10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 64);
	pk_icmp(p, v6 ? 128 : 8, 0);
	pk_payload(p, 16);
	pk_finish(p);
}

/* ETH / VLAN / IPv6 / TCP / 8. */
static void
frame_v6_tcp(struct pk *p)
{
	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_VLAN);
	pk_vlan(p, 20, RTE_ETHER_TYPE_IPV6);
	pk_ipv6(p, "2001:db8::1", "2001:db8::2", IPPROTO_TCP, 64);
	pk_tcp(p, 1000, 80, 0x10);
	pk_payload(p, 8);
	pk_finish(p);
}

/* ETH / IPv6 / fragment (first, MF) / UDP / 16. */
static void
frame_v6_frag(struct pk *p)
{
	static const uint8_t types[] = { IPPROTO_FRAGMENT };
	static const uint8_t lens[] = { 0 };
	uint8_t *fh;

	pk_init(p);
	pk_eth(p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV6);
	pk_ipv6(p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 64);
	pk_udp(p, 1000, 2000);
	pk_payload(p, 16);
	pk_finish(p);
	ipv6_ext(p, types, lens, 1);
	fh = p->b + 54;
	fh[1] = 0;              /* reserved */
	fh[2] = 0;              /* offset 0 */
	fh[3] = 1;              /* M flag */
	fh[4] = 0;
	fh[5] = 0;
	fh[6] = 0;
	fh[7] = 42;             /* identification */
}

/* ------------------------------------------------------------ tests */

/* Every cut of every header, with enclosing lengths fixed or not. */
NF_TEST(test_truncated)
{
	static const struct seg v4_tcp[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 18, NF_PKT_ERR_TRUNC_VLAN },
		{ 38, NF_PKT_ERR_TRUNC_IPV4 }, { 46, NF_PKT_ERR_IPV4_IHL },
		{ 66, NF_PKT_ERR_TRUNC_TCP }, { 70, NF_PKT_ERR_TCP_DOFF },
	};
	static const struct seg v4_tcp_raw[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 18, NF_PKT_ERR_TRUNC_VLAN },
		{ 38, NF_PKT_ERR_TRUNC_IPV4 }, { 46, NF_PKT_ERR_IPV4_IHL },
		{ 80, NF_PKT_ERR_IPV4_LEN },
	};
	static const struct seg v6_ext[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 54, NF_PKT_ERR_TRUNC_IPV6 },
		{ 78, NF_PKT_ERR_IPV6_EXT }, { 86, NF_PKT_ERR_TRUNC_UDP },
	};
	static const struct seg v6_ext_raw[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 54, NF_PKT_ERR_TRUNC_IPV6 },
		{ 118, NF_PKT_ERR_IPV6_LEN },
	};
	static const struct seg vxlan[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 34, NF_PKT_ERR_TRUNC_IPV4 },
		{ 42, NF_PKT_ERR_TRUNC_UDP }, { 50, NF_PKT_ERR_TRUNC_VXLAN },
		{ 64, NF_PKT_ERR_TRUNC_VXLAN }, /* inner Ethernet */
		{ 84, NF_PKT_ERR_TRUNC_IPV4 }, { 92, NF_PKT_ERR_TRUNC_UDP },
	};
	static const struct seg vxlan_raw[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 34, NF_PKT_ERR_TRUNC_IPV4 },
		{ 108, NF_PKT_ERR_IPV4_LEN },
	};
	static const struct seg icmp4[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 34, NF_PKT_ERR_TRUNC_IPV4 },
		{ 42, NF_PKT_ERR_TRUNC_ICMP },
	};
	static const struct seg icmp6[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 54, NF_PKT_ERR_TRUNC_IPV6 },
		{ 58, NF_PKT_ERR_TRUNC_ICMP },
	};
	static const struct seg v6_tcp[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 18, NF_PKT_ERR_TRUNC_VLAN },
		{ 58, NF_PKT_ERR_TRUNC_IPV6 }, { 78, NF_PKT_ERR_TRUNC_TCP },
	};
	static const struct seg v6_frag[] = {
		{ 14, NF_PKT_ERR_TRUNC_ETH }, { 54, NF_PKT_ERR_TRUNC_IPV6 },
		{ 62, NF_PKT_ERR_IPV6_EXT }, { 70, NF_PKT_ERR_TRUNC_UDP },
	};
	struct pk p;

#define V4 "vlan/ipv4+opts/tcp+opts"
#define V6 "ipv6/hbh/dstopt/udp"
	for (unsigned int i = 0; i < 2; i++) {
		frame_v4_tcp(&p);
		NF_CHECK_EQ(p.len, 80);
		cuts(V4, i, &p, true, v4_tcp, RTE_DIM(v4_tcp), false);
		cuts(V4, i, &p, false, v4_tcp_raw, RTE_DIM(v4_tcp_raw), false);
		/* TCP options are not read: beyond the segment is fine */
		cuts(V4, i, &p, false, v4_tcp, RTE_DIM(v4_tcp) - 1, true);
		split_ok(i, &p, 66);
		frame_v6_ext_udp(&p, 1000);
		NF_CHECK_EQ(p.len, 118);
		cuts(V6, i, &p, true, v6_ext, RTE_DIM(v6_ext), false);
		cuts(V6, i, &p, false, v6_ext_raw, RTE_DIM(v6_ext_raw), false);
		cuts(V6, i, &p, false, v6_ext, RTE_DIM(v6_ext), true);
		split_ok(i, &p, 86);
		frame_vxlan(&p);
		NF_CHECK_EQ(p.len, 108);
		cuts("vxlan", i, &p, true, vxlan, RTE_DIM(vxlan), false);
		cuts("vxlan", i, &p, false, vxlan_raw, RTE_DIM(vxlan_raw),
		     false);
		cuts("vxlan", i, &p, false, vxlan, RTE_DIM(vxlan), true);
		split_ok(i, &p, 92);
		frame_icmp(&p, false);
		cuts("icmp", i, &p, true, icmp4, RTE_DIM(icmp4), false);
		frame_icmp(&p, true);
		cuts("icmpv6", i, &p, true, icmp6, RTE_DIM(icmp6), false);
		frame_v6_tcp(&p);
		cuts("vlan/ipv6/tcp", i, &p, true, v6_tcp, RTE_DIM(v6_tcp),
		     false);
		frame_v6_frag(&p);
		cuts("ipv6/frag/udp", i, &p, true, v6_frag, RTE_DIM(v6_frag),
		     false);
	}
#undef V4
#undef V6
}

/* Length fields and flags that lie. */
NF_TEST(test_bad_fields)
{
	static const uint8_t ihl[] = { 0x40, 0x44, 0x65, 0x4f };
	static const uint8_t vxflags[] = { 0x00, 0x0c, 0x09, 0x88, 0xff };
	static const uint8_t doff[] = { 0x00, 0x10, 0x40, 0xf0 };
	uint8_t types[9], lens[9];
	struct rte_ipv4_hdr *ip;
	struct rte_ipv6_hdr *ip6;
	struct rte_udp_hdr *uh;
	struct pk p;

	for (unsigned int i = 0; i < 2; i++) {
		/* IHL < 5, version != 4, options beyond the frame */
		for (unsigned int k = 0; k < RTE_DIM(ihl); k++) {
			frame_v4_udp(&p, 8);
			p.b[14] = ihl[k];
			BAD(i, "ipv4 ihl/version", p.b, p.len,
			    NF_PKT_ERR_IPV4_IHL);
		}
		/* total length beyond the frame, below the header */
		frame_v4_udp(&p, 32);
		ip = (struct rte_ipv4_hdr *)(p.b + 14);
		ip->total_length = htons(p.len - 14 + 1);
		BAD(i, "ipv4 total length > frame", p.b, p.len,
		    NF_PKT_ERR_IPV4_LEN);
		ip->total_length = htons(0xffff);
		BAD(i, "ipv4 total length 65535", p.b, p.len,
		    NF_PKT_ERR_IPV4_LEN);
		ip->total_length = htons(19);
		BAD(i, "ipv4 total length < ihl", p.b, p.len,
		    NF_PKT_ERR_IPV4_LEN);
		ip->total_length = 0;
		BAD(i, "ipv4 total length 0", p.b, p.len, NF_PKT_ERR_IPV4_LEN);
		/* IPv6 payload length beyond the frame, version != 6 */
		frame_v6_ext_udp(&p, 1000);
		ip6 = (struct rte_ipv6_hdr *)(p.b + 14);
		ip6->payload_len = htons(p.len - 54 + 1);
		BAD(i, "ipv6 payload length > frame", p.b, p.len,
		    NF_PKT_ERR_IPV6_LEN);
		frame_v6_ext_udp(&p, 1000);
		p.b[14] = 0x40;
		BAD(i, "ipv6 version 4", p.b, p.len, NF_PKT_ERR_IPV6_LEN);
		/* an extension header longer than the payload */
		frame_v6_ext_udp(&p, 1000);
		p.b[55] = 200;
		BAD(i, "ipv6 ext length", p.b, p.len, NF_PKT_ERR_IPV6_EXT);
		/* UDP length < 8 or beyond the IP payload */
		for (int ulen = 0; ulen < 8; ulen += 7) {
			frame_v4_udp(&p, 32);
			uh = (struct rte_udp_hdr *)(p.b + 34);
			uh->dgram_len = htons(ulen);
			BAD(i, "udp length < 8", p.b, p.len,
			    NF_PKT_ERR_UDP_LEN);
		}
		frame_v4_udp(&p, 32);
		uh = (struct rte_udp_hdr *)(p.b + 34);
		uh->dgram_len = htons(8 + 32 + 1);
		BAD(i, "udp length > ip payload", p.b, p.len,
		    NF_PKT_ERR_UDP_LEN);
		frame_v6_ext_udp(&p, 1000);
		uh = (struct rte_udp_hdr *)(p.b + 78);
		uh->dgram_len = htons(4);
		BAD(i, "udp (after ipv6 ext) length < 8", p.b, p.len,
		    NF_PKT_ERR_UDP_LEN);
		/* TCP data offset < 5 or beyond the datagram */
		for (unsigned int k = 0; k < RTE_DIM(doff); k++) {
			frame_v6_tcp(&p);
			p.b[58 + 12] = doff[k];
			BAD(i, "tcp data offset", p.b, p.len,
			    NF_PKT_ERR_TCP_DOFF);
		}
		/* VXLAN flags other than exactly I */
		for (unsigned int k = 0; k < RTE_DIM(vxflags); k++) {
			frame_vxlan(&p);
			p.b[42] = vxflags[k];
			BAD(i, "vxlan flags", p.b, p.len,
			    NF_PKT_ERR_VXLAN_FLAGS);
		}
		/* the inner packet of VXLAN is checked as well */
		frame_vxlan(&p);
		p.b[64] = 0x44;
		BAD(i, "inner ipv4 ihl", p.b, p.len, NF_PKT_ERR_IPV4_IHL);
		frame_vxlan(&p);
		uh = (struct rte_udp_hdr *)(p.b + 84);
		uh->dgram_len = htons(7);
		BAD(i, "inner udp length", p.b, p.len, NF_PKT_ERR_UDP_LEN);
		frame_vxlan(&p);
		ip = (struct rte_ipv4_hdr *)(p.b + 64);
		ip->total_length = htons(ntohs(ip->total_length) + 1);
		BAD(i, "inner ipv4 length", p.b, p.len, NF_PKT_ERR_IPV4_LEN);
		/* a chain of 9 extension headers (8 are walked) */
		types[0] = IPPROTO_HOPOPTS;
		for (int k = 1; k < 9; k++)
			types[k] = k & 1 ? IPPROTO_DSTOPTS : IPPROTO_ROUTING;
		memset(lens, 0, sizeof(lens));
		pk_init(&p);
		pk_eth(&p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV6);
		pk_ipv6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 64);
		pk_udp(&p, 1000, 2000);
		pk_payload(&p, 8);
		pk_finish(&p);
		ipv6_ext(&p, types, lens, 9);
		BAD(i, "9 ipv6 extension headers", p.b, p.len,
		    NF_PKT_ERR_IPV6_EXT);
	}
}

/* The crafted frames, counted exactly per port and reason. */
NF_TEST(test_counts_exact)
{
	for (unsigned int i = 0; i < env.n; i++) {
		for (int r = 1; r < NF_PKT_ERR_MAX; r++) {
			if (malformed(i, r) == want[i][r])
				continue;
			nf_test_failed_checks++;
			fprintf(stderr, "port %u malformed_%s: %llu, want "
				"%llu\n", i, nf_pkt_err_name(r),
				(unsigned long long)malformed(i, r),
				(unsigned long long)want[i][r]);
		}
	}
	/* a reason for every path, on both ports */
	for (int r = 1; r < NF_PKT_ERR_MAX; r++) {
		NF_CHECK(want[0][r] > 0);
		NF_CHECK(want[1][r] > 0);
	}
	/* upcalled: only the well-formed split frames */
	for (unsigned int i = 0; i < 2; i++)
		NF_CHECK_EQ(snic_env_xstat(env.port[i], "miss_no_rule") +
			    snic_env_xstat(env.port[i], "miss_not_offloadable"),
			    upcalls_ok[i]);
}

/* Forwarding rule in_port -> out for an IPv6 UDP flow (ports given). */
static struct rte_flow *
v6_rule(uint16_t in_port, uint16_t out, uint16_t sport)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_ipv6 ip = { .hdr.proto = IPPROTO_UDP };
	struct rte_flow_item_ipv6 ip_m = { .hdr.proto = 0xff };
	struct rte_flow_item_udp udp = {
		.hdr.src_port = rte_cpu_to_be_16(sport),
		.hdr.dst_port = RTE_BE16(2000),
	};
	struct rte_flow_item_udp udp_m = {
		.hdr.src_port = RTE_BE16(0xffff),
		.hdr.dst_port = RTE_BE16(0xffff),
	};
	struct rte_flow_action_port_id pid = { .id = out };
	struct rte_flow_item pat[] = {
		{ RTE_FLOW_ITEM_TYPE_ETH, NULL, NULL, NULL },
		{ RTE_FLOW_ITEM_TYPE_IPV6, &ip, NULL, &ip_m },
		{ RTE_FLOW_ITEM_TYPE_UDP, &udp, NULL, &udp_m },
		{ RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action act[] = {
		{ RTE_FLOW_ACTION_TYPE_COUNT, NULL },
		{ RTE_FLOW_ACTION_TYPE_PORT_ID, &pid },
		{ RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_error err;
	struct rte_flow *f;

	inet_pton(AF_INET6, "2001:db8::1", ip.hdr.src_addr);
	inet_pton(AF_INET6, "2001:db8::2", ip.hdr.dst_addr);
	memset(ip_m.hdr.src_addr, 0xff, 16);
	memset(ip_m.hdr.dst_addr, 0xff, 16);
	f = rte_flow_create(in_port, &attr, pat, act, &err);
	if (f == NULL)
		fprintf(stderr, "v6 rule: %s\n", err.message);
	return f;
}

/* Inject p on port i; it must leave, byte for byte, on wire o only. */
static void
forwarded(int line, unsigned int i, const struct pk *p, unsigned int o)
{
	uint8_t out[2048];
	unsigned int w, u;
	int len;

	NF_CHECK_EQ(snic_env_inject(&env, i, p->b, p->len), 0);
	snic_env_poll(&env);
	len = snic_env_wire_read(&env, o, out, sizeof(out));
	if (len != p->len || memcmp(out, p->b, p->len) != 0) {
		nf_test_failed_checks++;
		fprintf(stderr, "%s:%d: not forwarded as is: length %d\n",
			__FILE__, line, len);
	}
	drain(&w, &u);
	NF_CHECK_EQ(w + u, 0);
}

/* Valid packets with extension headers are parsed to their L4 (N-5). */
NF_TEST(test_ipv6_ext_forwarded)
{
	static const uint8_t types8[] = {
		IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
		IPPROTO_DSTOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS,
		IPPROTO_ROUTING, IPPROTO_DSTOPTS,
	};
	static const uint8_t lens8[8] = { 0, 1, 0, 2, 0, 0, 0, 0 };
	struct rte_flow_error err;
	struct rte_flow *f[3];
	uint64_t rx_mal = malformed_total(1) + malformed_total(0);
	struct pk p;

	f[0] = v6_rule(env.port[1], env.port[2], 1000);
	f[1] = v6_rule(env.port[0], env.port[1], 1000);
	f[2] = v6_rule(env.port[1], env.port[2], 1001);
	NF_CHECK(f[0] != NULL && f[1] != NULL && f[2] != NULL);
	/* hop-by-hop + destination options before UDP */
	frame_v6_ext_udp(&p, 1000);
	forwarded(__LINE__, 1, &p, 2);
	forwarded(__LINE__, 0, &p, 1);
	/* the longest chain walked: 8 extension headers */
	pk_init(&p);
	pk_eth(&p, VM2_MAC, VM1_MAC, RTE_ETHER_TYPE_IPV6);
	pk_ipv6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 64);
	pk_udp(&p, 1001, 2000);
	pk_payload(&p, 24);
	pk_finish(&p);
	ipv6_ext(&p, types8, lens8, 8);
	forwarded(__LINE__, 1, &p, 2);
	/* IPv4 with options and Ethernet padding after the datagram */
	NF_CHECK_EQ(malformed_total(1) + malformed_total(0), rx_mal);
	for (int k = 0; k < 3; k++)
		NF_CHECK_EQ(rte_flow_destroy(env.port[k == 1 ? 0 : 1], f[k],
					     &err), 0);
	{
		struct rte_flow_attr attr = { .ingress = 1 };
		struct rte_flow_item_ipv4 ip = {
			.hdr.dst_addr = RTE_BE32(0x0a000002) };
		struct rte_flow_item_ipv4 ip_m = {
			.hdr.dst_addr = RTE_BE32(0xffffffff) };
		struct rte_flow_action_port_id pid = { .id = env.port[2] };
		struct rte_flow_item pat[] = {
			{ RTE_FLOW_ITEM_TYPE_IPV4, &ip, NULL, &ip_m },
			{ RTE_FLOW_ITEM_TYPE_UDP, NULL, NULL, NULL },
			{ RTE_FLOW_ITEM_TYPE_END },
		};
		struct rte_flow_action act[] = {
			{ RTE_FLOW_ACTION_TYPE_PORT_ID, &pid },
			{ RTE_FLOW_ACTION_TYPE_END },
		};

		f[0] = rte_flow_create(env.port[1], &attr, pat, act, &err);
		NF_CHECK(f[0] != NULL);
		frame_v4_udp(&p, 8);
		ipv4_options(&p, 12);
		forwarded(__LINE__, 1, &p, 2);
		frame_v4_udp(&p, 2);
		memset(p.b + p.len, 0, 60 - p.len); /* padded to 60 bytes */
		p.len = 60;
		forwarded(__LINE__, 1, &p, 2);
		NF_CHECK_EQ(rte_flow_destroy(env.port[1], f[0], &err), 0);
	}
	NF_CHECK_EQ(malformed_total(1) + malformed_total(0), rx_mal);
}

/* ------------------------------------------------------------ fuzz */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void
put16(uint8_t *b, unsigned int off, uint16_t v)
{
	b[off] = v >> 8;
	b[off + 1] = v & 0xff;
}

/* An L4 header at off: mostly plausible lengths, sometimes not. */
static void
fuzz_l4(uint8_t *b, unsigned int off, unsigned int len, uint8_t proto)
{
	if (proto == IPPROTO_UDP) {
		if (rnd() % 4)
			put16(b, off + 4, len > off ? len - off : 0);
		if (rnd() % 3 == 0)
			put16(b, off + 2, 4789);
		b[off + 8] = rnd() % 4 ? 0x08 : rnd();
		/* inner Ethernet type */
		put16(b, off + 8 + 8 + 12, rnd() & 1 ? RTE_ETHER_TYPE_IPV4 :
						       RTE_ETHER_TYPE_IPV6);
		b[off + 8 + 8 + 14] = rnd() & 1 ? 0x45 : 0x60;
	} else if (proto == IPPROTO_TCP) {
		b[off + 12] = (uint8_t)((rnd() % 16) << 4);
	}
}

/* Random bytes, shaped often enough like headers to get deep. */
static uint16_t
fuzz_frame(uint8_t *b)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
		IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_HOPOPTS,
		IPPROTO_DSTOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT };
	unsigned int len = rnd() % (FUZZ_MAX_LEN + 1);
	unsigned int l3 = 14, mode = rnd() % 8;
	uint8_t proto = protos[rnd() % RTE_DIM(protos)];

	for (unsigned int i = 0; i < 256; i += 4) {
		uint32_t r = rnd();

		memcpy(b + i, &r, 4);
	}
	b[0] &= 0xfe; /* mostly unicast: offloadable */
	if (mode == 0)
		return len;
	if (mode == 1) {
		put16(b, 12, rnd() & 1 ? RTE_ETHER_TYPE_VLAN :
					 RTE_ETHER_TYPE_QINQ);
		l3 = 18;
		mode = 2 + rnd() % 6;
	}
	if (mode < 5) {
		put16(b, l3 - 2, RTE_ETHER_TYPE_IPV4);
		b[l3] = 0x40 | (rnd() % 4 ? 5 : rnd() % 16);
		if (rnd() % 4)
			put16(b, l3 + 2, len > l3 ? len - l3 : 0);
		put16(b, l3 + 6, rnd() % 4 ? 0 : rnd());
		b[l3 + 8] = rnd() % 4;  /* low TTLs now and then */
		b[l3 + 9] = proto;
		fuzz_l4(b, l3 + (b[l3] & 0xf) * 4, len, proto);
	} else {
		put16(b, l3 - 2, RTE_ETHER_TYPE_IPV6);
		b[l3] = 0x60;
		if (rnd() % 4)
			put16(b, l3 + 4, len > l3 + 40 ? len - l3 - 40 : 0);
		b[l3 + 6] = proto;
		/* a short chain of small extension headers */
		for (unsigned int k = 0, n = rnd() % 10, off = l3 + 40;
		     k < n && off + 16 < 256; k++, off += 8) {
			b[off] = protos[rnd() % RTE_DIM(protos)];
			b[off + 1] = rnd() % 8 ? 0 : rnd();
		}
		fuzz_l4(b, l3 + 40, len, proto);
	}
	return len;
}

struct fuzz_sum {
	uint64_t injected, wire, upcalled, malformed, dropped;
};

static uint64_t
drops(void)
{
	static const char *const names[] = { "drop_rule", "drop_upcall_full",
		"drop_tx_full", "drop_no_headroom", "drop_no_mbuf",
		"drop_port_down" };
	uint64_t n = 0;

	for (unsigned int i = 0; i < env.n; i++)
		for (unsigned int k = 0; k < RTE_DIM(names); k++)
			n += snic_env_xstat(env.port[i], names[k]);
	return n;
}

/* FUZZ_FRAMES random frames on port i, in bursts the rings hold. */
static void
fuzz_port(unsigned int i, struct fuzz_sum *s)
{
	uint64_t mal0 = malformed_total(i), drop0 = drops();
	uint64_t rx0 = snic_env_xstat(env.port[i], "nic_rx_packets");
	uint8_t b[256];

	memset(s, 0, sizeof(*s));
	for (unsigned int done = 0; done < FUZZ_FRAMES;) {
		unsigned int burst = RTE_MIN(512u, FUZZ_FRAMES - done), w, u;

		for (unsigned int k = 0; k < burst; k++) {
			uint16_t len = fuzz_frame(b);
			/* 1 in 8 a chain of two segments */
			uint16_t seg = len > 1 && rnd() % 8 == 0 ?
				       1 + rnd() % (len - 1) : 0;

			if (inject_cut(i, b, len, len, seg) == 0)
				s->injected++;
		}
		done += burst;
		/* each rx_burst runs the NIC once (inline mode) */
		for (int idle = 0; idle < 3;) {
			drain(&w, &u);
			s->wire += w;
			s->upcalled += u;
			idle = w + u == 0 && rte_ring_empty(env.wire[i].in) ?
			       idle + 1 : 0;
		}
	}
	s->malformed = malformed_total(i) - mal0;
	s->dropped = drops() - drop0;
	NF_CHECK_EQ(s->injected, FUZZ_FRAMES);
	NF_CHECK_EQ(snic_env_xstat(env.port[i], "nic_rx_packets") - rx0,
		    s->injected);
	NF_CHECK_EQ(s->wire + s->upcalled + s->malformed + s->dropped,
		    s->injected);
	printf("     port %u: %llu frames: %llu malformed, %llu upcalled, "
	       "%llu forwarded, %llu dropped\n", i,
	       (unsigned long long)s->injected,
	       (unsigned long long)s->malformed,
	       (unsigned long long)s->upcalled,
	       (unsigned long long)s->wire, (unsigned long long)s->dropped);
}

/* Random frames without rules: malformed or upcalled, nothing sent. */
NF_TEST(test_garbage)
{
	struct fuzz_sum s;

	for (unsigned int i = 0; i < 2; i++) {
		fuzz_port(i, &s);
		NF_CHECK_EQ(s.wire, 0);
		NF_CHECK_EQ(s.dropped, 0);
		NF_CHECK(s.malformed > 0 && s.upcalled > 0);
	}
}

static struct rte_flow *
make(uint16_t port, const struct rte_flow_attr *attr,
     const struct rte_flow_item *pat, const struct rte_flow_action *act)
{
	struct rte_flow_error err = { 0 };
	struct rte_flow *f = rte_flow_create(port, attr, pat, act, &err);

	if (f == NULL) {
		NF_CHECK(0);
		fprintf(stderr, "create failed: %s\n", err.message);
	}
	return f;
}

/*
 * Random frames through catch-all rules that rewrite (decap, encap,
 * VLAN, addresses, TTL, DSCP, VXLAN colouring) and egress ACLs: whatever
 * the frame, no crash and every frame accounted for once.
 */
NF_TEST(test_garbage_rewritten)
{
	struct rte_flow_attr in = { .ingress = 1 };
	struct rte_flow_attr in1 = { .ingress = 1, .priority = 1 };
	struct rte_flow_attr acl_in = { .ingress = 1 };
	struct rte_flow_attr acl_out = { .egress = 1 };
	struct rte_flow_item_eth oeth = { 0 };
	struct rte_flow_item_ipv4 oip = {
		.hdr.src_addr = RTE_BE32(0xc0a80001),
		.hdr.dst_addr = RTE_BE32(0xc0a80002) };
	struct rte_flow_item_udp oudp = { .hdr.src_port = 0 };
	struct rte_flow_item_vxlan ovx = { .vni = "\x00\x00\x07" };
	struct rte_flow_item def[] = {
		{ RTE_FLOW_ITEM_TYPE_ETH, &oeth, NULL, NULL },
		{ RTE_FLOW_ITEM_TYPE_IPV4, &oip, NULL, NULL },
		{ RTE_FLOW_ITEM_TYPE_UDP, &oudp, NULL, NULL },
		{ RTE_FLOW_ITEM_TYPE_VXLAN, &ovx, NULL, NULL },
		{ RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_vxlan_encap enc = { .definition = def };
	struct rte_flow_action_set_mac mac = {
		.mac_addr = "\x02\x00\x00\x00\x00\x77" };
	struct rte_flow_action_set_ipv4 sip4 = {
		.ipv4_addr = RTE_BE32(0x0a0a0a0a) };
	struct rte_flow_action_set_ipv6 sip6 = {
		.ipv6_addr = "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x99" };
	struct rte_flow_action_of_push_vlan push = {
		.ethertype = RTE_BE16(0x8100) };
	struct rte_flow_action_of_set_vlan_vid vid = {
		.vlan_vid = RTE_BE16(33) };
	struct rte_flow_action_of_set_vlan_pcp pcp = { .vlan_pcp = 5 };
	struct rte_flow_action_modify_field dscp = {
		.operation = RTE_FLOW_MODIFY_ADD,
		.dst.field = RTE_FLOW_FIELD_IPV4_DSCP,
		.src.field = RTE_FLOW_FIELD_VALUE,
		.width = 6,
	};
	struct rte_flow_action_modify_field rsvd0 = {
		.operation = RTE_FLOW_MODIFY_SET,
		.dst.field = RTE_FLOW_FIELD_VXLAN_RSVD0,
		.src.field = RTE_FLOW_FIELD_VALUE,
		.width = 8,
	};
	struct rte_flow_action_port_id to_up = { .id = env.port[0] };
	struct rte_flow_action_port_id to_vf0 = { .id = env.port[1] };
	struct rte_flow_action_port_id to_vf1 = { .id = env.port[2] };
	struct rte_flow_item any[] = { { RTE_FLOW_ITEM_TYPE_END } };
	struct rte_flow_item v6[] = {
		{ RTE_FLOW_ITEM_TYPE_IPV6, NULL, NULL, NULL },
		{ RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_item tun[] = {
		{ RTE_FLOW_ITEM_TYPE_VXLAN, NULL, NULL, NULL },
		{ RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action vf0_v4[] = {
		{ RTE_FLOW_ACTION_TYPE_COUNT, NULL },
		{ RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL },
		{ RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &mac },
		{ RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC, &sip4 },
		{ RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, &dscp },
		{ RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN, &push },
		{ RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, &vid },
		{ RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, &enc },
		{ RTE_FLOW_ACTION_TYPE_PORT_ID, &to_up },
		{ RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action vf0_v6[] = {
		{ RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, NULL },
		{ RTE_FLOW_ACTION_TYPE_SET_IPV6_DST, &sip6 },
		{ RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL },
		{ RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1 },
		{ RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action up_tun[] = {
		{ RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL },
		{ RTE_FLOW_ACTION_TYPE_OF_POP_VLAN, NULL },
		{ RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &mac },
		{ RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL },
		{ RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf0 },
		{ RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action up_plain[] = {
		{ RTE_FLOW_ACTION_TYPE_OF_PUSH_VLAN, &push },
		{ RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_PCP, &pcp },
		{ RTE_FLOW_ACTION_TYPE_PORT_ID, &to_vf1 },
		{ RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action acl_colour[] = {
		{ RTE_FLOW_ACTION_TYPE_COUNT, NULL },
		{ RTE_FLOW_ACTION_TYPE_MODIFY_FIELD, &rsvd0 },
		{ RTE_FLOW_ACTION_TYPE_OF_SET_VLAN_VID, &vid },
		{ RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action acl_mac[] = {
		{ RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &mac },
		{ RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_error err;
	struct fuzz_sum s;

	dscp.src.value[0] = 3;
	rsvd0.src.value[2] = 0x5a;
	pk_mac(oeth.dst.addr_bytes, PEER_MAC);
	pk_mac(oeth.src.addr_bytes, GW_MAC);
	rte_pmd_snic_flow_type_set(&acl_in, RTE_PMD_SNIC_FLOW_TYPE_ACL);
	rte_pmd_snic_flow_type_set(&acl_out, RTE_PMD_SNIC_FLOW_TYPE_ACL);
	make(env.port[1], &in, v6, vf0_v6);
	make(env.port[1], &in1, any, vf0_v4);
	make(env.port[0], &in, tun, up_tun);
	make(env.port[0], &in1, any, up_plain);
	make(env.port[0], &acl_in, tun, acl_colour);
	make(env.port[2], &acl_out, any, acl_mac);
	make(env.port[0], &acl_out, any, acl_mac);
	for (unsigned int i = 0; i < 2; i++) {
		fuzz_port(i, &s);
		NF_CHECK(s.wire > 0);
	}
	for (unsigned int i = 0; i < env.n; i++)
		NF_CHECK_EQ(rte_flow_flush(env.port[i], &err), 0);
}

int
main(void)
{
	static const struct nf_test_case cases[] = {
		NF_CASE(test_truncated),
		NF_CASE(test_bad_fields),
		NF_CASE(test_counts_exact),
		NF_CASE(test_ipv6_ext_forwarded),
		NF_CASE(test_garbage),
		NF_CASE(test_garbage_rewritten),
	};
	return snic_env_main(snic_env_eal_init("snic_malformed"), &env,
			     "net_snic_mal", 2, NULL, cases,
			     RTE_DIM(cases), NULL);
}
